import { chatRequestSchema, legacyMessageRequestSchema } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import {
  backendStorageKey,
  chatStreamRequest,
  describeBackend,
  endpoints,
  normaliseBaseUrl,
  onBackendChange,
  readApiConfig,
  selectBackend,
  selectedBackend,
  threadCreationRequest,
} from './api.js';

const bodyText = (init: RequestInit) => (typeof init.body === 'string' ? init.body : '');

const memoryStorage = (): Storage => {
  const values = new Map<string, string>();
  return {
    get length() {
      return values.size;
    },
    clear: () => values.clear(),
    getItem: (key) => values.get(key) ?? null,
    key: (index) => [...values.keys()][index] ?? null,
    removeItem: (key) => void values.delete(key),
    setItem: (key, value) => void values.set(key, value),
  };
};

describe('readApiConfig', () => {
  it.each([
    [{}, { threadlineBaseUrl: '', legacyBaseUrl: '', defaultBackend: 'threadline' }],
    [
      { VITE_API_URL: 'https://api.example.com/' },
      {
        threadlineBaseUrl: 'https://api.example.com',
        legacyBaseUrl: 'https://api.example.com',
        defaultBackend: 'threadline',
      },
    ],
    [
      {
        VITE_API_URL: 'https://a.test',
        VITE_LEGACY_API_URL: ' https://old.test// ',
        VITE_DEFAULT_BACKEND: 'legacy',
      },
      { threadlineBaseUrl: 'https://a.test', legacyBaseUrl: 'https://old.test', defaultBackend: 'legacy' },
    ],
    [
      { VITE_DEFAULT_BACKEND: 'nonsense' },
      { threadlineBaseUrl: '', legacyBaseUrl: '', defaultBackend: 'threadline' },
    ],
  ])('%j', (environment, expected) => {
    expect(readApiConfig(environment)).toEqual(expected);
  });

  it('normalises base URLs', () => {
    expect(normaliseBaseUrl(undefined)).toBe('');
    expect(normaliseBaseUrl('http://x:1/base/')).toBe('http://x:1/base');
  });
});

describe('backends', () => {
  const config = readApiConfig({ VITE_API_URL: 'http://new.test', VITE_LEGACY_API_URL: 'http://old.test' });

  it('knows which framing each backend streams', () => {
    expect(describeBackend('threadline', config)).toMatchObject({
      framing: 'sse',
      baseUrl: 'http://new.test',
      canCancel: true,
    });
    expect(describeBackend('legacy', config)).toMatchObject({
      framing: 'ndjson',
      baseUrl: 'http://old.test',
      hasHistory: false,
    });
  });

  it('builds the Threadline stream request with a body the server schema accepts', () => {
    const request = chatStreamRequest(
      'threadline',
      { threadId: 'thread_1', content: 'Hi', vectorStoreIds: ['vs_1'] },
      config,
    );
    expect(request.url).toBe('http://new.test/chat/stream');
    expect(request.framing).toBe('sse');
    expect(new Headers(request.init.headers).get('accept')).toBe('text/event-stream');
    const body: unknown = JSON.parse(bodyText(request.init));
    expect(chatRequestSchema.parse(body)).toEqual({
      threadId: 'thread_1',
      content: 'Hi',
      vectorStoreIds: ['vs_1'],
    });
  });

  it('leaves out an absent thread and empty store list', () => {
    const request = chatStreamRequest(
      'threadline',
      { threadId: null, content: 'Hi', vectorStoreIds: [] },
      config,
    );
    expect(JSON.parse(bodyText(request.init))).toEqual({ content: 'Hi' });
  });

  it('builds the legacy requests: thread first, then NDJSON messages', () => {
    expect(threadCreationRequest('threadline', config)).toBeNull();
    expect(threadCreationRequest('legacy', config)?.url).toBe('http://old.test/api/assistants/threads');
    const request = chatStreamRequest('legacy', { threadId: 'th/1', content: 'Hi' }, config);
    expect(request.url).toBe('http://old.test/api/assistants/threads/th%2F1/messages');
    expect(request.framing).toBe('ndjson');
    expect(legacyMessageRequestSchema.parse(JSON.parse(bodyText(request.init)))).toEqual({
      content: 'Hi',
    });
    expect(() => chatStreamRequest('legacy', { content: 'Hi' }, config)).toThrow(/thread id/);
  });

  it('builds history URLs with only the query parts given', () => {
    const urls = endpoints(config);
    expect(urls.threads()).toBe('http://new.test/threads');
    expect(urls.threads({ limit: 20, q: 'vpn', cursor: undefined })).toBe(
      'http://new.test/threads?limit=20&q=vpn',
    );
    expect(urls.knowledgeFile('file 1')).toBe('http://new.test/knowledge/files/file%201');
  });
});

describe('backend switch', () => {
  it('falls back to the default, then remembers the choice and tells listeners', () => {
    const storage = memoryStorage();
    const config = readApiConfig({});
    expect(selectedBackend(config, storage)).toBe('threadline');
    const seen: string[] = [];
    const stop = onBackendChange((type) => seen.push(type));
    selectBackend('legacy', storage);
    stop();
    selectBackend('threadline', storage);
    expect(seen).toEqual(['legacy']);
    expect(storage.getItem(backendStorageKey)).toBe('threadline');
    storage.setItem(backendStorageKey, 'garbage');
    expect(selectedBackend(readApiConfig({ VITE_DEFAULT_BACKEND: 'legacy' }), storage)).toBe('legacy');
  });
});
