/** The vector stores and files a /v1 request body names, wherever the API lets it name them. */
export type KnowledgeReferences = { vectorStoreIds: string[]; fileIds: string[] };

// Free-form maps a client fills with anything; ids there refer to nothing.
const freeFormKeys = new Set(['metadata', 'attributes']);
const maxDepth = 8;

const strings = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.filter((item): item is string => typeof item === 'string')
      : [];

/**
 * Collects `vector_store_ids`, `file_ids` and `file_id` at any depth: tool resources on threads
 * and assistants (and a create-and-run's `thread`), message attachments, file batches, and a new
 * store's files. One walk covers fields the API grows later, so no route forgets a check.
 */
export function referencedKnowledge(body: unknown): KnowledgeReferences {
  const references: KnowledgeReferences = { vectorStoreIds: [], fileIds: [] };
  const visit = (value: unknown, depth: number): void => {
    if (depth > maxDepth || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      if (freeFormKeys.has(key)) continue;
      if (key === 'vector_store_ids') references.vectorStoreIds.push(...strings(child));
      else if (key === 'file_ids' || key === 'file_id') references.fileIds.push(...strings(child));
      else visit(child, depth + 1);
    }
  };
  visit(body, 0);
  return references;
}
