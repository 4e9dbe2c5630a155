import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../sqlite/index.js';
import { createBackgroundCheckpointer } from './background-checkpointer.js';

let dataDir = '';
let database: SqliteDatabase | undefined;
afterEach(() => {
  database?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function openWithWal(): SqliteDatabase {
  dataDir = mkdtempSync(join(tmpdir(), 'threadline-checkpointer-'));
  const opened = openDatabase(dataDir);
  opened.pragma('wal_autocheckpoint = 0');
  opened.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  const insert = opened.prepare('INSERT INTO rows (text) VALUES (?)');
  for (let index = 0; index < 200; index += 1) insert.run('x'.repeat(1000));
  return opened;
}

describe('createBackgroundCheckpointer', () => {
  it('folds the WAL into the database file from a worker while the main connection keeps writing', async () => {
    database = openWithWal();
    const file = join(dataDir, 'threadline.db');
    const before = statSync(file).size;
    const errors: string[] = [];
    const checkpointer = createBackgroundCheckpointer(file, (message) => errors.push(message));
    checkpointer.request();
    checkpointer.request(); // one already running: ignored, not queued twice
    database.prepare('INSERT INTO rows (text) VALUES (?)').run('written during the checkpoint');
    await checkpointer.close();
    expect(errors).toEqual([]);
    expect(statSync(file).size).toBeGreaterThan(before + 100 * 1000);
    expect(database.prepare('SELECT COUNT(*) AS count FROM rows').get()).toEqual({ count: 201 });
  });

  it('checkpoints on its own clock, with no request from the main thread', async () => {
    database = openWithWal();
    const file = join(dataDir, 'threadline.db');
    const before = statSync(file).size;
    const checkpointer = createBackgroundCheckpointer(file, () => {}, { intervalMs: 20 });
    const started = Date.now();
    while (statSync(file).size <= before + 100 * 1000 && Date.now() - started < 5000)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await checkpointer.close();
    expect(statSync(file).size).toBeGreaterThan(before + 100 * 1000);
  });

  it('truncates a WAL grown past the bound once the database is idle, and not while it is written', async () => {
    database = openWithWal();
    const file = join(dataDir, 'threadline.db');
    const wal = `${file}-wal`;
    const insert = database.prepare('INSERT INTO rows (text) VALUES (?)');
    for (let index = 0; index < 2000; index += 1) insert.run('y'.repeat(1000));
    expect(statSync(wal).size).toBeGreaterThan(1024 * 1024);
    const checkpointer = createBackgroundCheckpointer(file, () => {}, {
      intervalMs: 20,
      truncateAboveBytes: 256 * 1024,
    });
    // Busy: writes without a pause (the worker ticks meanwhile) keep the WAL from being truncated.
    const busyUntil = Date.now() + 300;
    while (Date.now() < busyUntil) insert.run('z');
    expect(statSync(wal).size).toBeGreaterThan(1024 * 1024);
    // Idle: truncated within a few periods.
    const started = Date.now();
    while (statSync(wal).size > 0 && Date.now() - started < 5000)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await checkpointer.close();
    expect(statSync(wal).size).toBe(0);
    // Nothing written was lost to the truncation.
    const { count } = database.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM rows').get() ?? {
      count: 0,
    };
    expect(count).toBeGreaterThan(2200);
  });

  it('reports a file it cannot open instead of throwing, and closes cleanly', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-checkpointer-'));
    const errors: string[] = [];
    const checkpointer = createBackgroundCheckpointer(join(dataDir, 'missing.db'), (message) =>
      errors.push(message),
    );
    checkpointer.request();
    await checkpointer.close();
    expect(errors.join()).toMatch(/missing\.db|unable to open|does not exist/i);
  });

  it('keeps a process that has nothing else to do alive until its worker has closed', () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-checkpointer-'));
    const module = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
    // An unreferenced worker let such a process end mid-close (exit code 13: a top-level await
    // never settled), so whatever its shutdown had left to do after that never ran.
    const script = `
      const { statSync } = await import('node:fs');
      const { openDatabase } = await import(${module('../../sqlite/database.ts')});
      const { createBackgroundCheckpointer } = await import(${module('./background-checkpointer.ts')});
      const database = openDatabase(${JSON.stringify(dataDir)});
      database.pragma('wal_autocheckpoint = 0');
      database.exec('CREATE TABLE rows (text TEXT)');
      database.prepare('INSERT INTO rows VALUES (?)').run('x'.repeat(100000));
      const before = statSync(database.name).size;
      const checkpointer = createBackgroundCheckpointer(database.name, () => {}, { intervalMs: 20 });
      // Once the worker has checkpointed, it is up and running.
      while (statSync(database.name).size <= before) await new Promise((resolve) => setTimeout(resolve, 10));
      await checkpointer.close();
      database.close();
      process.stdout.write('closed');
    `;
    const scriptFile = join(dataDir, 'close-and-exit.mjs');
    writeFileSync(scriptFile, script);
    const output = execFileSync(process.execPath, ['--import', 'tsx', scriptFile], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(output).toBe('closed');
  });
});
