import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../../src/sqlite/database.js';
import {
  createKnowledgeBase,
  type KnowledgeBase,
} from '../../../../src/engines/local/knowledge/knowledge-base.js';
import { testConfig } from '../../../helpers/test-config.js';

describe('local knowledge base', () => {
  let config: ReturnType<typeof testConfig>;
  let database: SqliteDatabase;
  let knowledge: KnowledgeBase;

  beforeEach(() => {
    config = testConfig();
    database = openDatabase(config.DATA_DIR);
    knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
  });
  afterEach(async () => {
    await knowledge.close();
    database.close();
    config.cleanup();
  });

  const markdown = (text: string) => Buffer.from(text, 'utf8');

  it('ingests a file asynchronously and finds it by keyword and vector', async () => {
    const store = await knowledge.vectorStores.create({ name: 'docs' });
    const added = await knowledge.vectorStores.addFile(store.id, {
      fileName: 'rebase.md',
      bytes: markdown('# Rebasing\n\nUse `git rebase --interactive` to squash commits into one.\n'),
    });
    expect(added.status).toBe('in_progress');
    expect(added.id).toMatch(/^file-/);
    await knowledge.vectorStores.addFile(store.id, {
      fileName: 'stash.md',
      bytes: markdown('# Stashing\n\nSave uncommitted work with git stash push.\n'),
    });
    await knowledge.waitForIngestion(store.id);

    const files = await knowledge.vectorStores.listFiles(store.id);
    expect(files.map((file) => [file.fileName, file.status, file.chunkCount])).toEqual([
      ['rebase.md', 'completed', 1],
      ['stash.md', 'completed', 1],
    ]);
    const hits = await knowledge.vectorStores.search([store.id], {
      query: 'squash commits',
      maxNumResults: 5,
    });
    expect(hits[0]).toMatchObject({ fileId: added.id, fileName: 'rebase.md', keywordRank: 1 });
    expect(hits[0]?.text).toContain('squash');
    expect(hits[0]?.score).toBeGreaterThan(0);
    expect(hits[0]?.score).toBeLessThanOrEqual(1);
    const summary = await knowledge.vectorStores.get(store.id);
    expect(summary?.fileCounts).toMatchObject({ completed: 2, total: 2, in_progress: 0 });
  });

  it('searches only the requested stores', async () => {
    const first = await knowledge.vectorStores.create({ name: 'first' });
    const second = await knowledge.vectorStores.create({ name: 'second' });
    await knowledge.vectorStores.addFile(first.id, {
      fileName: 'a.md',
      bytes: markdown('# A\n\nshared word alpha\n'),
    });
    await knowledge.vectorStores.addFile(second.id, {
      fileName: 'b.md',
      bytes: markdown('# B\n\nshared word beta\n'),
    });
    await knowledge.waitForIngestion();
    const names = async (ids: string[]) =>
      (await knowledge.vectorStores.search(ids, { query: 'shared word', maxNumResults: 10 }))
        .map((hit) => hit.fileName)
        .sort();
    expect(await names([first.id])).toEqual(['a.md']);
    expect(await names([second.id])).toEqual(['b.md']);
    expect(await names([first.id, second.id])).toEqual(['a.md', 'b.md']);
    expect(await names(['vs_missing'])).toEqual([]);
    expect(knowledge.store.countIndexRows(first.id)).toBe(1);
  });

  it('applies a store chunking strategy and a score threshold', async () => {
    const store = await knowledge.vectorStores.createWith({
      name: 'small chunks',
      chunking: { maxChunkSizeTokens: 100, chunkOverlapTokens: 0 },
    });
    const paragraph = (topic: string) => `${topic} ${'filler text goes here. '.repeat(25)}\n\n`;
    await knowledge.vectorStores.addFile(store.id, {
      fileName: 'long.md',
      bytes: markdown(paragraph('kiwi') + paragraph('mango') + paragraph('papaya')),
    });
    await knowledge.waitForIngestion();
    const [file] = await knowledge.vectorStores.listFiles(store.id);
    expect(file?.chunkCount).toBeGreaterThanOrEqual(3);
    const all = await knowledge.vectorStores.search([store.id], { query: 'mango filler', maxNumResults: 10 });
    expect(all[0]?.text).toContain('mango');
    const strict = await knowledge.vectorStores.search([store.id], {
      query: 'mango filler',
      maxNumResults: 10,
      scoreThreshold: 0.99,
    });
    expect(strict.length).toBeLessThan(all.length);
    expect(strict.every((hit) => hit.score >= 0.99)).toBe(true);
    await expect(
      knowledge.vectorStores.createWith({
        name: 'bad',
        chunking: { maxChunkSizeTokens: 100, chunkOverlapTokens: 60 },
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it('fails empty and non-UTF-8 files with a clear last error', async () => {
    const store = await knowledge.vectorStores.create({ name: 'bad' });
    const empty = await knowledge.vectorStores.addFile(store.id, {
      fileName: 'empty.txt',
      bytes: markdown('  \n\t '),
    });
    const latin1 = await knowledge.vectorStores.addFile(store.id, {
      fileName: 'latin1.txt',
      bytes: Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
    });
    await knowledge.waitForIngestion();
    expect(await knowledge.vectorStores.getFile(store.id, empty.id)).toMatchObject({
      status: 'failed',
      lastError: { code: 'invalid_file', message: expect.stringContaining('no text') as unknown },
    });
    expect(await knowledge.vectorStores.getFile(store.id, latin1.id)).toMatchObject({
      status: 'failed',
      lastError: { code: 'invalid_file', message: expect.stringContaining('UTF-8') as unknown },
    });
  });

  it('rejects unsupported types with 415 and oversized files with 413', async () => {
    const store = await knowledge.vectorStores.create({ name: 'x' });
    await expect(
      knowledge.vectorStores.addFile(store.id, { fileName: 'a.exe', bytes: markdown('MZ') }),
    ).rejects.toMatchObject({
      statusCode: 415,
      code: 'unsupported_media_type',
    });
    const small = createKnowledgeBase({
      database,
      dataDir: config.DATA_DIR,
      config: { ...config, MAX_UPLOAD_BYTES: 4 },
    });
    await expect(
      small.vectorStores.addFile(store.id, { fileName: 'a.md', bytes: markdown('hello') }),
    ).rejects.toMatchObject({
      statusCode: 413,
      code: 'payload_too_large',
    });
    await small.close();
  });

  it('removes chunks and index rows when a file is removed or deleted', async () => {
    const store = await knowledge.vectorStores.create({ name: 'y' });
    const file = await knowledge.vectorStores.addFile(store.id, {
      fileName: 'a.md',
      bytes: markdown('# A\n\nalpha beta\n'),
    });
    await knowledge.waitForIngestion();
    expect(knowledge.store.countChunks(store.id, file.id)).toBe(1);
    expect(await knowledge.vectorStores.removeFile(store.id, file.id)).toBe(true);
    expect(knowledge.store.countChunks(store.id)).toBe(0);
    expect(knowledge.store.countIndexRows(store.id)).toBe(0);
    expect(await knowledge.vectorStores.search([store.id], { query: 'alpha', maxNumResults: 5 })).toEqual([]);
    expect(await knowledge.files.get(file.id)).not.toBeNull();
    await knowledge.attachFile(store.id, file.id);
    await knowledge.waitForIngestion();
    expect(knowledge.store.countChunks(store.id)).toBe(1);
    expect(await knowledge.files.delete(file.id)).toBe(true);
    expect(knowledge.store.countChunks(store.id)).toBe(0);
    expect(await knowledge.files.content(file.id)).toBeNull();
  });

  it('re-ingests files left in progress by a previous process', async () => {
    const store = await knowledge.vectorStores.create({ name: 'z' });
    const file = await knowledge.vectorStores.addFile(store.id, {
      fileName: 'a.md',
      bytes: markdown('# A\n\ngamma\n'),
    });
    await knowledge.close();
    database.prepare("UPDATE kb_store_files SET status = 'in_progress'").run();
    knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    await knowledge.waitForIngestion();
    expect(await knowledge.vectorStores.getFile(store.id, file.id)).toMatchObject({
      status: 'completed',
      chunkCount: 1,
    });
  });

  it("holds the stores' vectors after a restart before anyone searches, most recently searched first", async () => {
    const older = await knowledge.vectorStores.create({ name: 'older' });
    const recent = await knowledge.vectorStores.create({ name: 'recent' });
    for (const store of [older, recent])
      await knowledge.vectorStores.addFile(store.id, {
        fileName: 'a.md',
        bytes: markdown('# A\n\nalpha beta\n'),
      });
    await knowledge.waitForIngestion();
    await knowledge.close();
    database
      .prepare('UPDATE kb_vector_stores SET last_active_at = ? WHERE id = ?')
      .run('2026-01-01T00:00:00.000Z', older.id);
    const lastActive = () =>
      database.prepare('SELECT id, last_active_at FROM kb_vector_stores ORDER BY id').all();
    const before = lastActive();
    knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    expect(knowledge.vectors.layoutOf(recent.id)).toBeNull();
    expect(await knowledge.warmedUp).toEqual([recent.id, older.id]);
    expect(knowledge.vectors.layoutOf(recent.id)).toBe('rows');
    expect(knowledge.vectors.layoutOf(older.id)).toBe('rows');
    // A warm-up is not a use: the stores' activity (and so their expiry) is unchanged.
    expect(lastActive()).toEqual(before);
  });

  it('marks a file failed, instead of reading it again, once its ingestion was interrupted three times', async () => {
    const store = await knowledge.vectorStores.create({ name: 'loop' });
    const file = await knowledge.vectorStores.addFile(store.id, {
      fileName: 'a.md',
      bytes: markdown('# A\n\ndelta\n'),
    });
    await knowledge.waitForIngestion();
    await knowledge.close();
    // As a process killed while reading the file three times in a row leaves it.
    database.prepare("UPDATE kb_store_files SET status = 'in_progress', attempts = 3").run();
    knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    await knowledge.waitForIngestion();
    expect(await knowledge.vectorStores.getFile(store.id, file.id)).toMatchObject({
      status: 'failed',
      chunkCount: 0,
      lastError: { code: 'server_error', message: expect.stringMatching(/interrupted 3 times/) as unknown },
    });
    // Adding it again is a fresh start.
    await knowledge.attachFile(store.id, file.id);
    await knowledge.waitForIngestion();
    expect(await knowledge.vectorStores.getFile(store.id, file.id)).toMatchObject({ status: 'completed' });
  });
});
