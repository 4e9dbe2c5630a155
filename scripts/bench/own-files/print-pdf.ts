// Prints a web page to PDF as a person does from Chromium (File → Print → Save as PDF, with
// headers and footers): the date and title at the top of each page, the address and "n/N" at the
// bottom. Usage: npx tsx print-pdf.ts page.html out.pdf (needs Chromium at /usr/bin/chromium).
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs } from '../../e2e/harness.js';

const [source, target] = process.argv.slice(2);
if (!source || !target) throw new Error('usage: npx tsx print-pdf.ts page.html out.pdf');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
try {
  const page = await browser.newPage();
  await page.goto(`file://${resolve(source)}`);
  await page.pdf({
    path: target,
    format: 'A4',
    displayHeaderFooter: true,
    margin: { top: '2cm', bottom: '2cm', left: '1.5cm', right: '1.5cm' },
  });
} finally {
  await browser.close();
}
