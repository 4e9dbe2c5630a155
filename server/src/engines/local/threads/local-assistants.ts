import type { Assistant } from '@threadline/shared';
import { AppError } from '../../../http/index.js';
import type { EngineStore } from '../store/engine-store.js';
import type { Page, PageQuery } from '../store/json-table.js';
import { foundOr404 } from '../store/not-found.js';
import { newAssistant } from '../runs/run-objects.js';

/** The assistant /chat runs use; it always exists, so a fresh install answers at once. */
export const defaultAssistantId = 'asst_threadline';

export type NewAssistantInput = Parameters<typeof newAssistant>[0];
export type AssistantChanges = Partial<Omit<Assistant, 'id' | 'object' | 'created_at'>>;

export class LocalAssistants {
  constructor(private readonly store: EngineStore) {}

  /** Seeds the built-in assistant on first start; later starts keep any edits made to it. */
  ensureDefault(model: string): void {
    if (this.store.assistants.get(defaultAssistantId)) return;
    this.store.assistants.insert(
      newAssistant({ id: defaultAssistantId, name: 'Threadline', model, tools: [{ type: 'file_search' }] }),
    );
  }

  create(input: NewAssistantInput, owner?: string): Assistant {
    const assistant = newAssistant(input);
    this.store.assistants.insert(assistant, undefined, owner);
    return assistant;
  }

  get(assistantId: string): Assistant {
    return foundOr404(this.store.assistants.get(assistantId), 'assistant', assistantId);
  }

  list(query: PageQuery, visibleTo?: string): Page<Assistant> {
    return this.store.assistants.list(null, query, visibleTo);
  }

  update(assistantId: string, changes: AssistantChanges): Assistant {
    const updated = { ...this.get(assistantId), ...changes };
    this.store.assistants.update(updated);
    return updated;
  }

  delete(assistantId: string): boolean {
    if (assistantId === defaultAssistantId) {
      throw new AppError('bad_request', 400, 'The built-in Threadline assistant cannot be deleted.');
    }
    return this.store.assistants.delete(assistantId);
  }
}
