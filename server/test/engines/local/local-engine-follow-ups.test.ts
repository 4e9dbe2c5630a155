import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineWithFiles, type FilesEngine } from '../../helpers/ask-local-engine.js';
import { isModelTestSkipped, testModelDir } from '../../helpers/embedding-model.js';

// Fastify's own documentation as its package ships it (the version package-lock.json pins),
// ingested for real with the in-process model, as an instance on its defaults runs: the pages a
// person asking about decorators and plugins would have.
const fastifyDoc = (path: string) =>
  readFileSync(new URL(`../../../../node_modules/fastify/docs/${path}`, import.meta.url));
const pages = [
  'Reference/Decorators.md',
  'Reference/Plugins.md',
  'Reference/Errors.md',
  'Reference/Hooks.md',
  'Reference/Server.md',
  'Guides/Plugins-Guide.md',
  'Guides/Getting-Started.md',
];

let files: FilesEngine;

describe.skipIf(isModelTestSkipped)('local engine follow-ups, with the in-process model', () => {
  beforeAll(async () => {
    files = await engineWithFiles(
      'Fastify docs',
      pages.map((path) => [path.split('/').pop() ?? path, fastifyDoc(path)] as const),
      { EMBEDDINGS: 'minilm', EMBEDDING_MODEL_DIR: testModelDir ?? '', EMBEDDING_MODEL_DOWNLOAD: 'false' },
    );
  }, 120_000);
  afterAll(() => files.close());

  it('answers a follow-up from the page the conversation cited, where its own words are', async () => {
    const thread = await files.newThread();
    const first = await files.askOn(
      thread,
      'How do I decorate the Fastify instance with a utility function?',
    );
    expect(first.citedFiles).toContain('Decorators.md');
    // Searched with the question it continues, "it already exists" found passages about
    // decorating (the plugin guide's utility, decorator errors); the entry is on the cited page.
    // On words alone `getDecorator` ("retrieve an existing decorator") would do: meaning picks.
    const followUp = await files.askOn(thread, 'How do I check whether it already exists?');
    expect(followUp.citedFiles).toContain('Decorators.md');
    expect(followUp.text).toContain('hasDecorator');
  });
});
