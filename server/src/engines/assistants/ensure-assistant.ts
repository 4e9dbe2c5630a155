import type { ModelInfo } from '@threadline/shared';
import type OpenAI from 'openai';
import { chooseAssistantModel, isBetterChoice, type AssistantModelChoice } from './assistant-model.js';

/** Marks the assistant Threadline made, so a restart reuses it instead of making another. */
export const threadlineAssistantMetadata = { threadline: 'default' } as const;

/** The assistant runs use, and the model it answers with. */
export type ResolvedAssistant = {
  id: string;
  model: string;
  reason: AssistantModelChoice['reason'] | 'ASSISTANTS_ASSISTANT_ID';
};

/**
 * Finds the assistant Threadline created earlier on this server, or creates one with
 * file_search, on the model chooseAssistantModel picks from the server's list (one that writes
 * answers unless ASSISTANTS_MODEL names another). One made earlier on a model that only quotes,
 * or on another model than ASSISTANTS_MODEL, is moved to the chosen model. Used when
 * ASSISTANTS_ASSISTANT_ID is not set.
 */
export async function ensureAssistant(
  client: OpenAI,
  listed: readonly ModelInfo[],
  preference: { named?: string | undefined; configured: string },
): Promise<ResolvedAssistant> {
  const choice = chooseAssistantModel(listed, preference);
  for await (const assistant of await client.beta.assistants.list({ limit: 100, order: 'desc' })) {
    const metadata: unknown = assistant.metadata;
    if (
      typeof metadata === 'object' &&
      metadata !== null &&
      'threadline' in metadata &&
      metadata.threadline === threadlineAssistantMetadata.threadline
    ) {
      if (!isBetterChoice(assistant.model, choice, listed))
        return { id: assistant.id, model: assistant.model, reason: choice.reason };
      const moved = await client.beta.assistants.update(assistant.id, { model: choice.model });
      return { id: moved.id, model: moved.model, reason: choice.reason };
    }
  }
  const created = await client.beta.assistants.create({
    model: choice.model,
    name: 'Threadline',
    instructions:
      'Answer from the files you can search. Cite the passages you use. When the files do not contain the answer, say so.',
    tools: [{ type: 'file_search' }],
    metadata: { ...threadlineAssistantMetadata },
  });
  return { id: created.id, model: created.model, reason: choice.reason };
}
