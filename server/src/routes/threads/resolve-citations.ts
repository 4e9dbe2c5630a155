import type { TranscriptMessage } from '@threadline/shared';
import type { FileApi } from '../../engines/index.js';

/**
 * Fills in file names that were unknown when a message was recorded, asking the engine once per
 * file. A file the engine no longer has (or cannot be asked about) keeps a null name.
 */
export async function resolveCitations(
  messages: TranscriptMessage[],
  files: Pick<FileApi, 'get'> | undefined,
): Promise<TranscriptMessage[]> {
  if (!files) return messages;
  const missing = new Set(
    messages.flatMap((message) =>
      message.citations.filter((citation) => citation.fileName === null).map((citation) => citation.fileId),
    ),
  );
  if (missing.size === 0) return messages;
  const names = new Map(
    await Promise.all(
      [...missing].map(
        async (fileId) => [fileId, (await files.get(fileId).catch(() => null))?.fileName ?? null] as const,
      ),
    ),
  );
  return messages.map((message) => ({
    ...message,
    citations: message.citations.map((citation) => ({
      ...citation,
      fileName: citation.fileName ?? names.get(citation.fileId) ?? null,
    })),
  }));
}
