import type { ModelServerKind } from './context-window.js';

export type FoundModelServer = {
  kind: Exclude<ModelServerKind, 'vllm' | 'openai' | 'unknown'>;
  name: string;
  /** The OpenAI-compatible address, as LLM_BASE_URL takes it. */
  baseURL: string;
  models: string[];
};

const probeTimeoutMs = 400;

/** The default port of each server, and the one request that shows it is there with its models. */
const candidates: Array<{
  kind: FoundModelServer['kind'];
  name: string;
  port: number;
  path: string;
  modelsOf: (body: Record<string, unknown>) => string[] | null;
}> = [
  {
    kind: 'ollama',
    name: 'Ollama',
    port: 11434,
    path: '/api/tags',
    modelsOf: (body) => (Array.isArray(body.models) ? namesOf(body.models, 'name') : null),
  },
  {
    kind: 'llama.cpp',
    name: 'llama.cpp (llama-server)',
    port: 8080,
    path: '/v1/models',
    modelsOf: (body) => (Array.isArray(body.data) ? namesOf(body.data, 'id') : null),
  },
  {
    kind: 'lm-studio',
    name: 'LM Studio',
    port: 1234,
    path: '/v1/models',
    modelsOf: (body) => (Array.isArray(body.data) ? namesOf(body.data, 'id') : null),
  },
];

function namesOf(entries: unknown[], field: string): string[] {
  return entries.flatMap((entry) => {
    const value =
      typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)[field] : null;
    return typeof value === 'string' ? [value] : [];
  });
}

/**
 * Looks for a model server on its default port on this machine (Ollama 11434, llama.cpp 8080,
 * LM Studio 1234): one quick request each, loopback only, all at once. The first found, in that
 * order, with the models it serves; null when none answers.
 */
export async function discoverLocalModelServer(
  options: { fetch?: typeof fetch; host?: string } = {},
): Promise<FoundModelServer | null> {
  const fetchImpl = options.fetch ?? fetch;
  const host = options.host ?? '127.0.0.1';
  const found = await Promise.all(
    candidates.map(async (candidate) => {
      const origin = `http://${host}:${candidate.port}`;
      try {
        const response = await fetchImpl(`${origin}${candidate.path}`, {
          signal: AbortSignal.timeout(probeTimeoutMs),
        });
        if (!response.ok) return null;
        const body: unknown = await response.json();
        const models =
          typeof body === 'object' && body !== null
            ? candidate.modelsOf(body as Record<string, unknown>)
            : null;
        return models === null
          ? null
          : { kind: candidate.kind, name: candidate.name, baseURL: `${origin}/v1`, models };
      } catch {
        return null;
      }
    }),
  );
  return found.find((server) => server !== null) ?? null;
}
