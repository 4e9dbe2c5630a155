import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../src/sqlite/database.js';
import {
  createKnowledgeBase,
  type KnowledgeBase,
} from '../../../src/engines/local/knowledge/knowledge-base.js';
import { LocalEngine } from '../../../src/engines/local/local-engine.js';
import { askLocalEngine } from '../../helpers/ask-local-engine.js';
import { testConfig } from '../../helpers/test-config.js';

// Manuals made by other tools than groff and python-docx (scripts/bench/own-files/README.md):
// valgrind's DocBook XSL page as shipped, its Memcheck chapter printed to PDF by Chromium (date,
// title, address and "n/N" on every page), the Debian Python policy written as Word by pandoc.
const manual = (name: string) =>
  readFileSync(new URL(`../../../../scripts/bench/own-files/manuals/${name}`, import.meta.url));
const files = ['manual-core.html', 'mc-manual.pdf', 'python-policy.docx'];

let engine: LocalEngine<KnowledgeBase>;
let database: SqliteDatabase;
let storeId = '';
let cleanup: () => void = () => {};
const fileNames = new Map<string, string>();

/** Every chunk's text, file by file, as the index holds it. */
function chunksOf(fileName: string): string {
  const fileId = [...fileNames].find(([, name]) => name === fileName)?.[0];
  const rows = database
    .prepare('SELECT text FROM kb_chunks WHERE file_id = ? ORDER BY ordinal')
    .all(fileId) as Array<{ text: string }>;
  return rows.map((row) => row.text).join('\n\n');
}

const ask = (question: string) => askLocalEngine(engine, storeId, question, fileNames);

describe('local engine reads manuals made by DocBook, a browser and pandoc', () => {
  beforeAll(async () => {
    const config = testConfig();
    cleanup = config.cleanup;
    database = openDatabase(config.DATA_DIR);
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    engine = new LocalEngine({ database, knowledge, config, ownsDatabase: true });
    const store = await knowledge.vectorStores.create({ name: 'Manuals' });
    storeId = store.id;
    for (const fileName of files) {
      const file = await knowledge.vectorStores.addFile(store.id, { fileName, bytes: manual(fileName) });
      fileNames.set(file.id, fileName);
    }
    await knowledge.waitForIngestion(store.id);
  }, 120_000);
  afterAll(async () => {
    await engine.close();
    cleanup();
  });

  it('indexes a DocBook page without its navigation tables or contents list', () => {
    const text = chunksOf('manual-core.html');
    expect(text).toContain('--log-file=<filename>');
    // The navigation footer's links and the chapter's contents (section titles as bold lines).
    expect(text).not.toMatch(
      /<< 1\. Introduction|\| Up \||Table of Contents|\*\*2\.7\.1\. Tool-selection Option\*\*/,
    );
  });

  it("indexes a browser's PDF without its print header, contents list or reports read as terms", () => {
    const text = chunksOf('mc-manual.pdf');
    expect(text).not.toMatch(/file:\/\/\/|\d+\/\d+\/\d+, \d+:\d+ [AP]M|Table of Contents/);
    expect(text).toContain(
      'Conditional jump or move depends on uninitialised value(s)\n   at 0x402DFA94: _IO_vfprintf (_itoa.h:49)',
    );
    expect(text).not.toContain('**Address 0x3807F7B4');
  });

  it("indexes pandoc's Word code blocks line by line", () => {
    expect(chunksOf('python-policy.docx')).toContain(
      'X-Python3-Version: >= X.Y\nX-Python3-Version: >= A.B, << X.Y\nXS-Python-Version: A.B, X.Y',
    );
  });

  it('answers from each of them', async () => {
    const exitCode = await ask('How do I make Valgrind exit with a non-zero status when it finds errors?');
    expect(exitCode.text).toContain('--error-exitcode');
    expect(exitCode.citedFiles.length).toBeGreaterThan(0);
    const fill = await ask('How do I fill newly allocated memory with a particular byte?');
    expect(fill.text).toContain('--malloc-fill');
    expect(fill.citedFiles).toContain('mc-manual.pdf');
    const modules = await ask('Where must public Python 3 modules be installed?');
    expect(modules.text).toContain('/usr/lib/python3/dist-packages');
    expect(modules.citedFiles).toContain('python-policy.docx');
  });
});
