import { deflateRawSync, crc32 } from 'node:zlib';
import { zipArchive, zipEntry } from '../../server/test/helpers/docx-builder.js';

/** Documents for bench:ingest: deterministic prose of a given size in each accepted format. */

const vocabulary = (
  'request limit server stream thread vector store file search answer token chunk index query ' +
  'health latency upload parser worker memory deadline event client proxy header cache policy ' +
  'travel expense laptop security rotate password encrypt backup restore deploy container node'
).split(' ');

function* paragraphs(seed = 1): Generator<string> {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state;
  };
  for (let section = 0; ; section += 1) {
    const words = Array.from({ length: 40 + (next() % 80) }, () => vocabulary[next() % vocabulary.length]);
    yield section % 20 === 0 ? `## Section ${section / 20}\n\n${words.join(' ')}.` : `${words.join(' ')}.`;
  }
}

/** Up to `bytes` of prose, as paragraphs. */
function prose(bytes: number): string[] {
  const parts: string[] = [];
  let size = 0;
  for (const paragraph of paragraphs()) {
    if (size + paragraph.length + 2 > bytes) break;
    parts.push(paragraph);
    size += paragraph.length + 2;
  }
  return parts;
}

export const textOf = (bytes: number): Buffer =>
  Buffer.from(`# Largest text\n\n${prose(bytes - 20).join('\n\n')}\n`);

/** A PDF of uncompressed text pages (Helvetica), `bytes` in size give or take a page. */
export function pdfOf(bytes: number): Buffer {
  const pageTexts: string[][] = [];
  let lines: string[] = [];
  for (const paragraph of prose(bytes * 0.8)) {
    for (let start = 0; start < paragraph.length; start += 90) lines.push(paragraph.slice(start, start + 90));
    if (lines.length >= 50) {
      pageTexts.push(lines);
      lines = [];
    }
  }
  if (lines.length > 0) pageTexts.push(lines);
  const objects: string[] = [];
  const pageIds = pageTexts.map((_, index) => 4 + index * 2);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  pageTexts.forEach((page, index) => {
    const id = pageIds[index] ?? 0;
    const content = `BT /F1 10 Tf 40 800 Td 12 TL ${page
      .map((line) => `(${line.replace(/[\\()]/g, '')}) '`)
      .join(' ')} ET`;
    objects[id] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${id + 1} 0 R >>`;
    objects[id + 1] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  });
  // Every character is ASCII, so string lengths are byte offsets.
  const parts = ['%PDF-1.4\n'];
  let length = parts[0]?.length ?? 0;
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id += 1) {
    offsets[id] = length;
    const object = `${id} 0 obj\n${objects[id]}\nendobj\n`;
    parts.push(object);
    length += object.length;
  }
  let body = parts.join('');
  const xref = length;
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id += 1)
    body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body);
}

/** A Word document whose text is `bytes` of prose, one paragraph per paragraph. */
export function docxOf(bytes: number): Buffer {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${prose(
    bytes,
  )
    .map(
      (paragraph) => `<w:p><w:r><w:t>${paragraph.replace(/^## /, '').replace(/\n+/g, ' ')}</w:t></w:r></w:p>`,
    )
    .join('')}</w:body></w:document>`;
  const raw = Buffer.from(xml);
  return zipArchive([
    zipEntry(
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    zipEntry(
      '_rels/.rels',
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    ),
    { name: 'word/document.xml', data: deflateRawSync(raw), crc: crc32(raw), size: raw.length, method: 8 },
  ]);
}
