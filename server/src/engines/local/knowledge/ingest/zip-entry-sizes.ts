/** One entry of a ZIP archive as its central directory declares it. */
export type ZipEntrySize = { name: string; compressedBytes: number; uncompressedBytes: number };

const endOfDirectorySignature = 0x06054b50;
const directoryEntrySignature = 0x02014b50;
const endOfDirectoryBytes = 22;
const maxCommentBytes = 0xffff;
/** ZIP64 marks sizes it moved elsewhere with all ones; nothing Threadline accepts needs them. */
const zip64Marker = 0xffffffff;

export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}

/**
 * The entries a ZIP archive declares, read from its central directory without inflating anything,
 * so a document's decompressed size can be checked before any parser expands it. Throws
 * ZipFormatError for anything that is not a plain (non-ZIP64) archive.
 */
export function zipEntrySizes(archive: Uint8Array): ZipEntrySize[] {
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const end = findEndOfDirectory(view);
  const count = view.getUint16(end + 10, true);
  const directoryBytes = view.getUint32(end + 12, true);
  let offset = view.getUint32(end + 16, true);
  if (offset + directoryBytes > end) throw new ZipFormatError('the central directory is out of bounds');
  const entries: ZipEntrySize[] = [];
  for (let index = 0; index < count; index += 1) {
    if (offset + 46 > end || view.getUint32(offset, true) !== directoryEntrySignature)
      throw new ZipFormatError('a central directory entry is damaged');
    const compressedBytes = view.getUint32(offset + 20, true);
    const uncompressedBytes = view.getUint32(offset + 24, true);
    const nameBytes = view.getUint16(offset + 28, true);
    const extraBytes = view.getUint16(offset + 30, true);
    const commentBytes = view.getUint16(offset + 32, true);
    if (compressedBytes === zip64Marker || uncompressedBytes === zip64Marker)
      throw new ZipFormatError('ZIP64 archives are not supported');
    const name = new TextDecoder().decode(archive.subarray(offset + 46, offset + 46 + nameBytes));
    entries.push({ name, compressedBytes, uncompressedBytes });
    offset += 46 + nameBytes + extraBytes + commentBytes;
  }
  return entries;
}

function findEndOfDirectory(view: DataView): number {
  const last = view.byteLength - endOfDirectoryBytes;
  const first = Math.max(0, last - maxCommentBytes);
  for (let offset = last; offset >= first; offset -= 1) {
    if (view.getUint32(offset, true) === endOfDirectorySignature) return offset;
  }
  throw new ZipFormatError('not a ZIP archive');
}

export type ZipLimits = { maxTotalBytes: number; maxRatio: number; ratioFloorBytes: number };

/**
 * Why the archive must not be inflated, or null when it may be: more declared data than
 * `maxTotalBytes`, or an entry over `ratioFloorBytes` that inflates more than `maxRatio` times
 * (text compresses 5–20×; a zip bomb, hundreds to a thousand times).
 */
export function zipLimitProblem(entries: readonly ZipEntrySize[], limits: ZipLimits): string | null {
  let total = 0;
  for (const entry of entries) {
    total += entry.uncompressedBytes;
    const ratio = entry.uncompressedBytes / Math.max(entry.compressedBytes, 1);
    if (entry.uncompressedBytes > limits.ratioFloorBytes && ratio > limits.maxRatio) {
      return `"${entry.name}" would inflate ${Math.round(ratio)} times (${megabytes(entry.uncompressedBytes)}); the limit is ${limits.maxRatio} times`;
    }
  }
  if (total > limits.maxTotalBytes)
    return `its contents would inflate to ${megabytes(total)}; the limit is ${megabytes(limits.maxTotalBytes)}`;
  return null;
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
