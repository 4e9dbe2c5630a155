import { answerKindSchema, type ModelInfo } from '@threadline/shared';
import type OpenAI from 'openai';
import type { Upstream } from './upstream-knowledge.js';
import { healthFailure } from './upstream-error.js';

/** The models an OpenAI-compatible server offers, for both engines that speak to one. */
export async function listOpenAIModels(client: OpenAI, upstream: Upstream): Promise<ModelInfo[]> {
  const models: ModelInfo[] = [];
  for await (const model of await upstream(async () => client.models.list())) {
    // Another Threadline says how each model answers (`answer_kind`); other servers do not.
    const answerKind = answerKindSchema.safeParse((model as { answer_kind?: unknown }).answer_kind);
    models.push({
      id: model.id,
      ownedBy: model.owned_by,
      description: '',
      ...(answerKind.success ? { answerKind: answerKind.data } : {}),
    });
  }
  return models;
}

/** A cheap reachability probe: one models list, no retries, a short timeout. */
export async function probeOpenAI(
  client: OpenAI,
  timeoutMs: number,
): Promise<{ reachable: boolean; detail?: string }> {
  try {
    await client.models.list({ timeout: timeoutMs, maxRetries: 0 });
    return { reachable: true };
  } catch (error) {
    return healthFailure(error);
  }
}
