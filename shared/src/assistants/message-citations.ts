import type { Message } from './objects.js';

/** A file citation located in a message's whole text (its text parts joined). */
export type MessageCitation = {
  marker: string;
  startIndex: number;
  endIndex: number;
  fileId: string;
  quote: string | null;
};

/**
 * A message's text and its file citations, with each annotation's indices shifted from its own
 * text part to the joined text. Server transcripts and the web client read messages the same way.
 */
export function textAndCitationsOf(message: Message): { text: string; citations: MessageCitation[] } {
  let text = '';
  const citations: MessageCitation[] = [];
  for (const part of message.content) {
    if (part.type !== 'text') continue;
    const offset = text.length;
    for (const annotation of part.text.annotations) {
      if (annotation.type !== 'file_citation') continue;
      citations.push({
        marker: annotation.text,
        startIndex: annotation.start_index + offset,
        endIndex: annotation.end_index + offset,
        fileId: annotation.file_citation.file_id,
        quote: annotation.file_citation.quote ?? null,
      });
    }
    text += part.text.value;
  }
  return { text, citations };
}
