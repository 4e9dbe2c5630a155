import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument, withoutHtmlComments } from './parse-document.js';
import { prepareChunks } from './prepare-chunks.js';

const repoFile = (path: string) => readFileSync(new URL(`../../../../../../${path}`, import.meta.url));
// Files a person brings, generated from this machine's documentation (scripts/bench/own-files).
const manPagePdf = repoFile('scripts/bench/own-files/tuning/git-stash.pdf');
const npmPage = repoFile('scripts/bench/own-files/tuning/package-json.html');
const structuredDocx = repoFile('server/test/fixtures/knowledge/structured.docx');

describe('parseDocument', () => {
  it('drops a PDF’s running header and footer from every chunk and makes its options ASCII', async () => {
    // git-stash(1) printed by groff: every page opens "GIT−STASH(1) Git Manual GIT−STASH(1)" and
    // closes "Git 2.39.5 10/07/2025 n", and every option is spelled with U+2212 minus signs.
    const text = await parseDocument('git-stash.pdf', manPagePdf);
    const chunks = prepareChunks('git-stash.pdf', text, { maxTokens: 800, overlapTokens: 400 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.text).not.toMatch(/Git Manual|GIT.STASH\(1\)|Git 2\.39\.5|10\/07\/2025/);
      expect(chunk.text).not.toContain('\u2212');
    }
    expect(text).toContain('**-u, --include-untracked, --no-include-untracked**');
    expect(text).toContain(
      '**drop [-q|--quiet] [<stash>]**\n\nRemove a single stash entry from the list of stash entries.',
    );
    expect(text).toContain(
      '```\n# ... hack hack hack ...\n$ git stash\n$ edit emergency fix\n$ git commit -a -m "Fix in a hurry"\n',
    );
  });

  it('keeps a DOCX’s headings, list, table and code-styled example', async () => {
    const text = await parseDocument('structured.docx', structuredDocx);
    expect(text).toContain('# Expense policy\n\nClaims are paid monthly.\n\n## Limits');
    expect(text).toContain('- Meals: up to 40 EUR a day\n- Hotels: up to 150 EUR a night');
    expect(text).toContain('| Item | Limit |\n| --- | --- |\n| Taxi | 30 EUR |');
    expect(text).toContain('```\nexpenses submit --month 2024-05\nexpenses status\n```');
  });

  it('drops a web page’s table of contents and keeps its sections and examples', async () => {
    const text = await parseDocument('package-json.html', npmPage);
    expect(text).not.toMatch(/Table of contents/i);
    expect(text).not.toMatch(/^- (name|version|description)$/m);
    expect(text).toContain('### devDependencies');
    expect(text).toMatch(/```json\n"keywords": \[/);
  });
});

describe('parseDocument, plain text', () => {
  it("reads a README's indented configuration as an example, its lines kept", async () => {
    const readme =
      'Use the following ssh client configuration:\n\n\tHost sshgateway\n\t\tTunnel yes\n\nThen connect.';
    const text = await parseDocument('README.tun.txt', Buffer.from(readme));
    expect(text).toContain('```\nHost sshgateway\n\tTunnel yes\n```');
  });
});

describe('withoutHtmlComments', () => {
  it.each([
    ['## `fs.cp()`\n<!-- YAML\nadded: v16.7.0\n-->\n\nCopies.', '## `fs.cp()`\n\n\nCopies.'],
    ['Text <!-- note --> more', 'Text  more'],
    ['```html\n<!-- kept: the example -->\n```\n<!-- gone -->', '```html\n<!-- kept: the example -->\n```\n'],
  ])('%j → %j', (markdown, expected) => {
    expect(withoutHtmlComments(markdown)).toBe(expected);
  });
});
