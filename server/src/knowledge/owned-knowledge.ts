import type { Engine, FileApi, VectorStoreApi } from '../engines/index.js';
import { AppError } from '../http/index.js';
import type { Ownership } from '../ownership/index.js';

/** The wording of a missing store everywhere (the local engine's and /v1's), so ids cannot be probed. */
export const hiddenVectorStore = (vectorStoreId: string) =>
  new AppError('not_found', 404, `No vector store found with id '${vectorStoreId}'.`);

export type OwnedKnowledge = {
  vectorStores: VectorStoreApi;
  files: FileApi;
  /** Throws the missing-store 404 for the first id the user may not use. */
  assertVectorStores(vectorStoreIds: readonly string[]): Promise<void>;
};

/**
 * The engine's vector stores and files as `userId` sees them: lists hold only theirs, anyone
 * else's id behaves exactly like a missing one, and what they create is recorded as theirs.
 */
export function ownedKnowledge(engine: Engine, ownership: Ownership, userId: string): OwnedKnowledge {
  const stores = engine.vectorStores;
  const files = engine.files;
  const seesStore = (id: string) => ownership.canSee('vector_store', id, userId);
  const seesFile = (id: string) => ownership.canSee('file', id, userId);
  const requireStore = async (id: string) => {
    if (!(await seesStore(id))) throw hiddenVectorStore(id);
  };
  const onlyVisible = async <T extends { id: string }>(kind: 'vector_store' | 'file', items: T[]) => {
    const visible = new Set(
      await ownership.visible(
        kind,
        items.map((item) => item.id),
        userId,
      ),
    );
    return items.filter((item) => visible.has(item.id));
  };

  const vectorStores: VectorStoreApi = {
    async create(input) {
      const created = await stores.create(input);
      await ownership.record('vector_store', created.id, userId);
      return created;
    },
    list: async () => onlyVisible('vector_store', await stores.list()),
    get: async (id) => ((await seesStore(id)) ? stores.get(id) : null),
    async delete(id) {
      if (!(await seesStore(id))) return false;
      const isDeleted = await stores.delete(id);
      if (isDeleted) await ownership.forget('vector_store', id);
      return isDeleted;
    },
    async addFile(id, file) {
      await requireStore(id);
      const added = await stores.addFile(id, file);
      await ownership.record('file', added.id, userId);
      return added;
    },
    listFiles: async (id) => ((await seesStore(id)) ? stores.listFiles(id) : []),
    getFile: async (id, fileId) => ((await seesStore(id)) ? stores.getFile(id, fileId) : null),
    removeFile: async (id, fileId) => (await seesStore(id)) && stores.removeFile(id, fileId),
    search: async (ids, request) =>
      stores.search(await ownership.visible('vector_store', ids, userId), request),
  };

  const ownFiles: FileApi = {
    list: async () => onlyVisible('file', await files.list()),
    get: async (id) => ((await seesFile(id)) ? files.get(id) : null),
    content: async (id) => ((await seesFile(id)) ? files.content(id) : null),
    async delete(id) {
      if (!(await seesFile(id))) return false;
      const isDeleted = await files.delete(id);
      if (isDeleted) await ownership.forget('file', id);
      return isDeleted;
    },
  };

  return {
    vectorStores,
    files: ownFiles,
    async assertVectorStores(ids) {
      // In order: the 404 names the first id the user may not use.
      for (const id of ids) await requireStore(id);
    },
  };
}
