import { apiPaths, defaultKnowledgeBaseSchema } from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { sampleDocumentPaths, sampleStoreName } from '../../src/knowledge/sample-knowledge-base.js';
import { testConfig } from '../helpers/test-config.js';

const alice = { authorization: 'Bearer token-alice-1' };

/**
 * Provisioning a user's sample under the claim: an instance that died holding it (its claim left
 * to lapse, its store half loaded) is taken over, and the second loader finishes the same store.
 */
describe('default stores: a claim whose holder died', () => {
  const config = testConfig({ DEFAULT_KNOWLEDGE_BASE: 'sample', AUTH_TOKENS: 'token-alice-1=alice' });
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(config, { logger: false });
  });
  afterAll(async () => {
    await app.close();
    config.cleanup();
  });

  it('is taken over once it lapses, and the half-loaded store is completed, not copied', async () => {
    // The dead instance: it claimed alice's provisioning for 1.5 s and loaded one file.
    expect(await app.ownership.defaultStores.claim('alice', 'dead-instance', 1_500)).toBe(true);
    const { vectorStores } = app.knowledgeFor('alice');
    const partial = await vectorStores.create({ name: sampleStoreName });
    await vectorStores.addFile(partial.id, {
      fileName: 'README.md',
      bytes: Buffer.from('# Threadline\n\nA partial load.\n'),
      contentType: 'text/markdown',
    });

    const started = performance.now();
    const response = await app.inject({ url: apiPaths.defaultKnowledgeBase, headers: alice });
    const waited = performance.now() - started;
    expect(response.statusCode).toBe(200);
    const stores = defaultKnowledgeBaseSchema.parse(response.json()).vectorStores;
    expect(stores.map((store) => store.id)).toEqual([partial.id]);
    // It waited for the claim rather than loading a second copy at once.
    expect(waited).toBeGreaterThan(1_000);
    const files = await vectorStores.listFiles(partial.id);
    expect(files).toHaveLength((await sampleDocumentPaths()).length);
    expect(new Set(files.map((file) => file.fileName)).size).toBe(files.length);
    expect((await vectorStores.list()).filter((store) => store.name === sampleStoreName)).toHaveLength(1);
    // Released after loading: free for the next holder.
    expect(await app.ownership.defaultStores.claim('alice', 'next', 1_000)).toBe(true);
  });
});
