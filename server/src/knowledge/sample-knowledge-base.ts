import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  isSampleKnowledgeBaseName,
  sampleKnowledgeBaseName,
  type KnowledgeFile,
  type VectorStoreSummary,
} from '@threadline/shared';
import type { VectorStoreApi } from '../engines/index.js';

export const sampleStoreName = sampleKnowledgeBaseName;
export const defaultRepoRoot = fileURLToPath(new URL('../../../', import.meta.url));

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
 * A store over Threadline's own docs in `vectorStores` (one user's view): reuses the store named
 * like the sample and adds only the files it lacks, so calling it again is harmless.
 */
export async function loadSampleKnowledgeBase(
  vectorStores: VectorStoreApi,
  repoRoot = defaultRepoRoot,
): Promise<{ vectorStore: VectorStoreSummary; files: KnowledgeFile[] }> {
  const existing = (await vectorStores.list()).find((store) => isSampleKnowledgeBaseName(store.name));
  const store = existing ?? (await vectorStores.create({ name: sampleStoreName }));
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
}
