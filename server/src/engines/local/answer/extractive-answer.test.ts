import type { SearchHit } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import type { AnswerPiece } from './answer-piece.js';
import { extractiveAnswerer, selectSentences, wordGroups } from './extractive-answer.js';
import { noRelevantInformationText } from './no-answer.js';

const hit = (fileName: string, text: string): SearchHit => ({
  fileId: `file-${fileName}`,
  fileName,
  chunkId: `${fileName}-0`,
  score: 0.5,
  text,
  keywordRank: 1,
  vectorRank: 1,
});

const travel = hit(
  'travel.md',
  '# Travel\n\nFlights are booked through the portal. Meals are reimbursed up to 60 euros per day.\n\n```\nmeals = 60\n```\n- Hotels are capped at 180 euros per night.',
);
const overlap = hit(
  'travel-copy.md',
  'Meals are reimbursed up to 60 euros per day. Unrelated closing words here.',
);

describe('selectSentences', () => {
  it.each<[string, string, SearchHit[], string[]]>([
    [
      'picks the sentence covering the query',
      'How much are meals reimbursed?',
      [travel],
      ['Meals are reimbursed up to 60 euros per day.'],
    ],
    [
      'list items stand alone; code is skipped',
      'hotel cap per night',
      [travel],
      ['Hotels are capped at 180 euros per night.'],
    ],
    [
      'deduplicates overlapping chunks',
      'meals reimbursed per day',
      [travel, overlap],
      ['Meals are reimbursed up to 60 euros per day.'],
    ],
    ['nothing relevant → nothing', 'capital of Mongolia', [travel], []],
    ['no content words → nothing', 'what is it?', [travel], []],
  ])('%s', (_name, query, hits, expected) => {
    expect(selectSentences(query, hits).map((item) => item.sentence)).toEqual(expected);
  });

  it('prefers higher-ranked chunks for equally good sentences', () => {
    const [first] = selectSentences('meals reimbursed', [overlap, travel]);
    expect(first?.source).toBe(0);
  });
});

describe('wordGroups', () => {
  it('splits into groups that join back to the text', () => {
    const text = 'one two three four five six seven eight';
    expect(wordGroups(text, 3)).toEqual(['one two three ', 'four five six ', 'seven eight']);
  });
});

describe('extractiveAnswerer', () => {
  const run = async (query: string, hits: SearchHit[]) => {
    const pieces: AnswerPiece[] = [];
    const input = {
      query,
      hits,
      conversation: [],
      instructions: null,
      model: 'm',
      functionTools: [],
      toolRounds: [],
      signal: new AbortController().signal,
    };
    for await (const piece of extractiveAnswerer(input)) pieces.push(piece);
    return pieces;
  };

  it('follows each sentence with its citation, quoting that sentence', async () => {
    const pieces = await run('meals reimbursed and hotel cap per night', [travel]);
    const citations = pieces.filter((piece) => piece.type === 'citation');
    expect(citations).toEqual([
      { type: 'citation', source: 0, quote: 'Meals are reimbursed up to 60 euros per day.' },
      { type: 'citation', source: 0, quote: 'Hotels are capped at 180 euros per night.' },
    ]);
    expect(pieces.at(-1)?.type).toBe('citation');
    expect(pieces.filter((piece) => piece.type === 'text').length).toBeGreaterThan(2);
  });

  it('says nothing relevant was found instead of inventing an answer', async () => {
    expect(await run('capital of Mongolia', [travel])).toEqual([
      { type: 'text', text: noRelevantInformationText },
    ]);
  });
});
