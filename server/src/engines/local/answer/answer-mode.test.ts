import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config.js';
import { resolveAnswerMode } from './answer-mode.js';
import { discoverLocalModelServer, type FoundModelServer } from './local-model-discovery.js';

const ollama: FoundModelServer = {
  kind: 'ollama',
  name: 'Ollama',
  baseURL: 'http://127.0.0.1:11434/v1',
  models: ['qwen3:4b', 'llama3.2:latest'],
};

describe('resolveAnswerMode', () => {
  it.each<
    [string, Record<string, string>, FoundModelServer | null, { url?: string; model?: string; line: RegExp }]
  >([
    [
      'a configured endpoint is used as it is, nothing probed',
      { LLM_BASE_URL: 'http://gpu-box:8000/v1', LLM_MODEL: 'qwen3' },
      ollama,
      {
        url: 'http://gpu-box:8000/v1',
        line: /^Answers: written by qwen3 at http:\/\/gpu-box:8000\/v1 \(LLM_BASE_URL\)/,
      },
    ],
    [
      'unset with a server running: named with the settings that would use it',
      {},
      ollama,
      {
        line: /^Answers: quoted from your documents \(no model\)\. A Ollama server is running at http:\/\/127\.0\.0\.1:11434\/v1 \(qwen3:4b, llama3\.2:latest\): start with LLM_BASE_URL=auto, or LLM_BASE_URL=http:\/\/127\.0\.0\.1:11434\/v1 LLM_MODEL=qwen3:4b/,
      },
    ],
    [
      'unset, nothing running',
      {},
      null,
      { line: /^Answers: quoted from your documents \(no model\)\. Set LLM_BASE_URL/ },
    ],
    [
      'auto: the server found and its first model',
      { LLM_BASE_URL: 'auto' },
      ollama,
      {
        url: 'http://127.0.0.1:11434/v1',
        model: 'qwen3:4b',
        line: /^Answers: written by qwen3:4b on the Ollama server found at http:\/\/127\.0\.0\.1:11434\/v1 \(LLM_BASE_URL=auto\), its window asked of the server\.$/,
      },
    ],
    [
      'auto with LLM_MODEL: that model',
      { LLM_BASE_URL: 'auto', LLM_MODEL: 'llama3.2:latest', LLM_CONTEXT_TOKENS: '8192' },
      ollama,
      {
        url: 'http://127.0.0.1:11434/v1',
        model: 'llama3.2:latest',
        line: /a 8192-token window \(LLM_CONTEXT_TOKENS\)\.$/,
      },
    ],
    [
      'auto with nothing running: quoted answers, said so',
      { LLM_BASE_URL: 'auto' },
      null,
      { line: /^Answers: quoted from your documents\. LLM_BASE_URL=auto found no model server/ },
    ],
  ])('%s', async (_name, environment, found, expected) => {
    const config = loadConfig({ DATA_DIR: '/tmp/unused', ...environment });
    let probes = 0;
    const mode = await resolveAnswerMode(config, environment, () => {
      probes += 1;
      return Promise.resolve(found);
    });
    expect(mode.line).toMatch(expected.line);
    expect(mode.config.LLM_BASE_URL).toBe(expected.url);
    if (expected.model) expect(mode.config.LLM_MODEL).toBe(expected.model);
    expect(probes).toBe(environment.LLM_BASE_URL && environment.LLM_BASE_URL !== 'auto' ? 0 : 1);
  });
});

describe('discoverLocalModelServer', () => {
  // Each server's own answer on its default port: Ollama GET /api/tags (docs/api.md), llama-server
  // and LM Studio GET /v1/models (OpenAI's list shape).
  const answers: Record<string, unknown> = {
    'http://127.0.0.1:11434/api/tags': { models: [{ name: 'qwen3:4b', model: 'qwen3:4b' }] },
    'http://127.0.0.1:8080/v1/models': {
      object: 'list',
      data: [{ id: 'gemma-3-270m.gguf', object: 'model' }],
    },
    'http://127.0.0.1:1234/v1/models': {
      object: 'list',
      data: [{ id: 'qwen2.5-7b-instruct', object: 'model' }],
    },
  };
  const fetchOnly =
    (running: string[], seen: string[] = []): typeof fetch =>
    (input) => {
      const url = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
      seen.push(url);
      const body = answers[url];
      if (!running.some((prefix) => url.startsWith(prefix)) || body === undefined)
        return Promise.reject(new TypeError('fetch failed: ECONNREFUSED'));
      return Promise.resolve(Response.json(body));
    };

  it.each<[string, string[], Partial<FoundModelServer> | null]>([
    [
      'Ollama',
      ['http://127.0.0.1:11434'],
      { kind: 'ollama', baseURL: 'http://127.0.0.1:11434/v1', models: ['qwen3:4b'] },
    ],
    ['llama-server', ['http://127.0.0.1:8080'], { kind: 'llama.cpp', models: ['gemma-3-270m.gguf'] }],
    ['LM Studio', ['http://127.0.0.1:1234'], { kind: 'lm-studio', baseURL: 'http://127.0.0.1:1234/v1' }],
    [
      'Ollama first when several run',
      ['http://127.0.0.1:1234', 'http://127.0.0.1:11434'],
      { kind: 'ollama' },
    ],
    ['none', [], null],
  ])('%s', async (_name, running, expected) => {
    const seen: string[] = [];
    const found = await discoverLocalModelServer({ fetch: fetchOnly(running, seen) });
    if (expected === null) expect(found).toBeNull();
    else expect(found).toMatchObject(expected);
    // One quick request to each default port, on loopback only.
    expect(seen.sort()).toEqual(Object.keys(answers).sort());
  });
});
