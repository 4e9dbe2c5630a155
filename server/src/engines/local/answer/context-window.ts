/** Which kind of server answers at LLM_BASE_URL, as far as its own endpoints tell. */
export type ModelServerKind = 'llama.cpp' | 'ollama' | 'vllm' | 'lm-studio' | 'openai' | 'unknown';

export type ContextWindow = {
  tokens: number;
  server: ModelServerKind;
  /** Where the number came from, for the log. */
  source: string;
  /** A guess (no server said it): asked again later rather than kept. */
  isAssumed: boolean;
};

/**
 * The window when nothing says otherwise: Ollama's smallest default `num_ctx`, so an unknown
 * server is never sent more than it can hold. LLM_CONTEXT_TOKENS sets it.
 */
export const assumedContextTokens = 2048;
const openAIContextTokens = 128_000;
export const isOpenAIHost = (baseURL: string): boolean => new URL(baseURL).hostname === 'api.openai.com';
/** LM Studio loads a model on first use with this window unless told otherwise. */
const lmStudioLoadTokens = 4096;
const probeTimeoutMs = 3000;
const assumedForMs = 60_000;

type Probe = (model: string) => Promise<Omit<ContextWindow, 'isAssumed'> | null>;

/** `http://host:11434/v1` → `http://host:11434`: where the servers' own APIs live. */
export const serverRootOf = (baseURL: string): string => baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');

const positive = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

/**
 * Learns the model's window by asking the server, once per model: llama.cpp `GET /props`
 * (`default_generation_settings.n_ctx`, the window of one slot), vLLM `GET /v1/models`
 * (`max_model_len`), LM Studio `GET /api/v0/models/{model}` (`loaded_context_length`), Ollama
 * `GET /api/ps` (`context_length` of a loaded model) then `POST /api/show` (`num_ctx` in its
 * parameters). A window that no server states is assumed small and asked again a minute later.
 */
export function createContextWindows(options: {
  baseURL: string;
  apiKey?: string | undefined;
  /** LLM_CONTEXT_TOKENS: when set, no server is asked. */
  configuredTokens?: number | undefined;
  fetch?: typeof fetch;
}) {
  const fetchImpl = options.fetch ?? fetch;
  const root = serverRootOf(options.baseURL);
  const headers: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const getJson = async (url: string, init: RequestInit = {}): Promise<unknown> => {
    try {
      const response = await fetchImpl(url, {
        ...init,
        headers: { ...headers, ...(init.body ? { 'content-type': 'application/json' } : {}) },
        signal: AbortSignal.timeout(probeTimeoutMs),
      });
      if (!response.ok) return null;
      const body: unknown = await response.json();
      return body;
    } catch {
      return null;
    }
  };

  const probes: Probe[] = [
    async () => {
      const props = record(await getJson(`${root}/props`));
      const tokens = positive(record(props.default_generation_settings).n_ctx);
      return tokens ? { tokens, server: 'llama.cpp', source: 'llama.cpp GET /props n_ctx' } : null;
    },
    async (model) => {
      const list = record(await getJson(`${options.baseURL.replace(/\/+$/, '')}/models`));
      const entries = Array.isArray(list.data) ? list.data.map(record) : [];
      const tokens = positive(entries.find((entry) => entry.id === model)?.max_model_len);
      return tokens ? { tokens, server: 'vllm', source: 'vLLM GET /v1/models max_model_len' } : null;
    },
    async (model) => {
      const info = record(await getJson(`${root}/api/v0/models/${encodeURIComponent(model)}`));
      const loaded = positive(info.loaded_context_length);
      if (loaded) return { tokens: loaded, server: 'lm-studio', source: 'LM Studio loaded_context_length' };
      const most = positive(info.max_context_length);
      return most
        ? {
            tokens: Math.min(most, lmStudioLoadTokens),
            server: 'lm-studio',
            source: 'LM Studio default load length (the model is not loaded yet)',
          }
        : null;
    },
    async (model) => {
      const running = record(await getJson(`${root}/api/ps`));
      const models = Array.isArray(running.models) ? running.models.map(record) : [];
      const named = (entry: Record<string, unknown>) =>
        entry.name === model || entry.model === model || entry.name === `${model}:latest`;
      const loaded = positive(models.find(named)?.context_length);
      if (loaded) return { tokens: loaded, server: 'ollama', source: 'Ollama GET /api/ps context_length' };
      const shown = await getJson(`${root}/api/show`, { method: 'POST', body: JSON.stringify({ model }) });
      if (shown === null) return null;
      const parameters = record(shown).parameters;
      const numCtx = typeof parameters === 'string' ? /(?:^|\n)num_ctx\s+(\d+)/.exec(parameters) : null;
      const tokens = positive(Number(numCtx?.[1]));
      return tokens
        ? { tokens, server: 'ollama', source: 'Ollama POST /api/show num_ctx' }
        : // No num_ctx in the Modelfile: the server's default (OLLAMA_CONTEXT_LENGTH) applies, which
          // no endpoint states until the model is loaded; Ollama cuts longer prompts silently.
          { tokens: assumedContextTokens, server: 'ollama', source: 'Ollama default num_ctx (assumed)' };
    },
  ];

  const cache = new Map<string, { window: ContextWindow; until: number }>();
  const inFlight = new Map<string, Promise<ContextWindow>>();

  async function probe(model: string): Promise<ContextWindow> {
    if (isOpenAIHost(options.baseURL)) {
      // OpenAI states no window; its current chat models all take at least 128k.
      return {
        tokens: openAIContextTokens,
        server: 'openai',
        source: 'OpenAI chat models (128k)',
        isAssumed: false,
      };
    }
    for (const ask of probes) {
      const found = await ask(model);
      if (found) return { ...found, isAssumed: found.source.endsWith('(assumed)') };
    }
    return { tokens: assumedContextTokens, server: 'unknown', source: 'assumed', isAssumed: true };
  }

  return {
    /** The window of `model`; `isNew` when it was just asked for (worth a log line). */
    async windowFor(model: string): Promise<{ window: ContextWindow; isNew: boolean }> {
      if (options.configuredTokens !== undefined) {
        const window = {
          tokens: options.configuredTokens,
          server: 'unknown' as const,
          source: 'LLM_CONTEXT_TOKENS',
          isAssumed: false,
        };
        return { window, isNew: false };
      }
      const cached = cache.get(model);
      if (cached && cached.until > Date.now()) return { window: cached.window, isNew: false };
      const pending = inFlight.get(model) ?? probe(model);
      inFlight.set(model, pending);
      try {
        const window = await pending;
        cache.set(model, { window, until: window.isAssumed ? Date.now() + assumedForMs : Infinity });
        return { window, isNew: true };
      } finally {
        inFlight.delete(model);
      }
    },
    /** After the server said the prompt did not fit: its own figure wins from now on. */
    correct(model: string, tokens: number, server: ModelServerKind): ContextWindow {
      const window = { tokens, server, source: `${server} error (n_ctx)`, isAssumed: false };
      cache.set(model, { window, until: Infinity });
      return window;
    },
  };
}

export type ContextWindows = ReturnType<typeof createContextWindows>;
