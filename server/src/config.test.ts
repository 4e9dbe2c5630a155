import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8000,
      HOST: '127.0.0.1',
      DATA_DIR: './data',
      ENGINE: 'local',
      CHUNK_SIZE_TOKENS: 800,
      CHUNK_OVERLAP_TOKENS: 400,
      MAX_UPLOAD_BYTES: 50 * 1024 * 1024,
    });
    expect(config.MONGODB_URI).toBeUndefined();
    expect(config.AUTH_TOKENS.size).toBe(0);
  });

  it('reports every bad setting at once', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'eighty', ENGINE: 'gpt', CHUNK_SIZE_TOKENS: '50', LLM_BASE_URL: 'not a url' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'ENGINE', 'CHUNK_SIZE_TOKENS', 'LLM_BASE_URL'])
      expect(problems).toContain(name);
    expect((caught as ConfigError).problems).toHaveLength(4);
  });

  it('checks settings against each other', () => {
    expect(() => loadConfig({ CHUNK_SIZE_TOKENS: '400', CHUNK_OVERLAP_TOKENS: '300' })).toThrow(
      /CHUNK_OVERLAP_TOKENS/,
    );
    expect(() => loadConfig({ ENGINE: 'openai' })).toThrow(/OPENAI_API_KEY/);
    expect(() => loadConfig({ ENGINE: 'assistants' })).toThrow(/ASSISTANTS_BASE_URL/);
  });

  it('parses auth tokens and never echoes secrets', () => {
    expect(loadConfig({ AUTH_TOKENS: 'secret-token-1=alice, other-token-2=bob' }).AUTH_TOKENS).toEqual(
      new Map([
        ['secret-token-1', 'alice'],
        ['other-token-2', 'bob'],
      ]),
    );
    expect(() => loadConfig({ AUTH_TOKENS: 'short=alice' })).toThrow(ConfigError);
    try {
      loadConfig({ AUTH_TOKENS: 'short=alice' });
    } catch (error) {
      expect((error as Error).message).not.toContain('short=alice');
    }
  });

  it('reads lists and booleans', () => {
    expect(loadConfig({ CORS_ORIGINS: 'http://a.test, http://b.test' }).CORS_ORIGINS).toEqual([
      'http://a.test',
      'http://b.test',
    ]);
  });

  it('accepts only redis:// and rediss:// for REDIS_URL, without echoing the URL', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@cache.test:6380/2' }).REDIS_URL).toBe(
      'rediss://:pw@cache.test:6380/2',
    );
    expect(loadConfig({ REDIS_URL: '' }).REDIS_URL).toBeUndefined();
    for (const url of ['http://:hunter2@cache.test:6379', 'cache.test:6379']) {
      let caught: unknown;
      try {
        loadConfig({ REDIS_URL: url });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).problems.join('\n')).toMatch(/REDIS_URL.*redis:\/\/ or rediss:\/\//);
      expect((caught as Error).message).not.toContain('hunter2');
    }
  });
});

describe('.env.example', () => {
  it('documents exactly the settings the schema reads', async () => {
    const { readFileSync } = await import('node:fs');
    const { configSchema } = await import('./config.js');
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = [...text.matchAll(/^([A-Z_]+)=/gm)].map((match) => match[1]);
    const shape = configSchema instanceof Object && 'shape' in configSchema ? configSchema.shape : {};
    expect(new Set(documented)).toEqual(new Set(Object.keys(shape)));
  });

  it('parses as a valid configuration as written', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const environment = Object.fromEntries(
      [...text.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']),
    );
    expect(() => loadConfig(environment)).not.toThrow();
  });
});
