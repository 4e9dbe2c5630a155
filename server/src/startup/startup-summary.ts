import { resolve } from 'node:path';
import type { Config } from '../config.js';
import { describeEmbeddings } from '../engines/index.js';

/**
 * What an operator needs to know once the server listens, one entry per line (label → text): how
 * it answers, what it searches with, where its data is, who may use it. One place to add a line.
 * Logged as one record: a block on a terminal, a `summary` object in JSON.
 */
export function startupSummary(
  config: Config,
  url: string,
  /** Who writes the answers, as start-up found out (resolveAnswerMode's line), when it did. */
  answerMode?: string,
): Record<string, string> {
  return {
    docs: `${url}/docs`,
    engine: describeEngine(config),
    answers: answerMode?.replace(/^Answers: /, '') ?? describeAnswers(config),
    embeddings: config.ENGINE === 'local' ? describeEmbeddings(config) : `the ${config.ENGINE} engine's own`,
    data: `${resolve(config.DATA_DIR)}${config.MONGODB_URI ? ' (transcripts in MongoDB)' : ''}`,
    auth: describeAuth(config),
  };
}

function describeEngine(config: Config): string {
  switch (config.ENGINE) {
    case 'local':
      return 'local (embedded: threads, runs and the knowledge base in DATA_DIR)';
    case 'openai':
      return `openai (${config.OPENAI_MODEL}, Responses + Conversations API${config.OPENAI_BASE_URL ? ` at ${new URL(config.OPENAI_BASE_URL).origin}` : ''})`;
    case 'assistants':
      return `assistants (${config.ASSISTANTS_BASE_URL ?? ''})`;
  }
}

function describeAnswers(config: Config): string {
  if (config.ENGINE !== 'local') return `written by the ${config.ENGINE} engine`;
  if (config.LLM_BASE_URL) return `written by ${config.LLM_MODEL} at ${new URL(config.LLM_BASE_URL).origin}`;
  return 'quoted from your documents, no model (set LLM_BASE_URL for written answers)';
}

function describeAuth(config: Config): string {
  const tokens = config.AUTH_TOKENS.size;
  if (tokens > 0) return `on: ${tokens} bearer token${tokens === 1 ? '' : 's'} (AUTH_TOKENS)`;
  if (config.TRUSTED_PROXY_USER_HEADER)
    return `on: the user from the ${config.TRUSTED_PROXY_USER_HEADER} header`;
  const isLoopback = ['127.0.0.1', 'localhost', '::1'].includes(config.HOST);
  return isLoopback
    ? 'off: one local user (set AUTH_TOKENS before listening beyond this machine)'
    : `off: anyone who reaches ${config.HOST}:${config.PORT} is the one local user (set AUTH_TOKENS)`;
}
