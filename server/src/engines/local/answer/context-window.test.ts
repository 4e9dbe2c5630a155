import { describe, expect, it } from 'vitest';
import { createContextWindows, serverRootOf } from './context-window.js';

type Route = { method?: string; status?: number; body: unknown };

/**
 * Each server's own answers, as documented: llama-server GET /props (tools/server README), vLLM
 * GET /v1/models (`max_model_len`), LM Studio GET /api/v0/models/{model} (its REST API beta),
 * Ollama GET /api/ps and POST /api/show (docs/api.md). Everything else is a 404, as on those servers.
 */
const fetchFor =
  (routes: Record<string, Route>, seen: string[] = []): typeof fetch =>
  (input, init) => {
    const url = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
    const key = `${init?.method ?? 'GET'} ${url}`;
    seen.push(key);
    const route = routes[key];
    return Promise.resolve(
      route
        ? Response.json(route.body, { status: route.status ?? 200 })
        : new Response('404 page not found', { status: 404 }),
    );
  };

describe('createContextWindows', () => {
  it.each<[string, string, Record<string, Route>, object]>([
    [
      'llama.cpp: a slot’s n_ctx from /props',
      'http://127.0.0.1:8080/v1',
      {
        'GET http://127.0.0.1:8080/props': {
          body: { default_generation_settings: { n_ctx: 4096 }, total_slots: 2 },
        },
      },
      { tokens: 4096, server: 'llama.cpp', isAssumed: false },
    ],
    [
      'vLLM: max_model_len of the model',
      'http://gpu:8000/v1',
      {
        'GET http://gpu:8000/v1/models': {
          body: {
            data: [
              { id: 'other', max_model_len: 1 },
              { id: 'Qwen/Qwen3-8B', max_model_len: 16384 },
            ],
          },
        },
      },
      { tokens: 16384, server: 'vllm' },
    ],
    [
      'LM Studio: the loaded context length',
      'http://127.0.0.1:1234/v1',
      {
        'GET http://127.0.0.1:1234/api/v0/models/Qwen%2FQwen3-8B': {
          body: { id: 'qwen3-8b', state: 'loaded', max_context_length: 32768, loaded_context_length: 8192 },
        },
      },
      { tokens: 8192, server: 'lm-studio', isAssumed: false },
    ],
    [
      'LM Studio, model not loaded: its default load length',
      'http://127.0.0.1:1234/v1',
      {
        'GET http://127.0.0.1:1234/api/v0/models/Qwen%2FQwen3-8B': {
          body: { id: 'qwen3-8b', state: 'not-loaded', max_context_length: 32768 },
        },
      },
      { tokens: 4096, server: 'lm-studio' },
    ],
    [
      'Ollama, loaded: context_length from /api/ps',
      'http://127.0.0.1:11434/v1',
      {
        'GET http://127.0.0.1:11434/api/ps': {
          body: { models: [{ name: 'Qwen/Qwen3-8B:latest', context_length: 8192 }] },
        },
      },
      { tokens: 8192, server: 'ollama', isAssumed: false },
    ],
    [
      'Ollama: num_ctx from the Modelfile',
      'http://127.0.0.1:11434/v1',
      {
        'GET http://127.0.0.1:11434/api/ps': { body: { models: [] } },
        'POST http://127.0.0.1:11434/api/show': {
          body: {
            parameters: 'num_keep 24\nnum_ctx                        12288\nstop "<|eot_id|>"',
            model_info: {},
          },
        },
      },
      { tokens: 12288, server: 'ollama', isAssumed: false },
    ],
    [
      'Ollama without num_ctx: its smallest default, asked again later',
      'http://127.0.0.1:11434/v1',
      {
        'GET http://127.0.0.1:11434/api/ps': { body: { models: [] } },
        'POST http://127.0.0.1:11434/api/show': {
          body: { parameters: 'stop "<|eot_id|>"', model_info: { 'llama.context_length': 131072 } },
        },
      },
      { tokens: 2048, server: 'ollama', isAssumed: true },
    ],
    [
      'an unknown server: 2,048, assumed',
      'http://models.example.test:9000/v1',
      {},
      { tokens: 2048, server: 'unknown', isAssumed: true },
    ],
    ['OpenAI: 128k, without asking', 'https://api.openai.com/v1', {}, { tokens: 128_000, server: 'openai' }],
  ])('%s', async (_name, baseURL, routes, expected) => {
    const seen: string[] = [];
    const windows = createContextWindows({ baseURL, fetch: fetchFor(routes, seen) });
    const first = await windows.windowFor('Qwen/Qwen3-8B');
    expect(first).toMatchObject({ window: expected, isNew: true });
    const asked = seen.length;
    const second = await windows.windowFor('Qwen/Qwen3-8B');
    expect(second.window).toEqual(first.window);
    // Asked once per model (an assumption is kept a minute before asking again).
    expect(seen.length).toBe(asked);
  });

  it('LLM_CONTEXT_TOKENS wins, and no server is asked', async () => {
    const seen: string[] = [];
    const windows = createContextWindows({
      baseURL: 'http://x/v1',
      configuredTokens: 6000,
      fetch: fetchFor({}, seen),
    });
    expect((await windows.windowFor('m')).window).toMatchObject({
      tokens: 6000,
      source: 'LLM_CONTEXT_TOKENS',
    });
    expect(seen).toEqual([]);
  });

  it.each([
    ['http://127.0.0.1:11434/v1', 'http://127.0.0.1:11434'],
    ['http://127.0.0.1:8080/v1/', 'http://127.0.0.1:8080'],
    ['http://proxy/llm/v1', 'http://proxy/llm'],
  ])('the server root of %s is %s', (baseURL, root) => {
    expect(serverRootOf(baseURL)).toBe(root);
  });
});
