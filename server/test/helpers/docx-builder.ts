import { once } from 'node:events';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

type ZipEntry = { name: string; data: Buffer; crc: number; size: number; method: 0 | 8 };

/** A stored-or-deflated entry from text held in memory. */
export function zipEntry(name: string, text: string): ZipEntry {
  const raw = Buffer.from(text);
  return { name, data: deflateRawSync(raw), crc: crc32(raw), size: raw.length, method: 8 };
}

/**
 * A deflated entry of `prefix`, then `repeat` × 1 MiB of `fill`, then `suffix`, made without holding
 * the inflated text: how a zip bomb is built (300 MB of one letter deflates to about 300 KB).
 */
export async function bombEntry(
  name: string,
  parts: { prefix: string; fill: string; megabytes: number; suffix: string },
): Promise<ZipEntry> {
  const deflate = createDeflateRaw({ level: 9 });
  const output: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => output.push(chunk));
  let crc = 0;
  let size = 0;
  const write = async (chunk: Buffer) => {
    crc = crc32(chunk, crc);
    size += chunk.length;
    if (!deflate.write(chunk)) await once(deflate, 'drain');
  };
  const block = Buffer.alloc(1024 * 1024, parts.fill);
  await write(Buffer.from(parts.prefix));
  for (let index = 0; index < parts.megabytes; index += 1) await write(block);
  await write(Buffer.from(parts.suffix));
  deflate.end();
  await once(deflate, 'end');
  return { name, data: Buffer.concat(output), crc, size, method: 8 };
}

/** A ZIP archive (no ZIP64) of the entries, with their declared sizes. */
export function zipArchive(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt32LE(entry.crc >>> 0, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.method, 10);
    central.writeUInt32LE(entry.crc >>> 0, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    directory.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const directoryBytes = directory.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directoryBytes, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...directory, end]);
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>`;
const rels = `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>`;
const documentOpen =
  '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>';
const documentClose = '</w:t></w:r></w:p></w:body></w:document>';

/** A minimal Word document with one paragraph of `text`. */
export function docx(text: string): Buffer {
  return zipArchive([
    zipEntry('[Content_Types].xml', contentTypes),
    zipEntry('_rels/.rels', rels),
    zipEntry('word/document.xml', `${documentOpen}${text}${documentClose}`),
  ]);
}

/** A Word document whose one paragraph is `megabytes` MiB of one letter: a zip bomb. */
export async function docxBomb(megabytes: number): Promise<Buffer> {
  return zipArchive([
    zipEntry('[Content_Types].xml', contentTypes),
    zipEntry('_rels/.rels', rels),
    await bombEntry('word/document.xml', {
      prefix: documentOpen,
      fill: 'a',
      megabytes,
      suffix: documentClose,
    }),
  ]);
}
