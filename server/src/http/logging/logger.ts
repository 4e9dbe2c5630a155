import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { pino, type DestinationStream } from 'pino';
import type { Config } from '../../config.js';
import { createReadableLogStream } from './readable-log-stream.js';

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

/** Lines are written once this many bytes are waiting… */
export const logBatchBytes = 4096;
/** …or at least this often, and at exit. */
export const logFlushMs = 250;

/**
 * Where JSON log lines go: standard output by default, written in batches. pino's default
 * destination hands every line to the libuv thread pool on its own; at `info`, with a line or two
 * per request, that hand-off cost a stream's time to first event ~0.2 ms here (on 2 cores the pool
 * thread competes with everything else). Batched, a server at 100 requests a second writes about
 * ten times a second. A crash that kills the process outright (SIGKILL, out of memory) can lose
 * the last ≤ 250 ms of lines; an orderly exit, `process.exit` or an uncaught error included,
 * writes them first.
 */
export function logDestination(dest: number | string = 1): DestinationStream {
  return pino.destination({ dest, sync: false, minLength: logBatchBytes, periodicFlush: logFlushMs });
}

/**
 * Whether the log is for a person: `LOG_FORMAT=pretty`, or `auto` with standard output on a
 * terminal (a file, a pipe or a collector gets JSON lines).
 */
export function isReadableLog(
  config: Pick<Config, 'LOG_FORMAT'>,
  isTerminal = process.stdout.isTTY === true,
): boolean {
  return config.LOG_FORMAT === 'pretty' || (config.LOG_FORMAT === 'auto' && isTerminal);
}

/** `stream`: where the JSON lines go instead of standard output (tests, benchmarks). */
export function loggerOptions(config: Config, stream?: DestinationStream): FastifyServerOptions['logger'] {
  if (config.LOG_LEVEL === 'silent') return false;
  // Formatted in this process, not in pino-pretty's worker thread: a request is one line, and a
  // thread per process for a terminal's worth of lines is not worth its start-up and memory.
  const destination =
    stream ??
    (isReadableLog(config)
      ? createReadableLogStream(logDestination(), {
          isColored: process.stdout.isTTY === true && !process.env.NO_COLOR,
        })
      : logDestination());
  return {
    level: config.LOG_LEVEL,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    stream: destination,
  };
}

/**
 * One `info` line per request, when it is over: `request completed` with the request (method, URL,
 * client), the status and the response time. Fastify's default also logs `incoming request` at
 * `info` as each request arrives; serialising and writing that line took about 0.15 ms on the way
 * to a stream's first event here, so it is logged at `debug`. In JSON, streams also log
 * `stream started` once their first event is out (see follow-log.ts), so a long one is visible
 * before it ends; on a terminal a stream is its one line at the end.
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error)
      reply.log.error(
        { req: request, res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored',
      );
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
