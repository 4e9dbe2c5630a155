import { APIConnectionError, APIError } from 'openai';
import { serverRootOf } from './context-window.js';

/**
 * A failure of the model server that a person can act on: the message is shown in the chat (the
 * run's `last_error`) and written to the log as it is. Codes are the Assistants API's own.
 */
export class ModelServerError extends Error {
  override readonly name = 'ModelServerError';
  constructor(
    readonly code: 'server_error' | 'rate_limit_exceeded' | 'invalid_prompt',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The text of an error body, whichever shape the server uses (OpenAI's, Ollama's, vLLM's). */
function bodyMessage(error: { error?: unknown; message: string }): string {
  const body: unknown = error.error;
  if (typeof body === 'string') return body;
  if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string')
    return body.message;
  return error.message;
}

/** llama-server's answer to a prompt past its window (tools/server: `exceed_context_size_error`). */
export function exceededContext(error: unknown): { promptTokens: number; windowTokens: number } | null {
  if (!(error instanceof APIError) || error.status !== 400) return null;
  const body: unknown = error.error;
  if (typeof body !== 'object' || body === null) return null;
  const fields = body as Record<string, unknown>;
  if (fields.type !== 'exceed_context_size_error') return null;
  const promptTokens = Number(fields.n_prompt_tokens);
  const windowTokens = Number(fields.n_ctx);
  return Number.isFinite(promptTokens) && Number.isFinite(windowTokens) && windowTokens > 0
    ? { promptTokens, windowTokens }
    : null;
}

type ModelList = { ids: string[] | null; isOllama: boolean };

/** The models the server lists (OpenAI `GET /models`), and whether it is Ollama (`GET /api/tags`). */
async function listModels(
  baseURL: string,
  apiKey: string | undefined,
  fetchImpl: typeof fetch,
): Promise<ModelList> {
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const getJson = async (url: string): Promise<Record<string, unknown> | null> => {
    try {
      const response = await fetchImpl(url, { headers, signal: AbortSignal.timeout(3000) });
      return response.ok ? ((await response.json()) as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };
  const [models, tags] = await Promise.all([
    getJson(`${baseURL.replace(/\/+$/, '')}/models`),
    getJson(`${serverRootOf(baseURL)}/api/tags`),
  ]);
  const ids = Array.isArray(models?.data)
    ? models.data.flatMap((entry: unknown) =>
        typeof entry === 'object' && entry !== null && 'id' in entry && typeof entry.id === 'string'
          ? [entry.id]
          : [],
      )
    : null;
  return { ids, isOllama: tags !== null && Array.isArray(tags.models) };
}

const shown = (ids: string[]) => {
  const listed = ids.slice(0, 12).map((id) => `"${id}"`);
  return ids.length > 12 ? `${listed.join(', ')} and ${ids.length - 12} more` : listed.join(', ');
};

/**
 * Turns a failed chat-completions call into an error that says what to do: the model is not on
 * the server (with what it has, and for Ollama the `ollama pull` to run), the server is not
 * running at LLM_BASE_URL, it refused the key, it kept rate limiting. Anything else stays as it
 * was (a generic failure in the chat, the details in the log).
 */
export async function explainModelServerError(
  error: unknown,
  context: { baseURL: string; apiKey?: string | undefined; model: string; fetch: typeof fetch },
): Promise<unknown> {
  const { baseURL, model } = context;
  if (error instanceof APIConnectionError) {
    return new ModelServerError(
      'server_error',
      `The model server at LLM_BASE_URL (${baseURL}) is not reachable. Start it, or point LLM_BASE_URL at where it runs.`,
      { cause: error },
    );
  }
  if (!(error instanceof APIError)) return error;
  const detail = bodyMessage(error);
  if (error.status === 429) {
    return new ModelServerError(
      'rate_limit_exceeded',
      `The model server at ${baseURL} is rate limiting requests (429) and still was after retries: ${detail}`,
      { cause: error },
    );
  }
  if (error.status === 401 || error.status === 403) {
    return new ModelServerError(
      'server_error',
      `The model server at ${baseURL} refused the request (${error.status}): check LLM_API_KEY. ${detail}`,
      { cause: error },
    );
  }
  const isModelMissing =
    error.status === 404 ||
    (error.status === 400 &&
      /model/i.test(detail) &&
      /not (?:found|exist|loaded|available)|does not exist|unknown/i.test(detail));
  if (!isModelMissing) return error;
  const { ids, isOllama } = await listModels(baseURL, context.apiKey, context.fetch);
  if (ids === null && !isOllama) {
    return new ModelServerError(
      'server_error',
      `The server at LLM_BASE_URL (${baseURL}) answered 404 and lists no models: is LLM_BASE_URL its OpenAI-compatible address (usually ending in /v1)? ${detail}`,
      { cause: error },
    );
  }
  const has =
    ids && ids.length > 0
      ? ` It has ${shown(ids)}; set LLM_MODEL (or the run's model) to one of them.`
      : ' It lists no models.';
  const pull = isOllama || /try pulling it/i.test(detail) ? ` To get it, run \`ollama pull ${model}\`.` : '';
  return new ModelServerError(
    'server_error',
    `The model "${model}" is not available on the model server at ${baseURL}.${has}${pull}`,
    { cause: error },
  );
}
