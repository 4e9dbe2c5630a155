import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';

/**
 * A real configuration over a fresh temp data dir; `cleanup` removes it. Suites run on the
 * hashed embeddings (instant, no model file) unless they ask for `EMBEDDINGS` themselves, and with
 * no default knowledge base (nothing ingested behind their backs) unless they ask for the sample.
 */
export function testConfig(environment: Record<string, string> = {}): Config & { cleanup: () => void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-test-'));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    EMBEDDINGS: 'hash',
    DEFAULT_KNOWLEDGE_BASE: 'none',
    ...environment,
  });
  return Object.assign(config, { cleanup: () => rmSync(dataDir, { recursive: true, force: true }) });
}
