import { describe, expect, it } from 'vitest';
import { insertCitationMarkers, type ResponsesFileCitation } from './citation-markers.js';
import { CitationStream } from './citation-stream.js';

type Step = { text: string } | { citation: ResponsesFileCitation };

const cite = (index: number, fileId = 'file-a', filename = 'a.md'): Step => ({
  citation: { file_id: fileId, filename, index },
});

function play(steps: Step[]) {
  const stream = new CitationStream();
  let streamed = '';
  for (const step of steps) {
    const pieces = 'text' in step ? stream.pushText(step.text) : stream.pushCitation(step.citation);
    streamed += pieces.map((piece) => piece.text).join('');
  }
  streamed += stream
    .finish()
    .map((piece) => piece.text)
    .join('');
  return { stream, streamed };
}

describe('CitationStream', () => {
  const onTime: { name: string; steps: Step[] }[] = [
    {
      name: 'citation right after the text it cites',
      steps: [{ text: 'Leave is ' }, { text: '25 days.' }, cite(17)],
    },
    {
      name: 'citation arriving before its text (split inside a delta)',
      steps: [cite(6), { text: 'First. Second.' }, cite(14, 'file-b', 'b.md')],
    },
    { name: 'two citations at one index', steps: [{ text: 'Both.' }, cite(5), cite(5, 'file-b', 'b.md')] },
    { name: 'citation past the end of the text', steps: [{ text: 'Short.' }, cite(40)] },
    { name: 'emoji before a citation', steps: [{ text: '🙂 o' }, { text: 'k.' }, cite(5)] },
    { name: 'no citations', steps: [{ text: 'a' }, { text: 'b' }] },
  ];

  it.each(onTime)('matches insertCitationMarkers: $name', ({ steps }) => {
    const { stream, streamed } = play(steps);
    const text = steps.map((step) => ('text' in step ? step.text : '')).join('');
    const citations = steps.flatMap((step) => ('citation' in step ? [step.citation] : []));
    const expected = insertCitationMarkers(text, citations);
    expect(streamed).toBe(expected.text);
    expect(stream.text).toBe(expected.text);
    expect(stream.annotations).toEqual(expected.annotations);
  });

  it('puts a late citation at the current end, and indices still select the marker', () => {
    const { stream, streamed } = play([{ text: 'One. Two.' }, cite(4)]);
    expect(streamed).toBe('One. Two.【0:0†a.md】');
    const [annotation] = stream.annotations;
    expect(annotation && streamed.slice(annotation.start_index, annotation.end_index)).toBe('【0:0†a.md】');
  });

  it('numbers marker pieces by their place among the annotations', () => {
    const stream = new CitationStream();
    stream.pushText('A.');
    const [first] = stream.pushCitation({ file_id: 'file-a', filename: 'a.md', index: 2 });
    const [second] = stream.pushCitation({ file_id: 'file-b', filename: 'b.md', index: 2 });
    expect(first?.kind === 'marker' && first.ordinal).toBe(0);
    expect(second?.kind === 'marker' && second.ordinal).toBe(1);
  });

  it('drops waiting citations on discard', () => {
    const stream = new CitationStream();
    stream.pushCitation({ file_id: 'file-a', filename: 'a.md', index: 10 });
    stream.pushText('abc');
    stream.discardPending();
    expect(stream.finish()).toEqual([]);
    expect(stream.text).toBe('abc');
  });
});
