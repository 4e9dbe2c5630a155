/**
 * The document reader's child process: parses one document at a time and hands its chunks back
 * in batches, each when the parent asks for it. Run by document-reader.ts; a crash or an
 * exhausted heap here ends this process only.
 */
import { readFile } from 'node:fs/promises';
import { embedLocally } from '../embed/local-embedding.js';
import { IngestionError, parseDocument } from './parse-document.js';
import type { ReaderReply, ReaderRequest } from './document-reader.js';
import { prepareChunks, type PreparedChunk } from './prepare-chunks.js';

let pending: PreparedChunk[] = [];
let batchSize = 64;
let isEmbedding = false;

const send = (reply: ReaderReply) => process.send?.(reply);

function nextBatch(): void {
  const batch = pending.splice(0, batchSize);
  const embeddings = isEmbedding ? batch.map((chunk) => embedLocally(chunk.embeddingText)) : undefined;
  send({ type: 'chunks', chunks: batch, embeddings, isLast: pending.length === 0 });
}

async function read(request: Extract<ReaderRequest, { type: 'read' }>): Promise<void> {
  pending = [];
  batchSize = request.batchSize;
  isEmbedding = request.embedLocally;
  try {
    const bytes = await readFile(request.path).catch((error: unknown) => {
      throw new IngestionError('server_error', 'the stored file could not be read', { cause: error });
    });
    const text = await parseDocument(request.fileName, bytes, request.limits);
    pending = prepareChunks(request.fileName, text, request.chunking);
    nextBatch();
  } catch (error) {
    const isKnown = error instanceof IngestionError;
    send({
      type: 'error',
      code: isKnown ? error.code : 'server_error',
      message: isKnown ? error.message : 'the file could not be processed',
    });
  }
}

process.on('message', (request: ReaderRequest) => {
  if (request.type === 'read') void read(request);
  else nextBatch();
});
// The server went away (even by kill -9): nothing is left to read for.
process.on('disconnect', () => process.exit(0));
