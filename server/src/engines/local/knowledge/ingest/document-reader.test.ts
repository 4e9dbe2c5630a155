import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { docx, docxBomb } from '../../../../../test/helpers/docx-builder.js';
import { DocumentReader, type ChunkBatch } from './document-reader.js';
import { embedLocally } from '../embed/local-embedding.js';
import { defaultDocumentLimits, IngestionError } from './parse-document.js';
import type { PreparedChunk } from './prepare-chunks.js';

const directory = mkdtempSync(join(tmpdir(), 'threadline-reader-'));
const chunking = { maxTokens: 100, overlapTokens: 20 };
const file = (name: string, content: Buffer | string) => {
  const path = join(directory, name);
  writeFileSync(path, content);
  return { path, fileName: name, chunking };
};

async function readAll(reader: DocumentReader, input: ReturnType<typeof file>): Promise<PreparedChunk[][]> {
  const batches: PreparedChunk[][] = [];
  for await (const batch of reader.read(input)) batches.push(batch.chunks);
  return batches;
}

async function failure(promise: Promise<unknown>): Promise<IngestionError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IngestionError);
  return error as IngestionError;
}

describe('DocumentReader', () => {
  const readers: DocumentReader[] = [];
  const reader = (options: Partial<ConstructorParameters<typeof DocumentReader>[0]> = {}) => {
    const created = new DocumentReader({
      timeoutMs: 60_000,
      maxMemoryMb: 256,
      limits: defaultDocumentLimits,
      batchSize: 4,
      ...options,
    });
    readers.push(created);
    return created;
  };
  afterEach(async () => {
    await Promise.all(readers.splice(0).map((created) => created.close()));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('hands back a document’s chunks in batches, and reads the next document in the same child', async () => {
    const documentReader = reader();
    const paragraphs = Array.from(
      { length: 120 },
      (_, index) => `Paragraph ${index} about the travel policy.`,
    );
    const batches = await readAll(
      documentReader,
      file('policy.md', `# Policy\n\n${paragraphs.join('\n\n')}`),
    );
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.slice(0, -1).every((batch) => batch.length === 4)).toBe(true);
    expect(batches.flat()[0]?.text).toContain('Paragraph 0');
    const word = await readAll(documentReader, file('memo.docx', docx('The memo says hello.')));
    const withVectors: ChunkBatch[] = [];
    for await (const batch of documentReader.read({
      ...file('again.docx', docx('Vectors too.')),
      embedLocally: true,
    }))
      withVectors.push(batch);
    expect(withVectors[0]?.embeddings?.[0]).toEqual(
      embedLocally(withVectors[0]?.chunks[0]?.embeddingText ?? ''),
    );
    expect(
      word
        .flat()
        .map((chunk) => chunk.text)
        .join(' '),
    ).toContain('The memo says hello.');
  });

  it('refuses a DOCX zip bomb before inflating it', async () => {
    const bomb = await docxBomb(300);
    expect(bomb.length).toBeLessThan(400 * 1024);
    const error = await failure(readAll(reader(), file('bomb.docx', bomb)));
    expect(error.code).toBe('invalid_file');
    expect(error.message).toMatch(
      /DOCX file is too large to read: "word\/document.xml" would inflate \d+ times \(300 MB\)/,
    );
  });

  it('ends a child that runs out of memory and reads on with a new one', async () => {
    // Allowed by the (raised) limits, 200 MB of text cannot fit a 128 MB heap.
    const documentReader = reader({
      maxMemoryMb: 128,
      limits: {
        maxTextChars: 1024 ** 3,
        zip: { maxTotalBytes: 1024 ** 3, maxRatio: 10_000, ratioFloorBytes: 0 },
      },
    });
    const error = await failure(readAll(documentReader, file('big.docx', await docxBomb(200))));
    expect(error.message).toMatch(/needed more than 128 MB of memory|document reader stopped/);
    const after = await readAll(documentReader, file('small.txt', 'Still reading.'));
    expect(after.flat()[0]?.text).toBe('Still reading.');
  });

  it('ends a child that takes too long', async () => {
    const documentReader = reader({ timeoutMs: 1000 });
    const text = Array.from({ length: 200_000 }, (_, index) => `line ${index} of a long file`).join('\n');
    const error = await failure(readAll(documentReader, file('long.txt', text)));
    expect(error.message).toBe('reading the document took longer than 1 s');
  });
});
