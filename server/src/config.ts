import { z } from 'zod';

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url().optional());
const optionalRedisUrl = z.preprocess(
  emptyToUndefined,
  z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
);
const integer = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
const number = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().min(min).max(max).default(fallback));
const list = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '')
      : value,
  z.array(z.string()).default([]),
);
/** `token=user` pairs, e.g. `AUTH_TOKENS=abc123=alice,def456=bob`. */
const authTokens = z.preprocess(
  (value) => (typeof value === 'string' ? value : ''),
  z.string().transform((value, context) => {
    const tokens = new Map<string, string>();
    for (const pair of value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)) {
      const separator = pair.lastIndexOf('=');
      const token = pair.slice(0, separator);
      const user = pair.slice(separator + 1);
      if (separator <= 0 || user === '' || token.length < 8) {
        context.addIssue({ code: 'custom', message: 'expected token=user pairs; tokens of 8+ characters' });
        return z.NEVER;
      }
      tokens.set(token, user);
    }
    return tokens;
  }),
);

/** Every setting Threadline reads from the environment; documented in .env.example. */
export const configSchema = z
  .object({
    PORT: integer(8000, 0, 65_535),
    HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('127.0.0.1')),
    DATA_DIR: z.preprocess(emptyToUndefined, z.string().min(1).default('./data')),
    ENGINE: z.preprocess(emptyToUndefined, z.enum(['local', 'openai', 'assistants']).default('local')),
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    // auto: one readable line per request on a terminal, JSON lines otherwise (files, collectors).
    LOG_FORMAT: z.preprocess(emptyToUndefined, z.enum(['auto', 'pretty', 'json']).default('auto')),
    CORS_ORIGINS: list,
    WEB_DIST_DIR: optionalString,
    PUBLIC_URL: optionalUrl,

    MONGODB_URI: optionalString,
    // The local engine's threads, messages, runs, steps and assistants in PostgreSQL, shared by
    // every instance (a TCP URL, or a Unix socket: postgresql://user@/db?host=/run/postgresql).
    ENGINE_DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
        .optional(),
    ),
    MONGODB_DB: z.preprocess(emptyToUndefined, z.string().min(1).default('threadline')),

    DEFAULT_KNOWLEDGE_BASE: z.preprocess(emptyToUndefined, z.enum(['sample', 'none']).default('sample')),
    MAX_UPLOAD_BYTES: integer(50 * 1024 * 1024, 1, 512 * 1024 * 1024),
    INGEST_TIMEOUT_MS: integer(300_000, 1000, 3_600_000),
    INGEST_MAX_MEMORY_MB: integer(1536, 128, 16_384),
    CHUNK_SIZE_TOKENS: integer(800, 100, 4096),
    CHUNK_OVERLAP_TOKENS: integer(400, 0, 2048),
    RETRIEVAL_MAX_RESULTS: integer(20, 1, 50),
    RETRIEVAL_SCORE_THRESHOLD: number(0, 0, 1),
    RETRIEVAL_KEYWORD_WEIGHT: number(1, 0, 10),
    // Unset: the weight measured for the embedder in use (see ChunkEmbedder.vectorWeight).
    RETRIEVAL_VECTOR_WEIGHT: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(10).optional()),

    EMBEDDINGS: z.preprocess(emptyToUndefined, z.enum(['auto', 'minilm', 'hash']).default('auto')),
    EMBEDDING_MODEL_DIR: optionalString,
    EMBEDDING_MODEL_DOWNLOAD: z.preprocess(
      emptyToUndefined,
      z
        .enum(['true', 'false'])
        .default('true')
        .transform((value) => value === 'true'),
    ),
    EMBEDDING_THREADS: integer(1, 1, 16),
    // 0: one worker per core, up to 4 (minilm-worker-pool.ts).
    EMBEDDING_WORKERS: integer(0, 0, 16),
    EMBEDDINGS_BASE_URL: optionalUrl,
    EMBEDDINGS_API_KEY: optionalString,
    EMBEDDINGS_MODEL: z.preprocess(emptyToUndefined, z.string().default('text-embedding-3-small')),
    // `auto`: a model server found on this machine at start-up (engines/local/answer/answer-mode.ts).
    LLM_BASE_URL: z.preprocess(emptyToUndefined, z.union([z.literal('auto'), z.url()]).optional()),
    LLM_API_KEY: optionalString,
    LLM_MODEL: z.preprocess(emptyToUndefined, z.string().default('gpt-4o-mini')),
    // Unset: asked of the server (llama.cpp /props, Ollama /api/show, vLLM and LM Studio model info).
    LLM_CONTEXT_TOKENS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(256).max(10_000_000).optional(),
    ),

    // Speech (issue #28). Unset *_BASE_URL: in-process Whisper (STT_ENGINE `onnx`: the ONNX graphs
    // setup-speech.sh converts into STT_MODEL_DIR, on onnxruntime-node in a worker thread;
    // `faster-whisper`: the CTranslate2 weights in a Python worker process) and a Piper voice
    // (TTS_VOICE) or eSpeak NG; set: any OpenAI-compatible server.
    STT_BASE_URL: optionalUrl,
    STT_ENGINE: z.preprocess(emptyToUndefined, z.enum(['onnx', 'faster-whisper']).default('onnx')),
    STT_API_KEY: optionalString,
    STT_MODEL: z.preprocess(emptyToUndefined, z.string().default('whisper-1')),
    STT_MODEL_DIR: optionalString,
    STT_PYTHON: optionalString,
    STT_THREADS: integer(2, 1, 16),
    TTS_BASE_URL: optionalUrl,
    TTS_API_KEY: optionalString,
    TTS_MODEL: z.preprocess(emptyToUndefined, z.string().default('tts-1')),
    // A Piper voice (`<name>.onnx` beside its `.onnx.json`) for neural speech in-process; unset:
    // the one scripts/setup-speech.sh installs, if there; `espeak`: eSpeak NG only.
    TTS_VOICE: optionalString,

    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl,
    OPENAI_MODEL: z.preprocess(emptyToUndefined, z.string().default('gpt-4.1-mini')),
    ASSISTANTS_BASE_URL: optionalUrl,
    ASSISTANTS_API_KEY: optionalString,
    ASSISTANTS_ASSISTANT_ID: optionalString,
    // Unset: the assistant Threadline makes takes a listed model that writes answers.
    ASSISTANTS_MODEL: optionalString,
    /** The assistant every legacy quickstart run uses (the quickstart's OPENAI_ASSISTANT_ID). */
    LEGACY_ASSISTANT_ID: optionalString,

    AUTH_TOKENS: authTokens,
    TRUSTED_PROXY_USER_HEADER: optionalString,
    // A polling SDK client asks every 100 ms (openai-poll-after-ms): about 600 a minute.
    RATE_LIMIT_MAX: integer(3000, 1, 1_000_000),
    RATE_LIMIT_WINDOW_MS: integer(60_000, 1000, 86_400_000),
    AUTH_FAILURE_MAX: integer(30, 1, 1_000_000),
    AUTH_FAILURE_WINDOW_MS: integer(60_000, 1000, 86_400_000),
    REDIS_URL: optionalRedisUrl,

    HEARTBEAT_MS: integer(15_000, 100, 600_000),
    // A run belongs to its thread: the client that started it leaving lets it finish (continue)
    // or cancels it as before runs had event logs (cancel).
    ON_CLIENT_LEAVE: z.preprocess(emptyToUndefined, z.enum(['continue', 'cancel']).default('continue')),
    RUN_LOG_MAX_EVENTS: integer(10_000, 100, 1_000_000),
    RUN_LOG_RETENTION_MS: integer(60_000, 0, 86_400_000),
    SHUTDOWN_GRACE_MS: integer(10_000, 0, 600_000),
    WRITER_QUEUE_SIZE: integer(10_000, 1, 1_000_000),
    WRITER_BATCH_SIZE: integer(100, 1, 10_000),
  })
  .superRefine((config, context) => {
    if (config.CHUNK_OVERLAP_TOKENS * 2 > config.CHUNK_SIZE_TOKENS) {
      context.addIssue({
        code: 'custom',
        path: ['CHUNK_OVERLAP_TOKENS'],
        message: 'must be at most half of CHUNK_SIZE_TOKENS',
      });
    }
    if (config.ENGINE === 'openai' && !config.OPENAI_API_KEY) {
      context.addIssue({
        code: 'custom',
        path: ['OPENAI_API_KEY'],
        message: 'is required when ENGINE=openai',
      });
    }
    if (config.ENGINE_DATABASE_URL && config.ENGINE !== 'local') {
      context.addIssue({
        code: 'custom',
        path: ['ENGINE_DATABASE_URL'],
        message: 'needs ENGINE=local, the engine whose state it holds',
      });
    }
    if (config.LEGACY_ASSISTANT_ID && config.ENGINE !== 'local') {
      context.addIssue({
        code: 'custom',
        path: ['LEGACY_ASSISTANT_ID'],
        message: 'needs ENGINE=local, the engine that keeps assistants',
      });
    }
    if (config.ENGINE === 'assistants' && !config.ASSISTANTS_BASE_URL) {
      context.addIssue({
        code: 'custom',
        path: ['ASSISTANTS_BASE_URL'],
        message: 'is required when ENGINE=assistants',
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Reads the whole configuration at once and reports every bad setting together. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(environment);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || 'environment';
    const value = environment[name];
    const shown = value === undefined ? '' : ` (got ${JSON.stringify(isSecret(name) ? '***' : value)})`;
    return `${name}: ${issue.message}${shown}`;
  });
  throw new ConfigError(problems);
}

// Connection strings (MONGODB_URI, REDIS_URL, ENGINE_DATABASE_URL) routinely carry a password.
export const isSecret = (name: string) => /KEY|TOKEN|SECRET|PASSWORD|URI|REDIS_URL|DATABASE_URL/.test(name);
