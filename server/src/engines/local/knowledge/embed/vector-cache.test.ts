import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../../sqlite/index.js';
import { KnowledgeStore } from '../knowledge-store.js';
import { migrateKnowledgeBase } from '../knowledge-schema.js';
import { embedLocally } from './local-embedding.js';
import { VectorCache } from './vector-cache.js';

describe('VectorCache', () => {
  let dataDir: string;
  let database: SqliteDatabase;
  let store: KnowledgeStore;
  let chunkNumber = 0;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-vector-cache-'));
    database = openDatabase(dataDir);
    migrateKnowledgeBase(database);
    store = new KnowledgeStore(database);
  });
  afterEach(() => {
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Disjoint vocabularies: a query in one file's words ranks that file's chunks first.
  const vocabulary: Record<string, string[]> = {
    alpha: ['rebase', 'merge', 'stash', 'commit', 'branch'],
    beta: ['remote', 'tag', 'diff', 'log', 'reset'],
  };

  /** A store with files of `texts`, one chunk per text; returns the chunk rowids by text. */
  function addStore(
    name: string,
    files: Record<string, string[]>,
    embed: (text: string) => Float32Array = embedLocally,
  ): { id: string; rowids: Map<string, number> } {
    const id = `vs_${name}`;
    store.insertVectorStore({
      id,
      name,
      chunking: { maxChunkSizeTokens: 800, chunkOverlapTokens: 400 },
      metadata: {},
      expiresAfter: null,
    });
    for (const [fileId, texts] of Object.entries(files)) {
      if (!store.getFile(fileId))
        store.insertFile({ id: fileId, fileName: `${fileId}.md`, bytes: 1, purpose: 'assistants' });
      store.upsertStoreFile(id, fileId);
      const chunks = texts.map((text) => ({
        text,
        embeddingText: text,
        embeddingContext: '',
        documentSummary: '',
        start: 0,
        end: text.length,
        index: { title: '', headings: '', body: text },
      }));
      store.completeIngestion(
        id,
        fileId,
        chunks,
        texts.map((text) => embed(text)),
        'local',
        () => `chunk_${chunkNumber++}`,
      );
    }
    const rowids = new Map(
      database
        .prepare<[string], { rowid: number; text: string }>(
          'SELECT rowid, text FROM kb_chunks WHERE vector_store_id = ?',
        )
        .all(id)
        .map((row) => [row.text, row.rowid]),
    );
    return { id, rowids };
  }

  const texts = (prefix: 'alpha' | 'beta', count: number) =>
    Array.from({ length: count }, (_, index) => {
      const words = vocabulary[prefix] ?? [];
      const word = (position: number) => words[Math.floor(index / 5 ** position) % 5] ?? '';
      return `${prefix} ${word(0)} ${word(1)} ${word(2)}`;
    });

  it.each([
    { name: 'below the threshold: row scan', threshold: 1000, layout: 'rows' },
    { name: 'at the threshold: column index', threshold: 40, layout: 'columns' },
  ])('$name gives the same ranking', ({ threshold, layout }) => {
    const { id } = addStore('docs', { 'file-a': texts('alpha', 25), 'file-b': texts('beta', 15) });
    const reference = new VectorCache(database, { columnIndexMinChunks: Number.POSITIVE_INFINITY });
    const cache = new VectorCache(database, { columnIndexMinChunks: threshold });
    for (const query of ['rebase branch', 'alpha stash commit', 'beta diff', 'merge log']) {
      const vector = embedLocally(query);
      expect(cache.nearest([id], vector, 10)).toEqual(reference.nearest([id], vector, 10));
    }
    expect(cache.layoutOf(id)).toBe(layout);
    expect(reference.layoutOf(id)).toBe('rows');
  });

  it('ranks vectors the SIMD kernel cannot step through (12 dimensions) by the JavaScript scan, exactly', () => {
    // The first 12 dimensions of the local embedding: not a multiple of 8, so no WebAssembly rows.
    const short = (text: string) => embedLocally(text).slice(0, 12);
    const { id, rowids } = addStore(
      'short',
      { 'file-a': texts('alpha', 20), 'file-b': texts('beta', 20) },
      short,
    );
    const cache = new VectorCache(database, { columnIndexMinChunks: Number.POSITIVE_INFINITY });
    for (const query of ['rebase branch', 'beta diff', 'merge log']) {
      const vector = short(query);
      const dot = (text: string) =>
        short(text).reduce((sum, value, index) => sum + value * (vector[index] ?? 0), 0);
      const expected = [...rowids]
        .map(([text, rowid]) => ({ rowid, score: dot(text) }))
        .filter((entry) => entry.score > 0)
        .sort((left, right) => right.score - left.score)
        .slice(0, 5);
      const got = cache.nearest([id], vector, 5);
      expect(got).toHaveLength(expected.length);
      // Same scores in the same order (ties may list either row first).
      expect(got.map((rowid) => dot([...rowids].find(([, other]) => other === rowid)?.[0] ?? ''))).toEqual(
        expected.map((entry): unknown => expect.closeTo(entry.score, 5)),
      );
    }
    expect(cache.layoutOf(id)).toBe('rows');
  });

  it.each([16, 12])(
    'a chunk with several vectors (windows) ranks by its best one, as an exact scan says (%i dimensions)',
    (dimensions) => {
      // 16: the SIMD rows; 12: the JavaScript scan. Each chunk has 1–4 random unit windows.
      let state = dimensions;
      const random = () => {
        state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
        return state / 2 ** 32 - 0.5;
      };
      const unit = () => {
        const vector = Float32Array.from({ length: dimensions }, random);
        const norm = Math.hypot(...vector);
        return vector.map((value) => value / norm);
      };
      const windows = new Map<string, Float32Array[]>();
      const embed = (text: string) => {
        const own = Array.from({ length: 1 + (text.length % 4) }, unit);
        windows.set(text, own);
        return Float32Array.from(own.flatMap((vector) => [...vector]));
      };
      const { id, rowids } = addStore(
        'windows',
        { 'file-a': texts('alpha', 30), 'file-b': texts('beta', 30) },
        embed,
      );
      // Above the column-index threshold, but dense queries keep the rows (the SIMD scan).
      const cache = new VectorCache(database, { columnIndexMinChunks: 1 });
      for (let round = 0; round < 5; round += 1) {
        const query = unit();
        const dot = (vector: Float32Array) =>
          vector.reduce((sum, value, index) => sum + value * (query[index] ?? 0), 0);
        const expected = [...rowids]
          .map(([text, rowid]) => ({ rowid, score: Math.max(...(windows.get(text) ?? []).map(dot)) }))
          .filter((entry) => entry.score > 0)
          .sort((left, right) => right.score - left.score)
          .slice(0, 8)
          .map((entry) => entry.rowid);
        expect(cache.nearest([id], query, 8, 'local')).toEqual(expected);
      }
      expect(cache.layoutOf(id)).toBe('rows');
    },
  );

  it.each([{ threshold: 1 }, { threshold: 1000 }])(
    'searches only the requested stores and merges several (threshold $threshold)',
    ({ threshold }) => {
      const first = addStore('first', { 'file-a': texts('alpha', 30) });
      const second = addStore('second', { 'file-b': texts('beta', 30) });
      const cache = new VectorCache(database, { columnIndexMinChunks: threshold });
      const query = embedLocally('beta remote tag');
      const firstIds = new Set(first.rowids.values());
      const secondIds = new Set(second.rowids.values());
      expect(cache.nearest([first.id], query, 50).every((rowid) => firstIds.has(rowid))).toBe(true);
      const both = cache.nearest([first.id, second.id, second.id], query, 50);
      expect(new Set(both).size).toBe(both.length);
      // Every `beta` chunk outranks every `alpha` one for a query that says beta.
      expect(both.slice(0, 30).every((rowid) => secondIds.has(rowid))).toBe(true);
      expect(both.some((rowid) => firstIds.has(rowid))).toBe(true);
    },
  );

  it.each([{ threshold: 1 }, { threshold: 1000 }])(
    'drops a detached file after invalidation (threshold $threshold)',
    ({ threshold }) => {
      const { id, rowids } = addStore('docs', { 'file-a': texts('alpha', 20), 'file-b': texts('beta', 20) });
      const cache = new VectorCache(database, { columnIndexMinChunks: threshold });
      const query = embedLocally('beta diff merge');
      const betaIds = new Set(
        [...rowids].filter(([text]) => text.startsWith('beta')).map(([, rowid]) => rowid),
      );
      expect(cache.nearest([id], query, 5).some((rowid) => betaIds.has(rowid))).toBe(true);
      store.detachFile(id, 'file-b');
      cache.invalidate(id);
      const after = cache.nearest([id], query, 40);
      expect(after.length).toBeGreaterThan(0);
      expect(after.some((rowid) => betaIds.has(rowid))).toBe(false);
    },
  );

  it.each([{ threshold: 1 }, { threshold: 1000 }])(
    'vectors appended for chunks that had none rank as a fresh load does (threshold $threshold)',
    ({ threshold }) => {
      const { id, rowids } = addStore('docs', { 'file-a': texts('alpha', 25), 'file-b': texts('beta', 25) });
      // The beta chunks' vectors are still pending (the background lane has not reached them).
      const beta = [...rowids].filter(([text]) => text.startsWith('beta'));
      const clear = database.prepare(
        "UPDATE kb_chunks SET embedding = x'', embedding_model = '' WHERE rowid = ?",
      );
      for (const [, rowid] of beta) clear.run(rowid);
      const cache = new VectorCache(database, { columnIndexMinChunks: threshold });
      const query = embedLocally('beta diff reset');
      const betaIds = new Set(beta.map(([, rowid]) => rowid));
      expect(cache.nearest([id], query, 10, 'local').some((rowid) => betaIds.has(rowid))).toBe(false);
      // Written in two slices, each appended as the ingestion queue does after its write;
      // a chunk with two vectors (windows) scores as its best one.
      for (const part of [beta.slice(0, 10), beta.slice(10)]) {
        const written = part.map(([text, rowid], index) => ({
          rowid,
          embedding:
            index === 0
              ? Float32Array.from([...embedLocally('unrelated words'), ...embedLocally(text)])
              : embedLocally(text),
        }));
        store.updateEmbeddings(written, 'local');
        cache.append(id, 'local', written);
      }
      const fresh = new VectorCache(database, { columnIndexMinChunks: threshold });
      for (const text of ['beta diff reset', 'alpha merge', 'beta remote tag log']) {
        const vector = embedLocally(text);
        expect(cache.nearest([id], vector, 12, 'local')).toEqual(fresh.nearest([id], vector, 12, 'local'));
      }
      expect(cache.nearest([id], query, 10, 'local').every((rowid) => betaIds.has(rowid))).toBe(true);
    },
  );
});
