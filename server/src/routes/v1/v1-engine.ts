import type { KnowledgeBase } from '../../engines/local/knowledge/knowledge-base.js';
import type { LocalEngine } from '../../engines/local/local-engine.js';

/** The engine /v1 serves: the local one, with its knowledge base. */
export type V1Engine = LocalEngine<KnowledgeBase>;
/** `heartbeatMs`: HEARTBEAT_MS, for streamed runs. */
export type V1Options = { engine: V1Engine; heartbeatMs: number };

/** Flattens OpenAI message content (a string or text parts) to the text Threadline stores. */
export function messageText(content: string | Array<{ type: string; text?: unknown }>): string | null {
  if (typeof content === 'string') return content;
  const texts = content.flatMap((part) =>
    part.type === 'text' && typeof part.text === 'string' ? [part.text] : [],
  );
  return texts.length === content.length && texts.join('').trim() !== '' ? texts.join('\n') : null;
}
