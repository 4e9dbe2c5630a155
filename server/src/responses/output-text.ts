import type { Message, ResponseFileCitation, ResponseOutputText } from '@threadline/shared';

/** A file's name for a citation; the id when the name is not known. */
export type FileNames = (fileId: string) => string;

/**
 * An Assistants message's text as the Responses API shows it: the citation markers
 * (`【4:0†hotels.md】`) taken out of the text, each becoming a `file_citation` annotation whose
 * `index` is where its marker stood in the text without markers.
 */
export function outputTextOf(message: Message, fileNames: FileNames): ResponseOutputText {
  let text = '';
  const annotations: ResponseFileCitation[] = [];
  for (const part of message.content) {
    if (part.type !== 'text') continue;
    if (text !== '' && part.text.value !== '') text += '\n';
    const markers = part.text.annotations
      .filter((annotation) => annotation.end_index > annotation.start_index)
      .sort((left, right) => left.start_index - right.start_index);
    let at = 0;
    for (const annotation of markers) {
      if (annotation.start_index < at) continue;
      text += part.text.value.slice(at, annotation.start_index);
      at = annotation.end_index;
      if (annotation.type !== 'file_citation') continue;
      const fileId = annotation.file_citation.file_id;
      annotations.push({
        type: 'file_citation',
        file_id: fileId,
        filename: fileNames(fileId),
        index: text.length,
      });
    }
    text += part.text.value.slice(at);
  }
  return { type: 'output_text', text, annotations, logprobs: [] };
}

/**
 * One streamed piece of text with its markers taken out: the text around them, and a citation at
 * each marker's place, in order. `offset` is how much clean text the message had before it.
 */
export function splitDelta(
  value: string,
  markers: Array<{ marker: string; fileId: string }>,
  offset: number,
  fileNames: FileNames,
): Array<{ text: string } | { citation: ResponseFileCitation }> {
  const pieces: Array<{ text: string } | { citation: ResponseFileCitation }> = [];
  let rest = value;
  let length = offset;
  for (const { marker, fileId } of markers) {
    const at = marker === '' ? -1 : rest.indexOf(marker);
    const before = at < 0 ? '' : rest.slice(0, at);
    if (before !== '') pieces.push({ text: before });
    length += before.length;
    pieces.push({
      citation: { type: 'file_citation', file_id: fileId, filename: fileNames(fileId), index: length },
    });
    if (at >= 0) rest = rest.slice(at + marker.length);
  }
  if (rest !== '') pieces.push({ text: rest });
  return pieces;
}
