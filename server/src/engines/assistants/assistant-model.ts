import type { ModelInfo } from '@threadline/shared';

export type AssistantModelChoice = {
  model: string;
  /** Why this one, for the start-up log line. */
  reason:
    | 'ASSISTANTS_MODEL'
    | 'configured model listed'
    | 'first model that writes answers'
    | 'no model writes answers'
    | 'no models listed';
};

const writes = (model: ModelInfo) => model.answerKind !== 'extractive';

/**
 * The model of the assistant a front instance makes on the engine's server: the one
 * ASSISTANTS_MODEL names; else the configured model if the server lists it as one that writes;
 * else the first listed model that writes answers (a server that does not say how its models
 * answer serves language models, which write); else the first listed.
 */
export function chooseAssistantModel(
  listed: readonly ModelInfo[],
  preference: { named?: string | undefined; configured: string },
): AssistantModelChoice {
  if (preference.named) return { model: preference.named, reason: 'ASSISTANTS_MODEL' };
  const first = listed[0];
  if (!first) return { model: preference.configured, reason: 'no models listed' };
  const configured = listed.find((model) => model.id === preference.configured);
  if (configured && writes(configured)) return { model: configured.id, reason: 'configured model listed' };
  const writer = listed.find(writes);
  if (writer) return { model: writer.id, reason: 'first model that writes answers' };
  return { model: first.id, reason: 'no model writes answers' };
}

/** Whether an assistant made earlier on a model that does not write should move to `choice`. */
export function isBetterChoice(
  currentModel: string,
  choice: AssistantModelChoice,
  listed: readonly ModelInfo[],
): boolean {
  if (currentModel === choice.model) return false;
  if (choice.reason === 'ASSISTANTS_MODEL') return true;
  // A server that lists nothing gives no reason to move.
  if (listed.length === 0) return false;
  const current = listed.find((model) => model.id === currentModel);
  // Gone from the server, or only quoting while a writer is listed.
  return current === undefined || (!writes(current) && choice.reason === 'first model that writes answers');
}
