import type { WireEngine } from '../../engines/index.js';

/** `heartbeatMs`: HEARTBEAT_MS, for streamed runs. */
export type V1Options = { engine: WireEngine; heartbeatMs: number };

/** Flattens OpenAI message content (a string or text parts) to the text Threadline stores. */
export function messageText(content: string | Array<{ type: string; text?: unknown }>): string | null {
  if (typeof content === 'string') return content;
  const texts = content.flatMap((part) =>
    part.type === 'text' && typeof part.text === 'string' ? [part.text] : [],
  );
  return texts.length === content.length && texts.join('').trim() !== '' ? texts.join('\n') : null;
}
