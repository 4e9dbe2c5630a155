import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import featureBoundaries from '../../../eslint-rules/feature-boundaries.js';

const sourceRoot = fileURLToPath(new URL('../../src/', import.meta.url));
const eslint = new ESLint({
  overrideConfigFile: true,
  overrideConfig: {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { threadline: featureBoundaries },
    rules: { 'threadline/feature-boundaries': 'error' },
  },
});

/** The rule's messages for `code` as if it were the file at `path` under server/src. */
async function problems(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(sourceRoot, path) });
  return (result?.messages ?? []).map((message) => message.message);
}

describe('threadline/feature-boundaries', () => {
  it.each([
    [
      'a route importing the engine interface through its entry',
      'routes/v1/x.ts',
      "import type { Engine } from '../../engines/index.js';",
    ],
    [
      'a feature importing its own files',
      'knowledge/x.ts',
      "import { ownedKnowledge } from './owned-knowledge.js';",
    ],
    [
      'a sub-engine importing its enclosing feature',
      'engines/local/x.ts',
      "import type { Engine } from '../engine.js';",
    ],
    [
      'the conversations service importing run logs',
      'conversations/x.ts',
      "import { deliverRun } from '../run-logs/index.js';",
    ],
    [
      'the local engine importing the shared engine database through its entry',
      'engines/local/store/x.ts',
      "import { openPostgres } from '../../../postgres/index.js';",
    ],
    [
      'anyone importing config',
      'engines/local/runs/x.ts',
      "import type { Config } from '../../../config.js';",
    ],
  ])('allows %s', async (_name, path, code) => {
    expect(await problems(path, code)).toEqual([]);
  });

  it.each([
    [
      'a route reaching into the local engine',
      'routes/v1/x.ts',
      "import { LocalEngine } from '../../engines/local/local-engine.js';",
      /through its feature's entry: 'engines\/index.ts'/,
    ],
    [
      'a route importing another route folder',
      'routes/chat/x.ts',
      "import { legacyRoutes } from '../legacy/index.js';",
      /'routes\/chat' \(layer 8\) may not import 'routes\/legacy' \(layer 8\)/,
    ],
    [
      'errors importing a route',
      'http/errors/x.ts',
      "import { v1Routes } from '../../routes/v1/index.js';",
      /'http' \(layer 1\) may not import 'routes\/v1'/,
    ],
    [
      'run logs importing the chat service',
      'run-logs/x.ts',
      "import { chatPlugin } from '../conversations/index.js';",
      /'run-logs' \(layer 5\) may not import 'conversations'/,
    ],
    [
      'one engine importing another’s files',
      'engines/assistants/x.ts',
      "import { OpenAIEngine } from '../openai/openai-engine.js';",
      /through its feature's entry: 'engines\/openai\/index.ts'/,
    ],
    [
      'an engine importing a sibling engine’s entry',
      'engines/assistants/x.ts',
      "import { OpenAIEngine } from '../openai/index.js';",
      /'engines\/assistants' \(layer 3\) may not import 'engines\/openai' \(layer 3\)/,
    ],
  ])('refuses %s', async (_name, path, code, expected) => {
    const found = await problems(path, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(expected);
  });

  it('leaves files outside server/src alone (tests and scripts may read internals)', async () => {
    const [result] = await eslint.lintText(
      "import { LocalEngine } from '../src/engines/local/local-engine.js';",
      {
        filePath: join(sourceRoot, '../test/x.test.ts'),
      },
    );
    expect(result?.messages).toEqual([]);
  });
});
