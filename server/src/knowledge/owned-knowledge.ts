import type { Engine, FileApi, VectorStoreApi } from '../engines/index.js';
import { AppError } from '../http/index.js';
import type { KnowledgeOwners } from '../ownership/index.js';

/** The wording of a missing store everywhere (the local engine's and /v1's), so ids cannot be probed. */
export const hiddenVectorStore = (vectorStoreId: string) =>
  new AppError('not_found', 404, `No vector store found with id '${vectorStoreId}'.`);

export type OwnedKnowledge = {
  vectorStores: VectorStoreApi;
  files: FileApi;
  /** Throws the missing-store 404 for the first id the user may not use. */
  assertVectorStores(vectorStoreIds: readonly string[]): void;
};

/**
 * The engine's vector stores and files as `userId` sees them: lists hold only theirs, anyone
 * else's id behaves exactly like a missing one, and what they create is recorded as theirs.
 */
export function ownedKnowledge(engine: Engine, owners: KnowledgeOwners, userId: string): OwnedKnowledge {
  const stores = engine.vectorStores;
  const files = engine.files;
  const seesStore = (id: string) => owners.canSee('vector_store', id, userId);
  const seesFile = (id: string) => owners.canSee('file', id, userId);
  const requireStore = (id: string) => {
    if (!seesStore(id)) throw hiddenVectorStore(id);
  };

  const vectorStores: VectorStoreApi = {
    async create(input) {
      const created = await stores.create(input);
      owners.record('vector_store', created.id, userId);
      return created;
    },
    list: async () => (await stores.list()).filter((store) => seesStore(store.id)),
    get: async (id) => (seesStore(id) ? stores.get(id) : null),
    async delete(id) {
      if (!seesStore(id)) return false;
      const isDeleted = await stores.delete(id);
      if (isDeleted) owners.forget('vector_store', id);
      return isDeleted;
    },
    async addFile(id, file) {
      requireStore(id);
      const added = await stores.addFile(id, file);
      owners.record('file', added.id, userId);
      return added;
    },
    listFiles: async (id) => (seesStore(id) ? stores.listFiles(id) : []),
    getFile: async (id, fileId) => (seesStore(id) ? stores.getFile(id, fileId) : null),
    removeFile: async (id, fileId) => seesStore(id) && stores.removeFile(id, fileId),
    search: async (ids, request) => stores.search(ids.filter(seesStore), request),
  };

  const ownFiles: FileApi = {
    list: async () => (await files.list()).filter((file) => seesFile(file.id)),
    get: async (id) => (seesFile(id) ? files.get(id) : null),
    content: async (id) => (seesFile(id) ? files.content(id) : null),
    async delete(id) {
      if (!seesFile(id)) return false;
      const isDeleted = await files.delete(id);
      if (isDeleted) owners.forget('file', id);
      return isDeleted;
    },
  };

  return {
    vectorStores,
    files: ownFiles,
    assertVectorStores(ids) {
      for (const id of ids) requireStore(id);
    },
  };
}
