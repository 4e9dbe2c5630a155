import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  apiPaths,
  errorBodySchema,
  sampleKnowledgeBaseSchema,
  type VectorStoreSummary,
} from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

export const sampleStoreName = 'Threadline documentation';
const defaultRepoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** The project's own documentation: README.md, QUICK_START.md and every docs/**\/*.md that exists. */
export async function sampleDocumentPaths(repoRoot = defaultRepoRoot): Promise<string[]> {
  const paths = ['README.md', 'QUICK_START.md']
    .map((name) => join(repoRoot, name))
    .filter((path) => existsSync(path));
  const docsDir = join(repoRoot, 'docs');
  if (existsSync(docsDir)) {
    const entries = await readdir(docsDir, { recursive: true, withFileTypes: true });
    const docs = entries
      .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.md'))
      .map((entry) => resolve(entry.parentPath, entry.name))
      .sort();
    paths.push(...docs);
  }
  return paths;
}

/**
 * `POST /knowledge/sample`: a ready-made knowledge base over Threadline's own docs, so a new
 * install has something to ask about. Idempotent: reuses the store and skips files already in it.
 */
export const sampleKnowledgeRoutes: FastifyPluginAsyncZod<{ repoRoot?: string }> = async (app, options) => {
  const repoRoot = options.repoRoot ?? defaultRepoRoot;
  app.post(
    apiPaths.sampleKnowledgeBase,
    {
      schema: {
        tags: ['knowledge'],
        summary: 'Create (or reuse) a vector store over Threadline’s own documentation',
        response: { 200: sampleKnowledgeBaseSchema, 401: errorBodySchema },
      },
    },
    async (request) => {
      // Per user: each gets their own copy, like anything else they create.
      const { vectorStores } = app.knowledgeFor(request.userId);
      const existing = (await vectorStores.list()).find((store) => store.name === sampleStoreName);
      const store: VectorStoreSummary = existing ?? (await vectorStores.create({ name: sampleStoreName }));
      const present = new Set(
        (await vectorStores.listFiles(store.id))
          .filter((file) => file.status !== 'failed')
          .map((file) => file.fileName),
      );
      for (const path of await sampleDocumentPaths(repoRoot)) {
        const fileName = relative(repoRoot, path).split('\\').join('/');
        if (present.has(fileName)) continue;
        await vectorStores.addFile(store.id, {
          fileName,
          bytes: await readFile(path),
          contentType: 'text/markdown',
        });
      }
      return {
        vectorStore: (await vectorStores.get(store.id)) ?? store,
        files: await vectorStores.listFiles(store.id),
      };
    },
  );
};
