import type { Message } from '@threadline/shared';
import type { KnowledgeBase } from '../../src/engines/local/knowledge/knowledge-base.js';
import type { LocalEngine } from '../../src/engines/local/local-engine.js';

export type EngineAnswer = { text: string; quotes: string[]; citedFiles: string[] };

/**
 * Asks the local engine one question on a new thread over `storeId`, run to the end: the
 * answer's text, its citations' quotes and the names of the files they cite.
 */
export async function askLocalEngine(
  engine: LocalEngine<KnowledgeBase>,
  storeId: string,
  question: string,
  fileNames: ReadonlyMap<string, string>,
): Promise<EngineAnswer> {
  const thread = await engine.createThread({ vectorStoreIds: [storeId] });
  await engine.appendMessage(thread.id, { content: question });
  let message: Message | null = null;
  for await (const event of engine.streamRun(thread.id, {}, new AbortController().signal)) {
    if (event.event === 'thread.message.completed') message = event.data;
  }
  const part = message?.content[0];
  if (part?.type !== 'text') throw new Error('no text answer');
  const citations = part.text.annotations.flatMap((annotation) =>
    annotation.type === 'file_citation' ? [annotation.file_citation] : [],
  );
  return {
    text: part.text.value,
    quotes: citations.map((citation) => citation.quote ?? ''),
    citedFiles: citations.map((citation) => fileNames.get(citation.file_id) ?? citation.file_id),
  };
}
