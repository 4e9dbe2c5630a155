import type { FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';

/** Paths pino blanks out wherever they appear in a log line. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.apiKey',
  '*.api_key',
  '*.password',
  '*.token',
  'config.OPENAI_API_KEY',
  'config.LLM_API_KEY',
  'config.EMBEDDINGS_API_KEY',
  'config.ASSISTANTS_API_KEY',
  'config.MONGODB_URI',
  'config.AUTH_TOKENS',
];

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  if (config.LOG_LEVEL === 'silent') return false;
  const isPretty = config.LOG_PRETTY === 'true' || (config.LOG_PRETTY === 'auto' && process.stdout.isTTY);
  return {
    level: config.LOG_LEVEL,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    ...(isPretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  };
}
