import type { Assistant } from '@threadline/shared';
import { actAs, localUserId } from '../../../common/index.js';
import { AppError } from '../../../http/index.js';
import type { EngineState } from '../store/engine-state.js';
import type { Page, PageQuery } from '../store/json-table.js';
import { foundOr404 } from '../store/not-found.js';
import { newAssistant } from '../runs/run-objects.js';

/** The assistant /chat runs use; it always exists, so a fresh install answers at once. */
export const defaultAssistantId = 'asst_threadline';

export type NewAssistantInput = Parameters<typeof newAssistant>[0];
export type AssistantChanges = Partial<Omit<Assistant, 'id' | 'object' | 'created_at'>>;

export class LocalAssistants {
  constructor(private readonly store: EngineState) {}

  /** Seeds the built-in assistant on first start; later starts keep any edits made to it. */
  async ensureDefault(model: string): Promise<void> {
    // Start-up work, whoever's request started the engine: acting for the local user, who may
    // write a row with no owner (the built-in assistant is everyone's).
    await actAs(localUserId, async () => {
      if (await this.store.assistants.get(defaultAssistantId)) return;
      try {
        await this.store.assistants.insert(
          newAssistant({
            id: defaultAssistantId,
            name: 'Threadline',
            model,
            tools: [{ type: 'file_search' }],
          }),
          undefined,
          null,
        );
      } catch (error) {
        // Another instance starting at the same moment (one shared database) made it first.
        if (!(await this.store.assistants.get(defaultAssistantId))) throw error;
      }
    });
  }

  async create(input: NewAssistantInput, owner?: string): Promise<Assistant> {
    const assistant = newAssistant(input);
    await this.store.assistants.insert(assistant, undefined, owner);
    return assistant;
  }

  async get(assistantId: string): Promise<Assistant> {
    return foundOr404(await this.store.assistants.get(assistantId), 'assistant', assistantId);
  }

  list(query: PageQuery, visibleTo?: string): Promise<Page<Assistant>> {
    return this.store.assistants.list(null, query, visibleTo);
  }

  async update(assistantId: string, changes: AssistantChanges): Promise<Assistant> {
    const updated = { ...(await this.get(assistantId)), ...changes };
    await this.store.assistants.update(updated);
    return updated;
  }

  async delete(assistantId: string): Promise<boolean> {
    if (assistantId === defaultAssistantId) {
      throw new AppError('bad_request', 400, 'The built-in Threadline assistant cannot be deleted.');
    }
    return this.store.assistants.delete(assistantId);
  }
}
