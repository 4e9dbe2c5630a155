import { describe, expect, it } from 'vitest';
import { citedBlocks, passageBlocks } from './cited-passage.js';

// A passage as the server quotes it: Markdown, heading in bold, blocks apart.
const passage = [
  '**Data and backups**',
  '- With `MONGODB_URI` set, transcripts go to MongoDB.\n- If MongoDB is unreachable, writes wait in the outbox.',
  '```sh\ncp -r data backup\n\nls backup\n```',
  'Back up the data directory every night.',
].join('\n\n');

describe('passageBlocks', () => {
  it('parts Markdown at blank lines but keeps a fenced block whole', () => {
    expect(passageBlocks(passage)).toEqual([
      '**Data and backups**',
      '- With `MONGODB_URI` set, transcripts go to MongoDB.\n- If MongoDB is unreachable, writes wait in the outbox.',
      '```sh\ncp -r data backup\n\nls backup\n```',
      'Back up the data directory every night.',
    ]);
  });

  it('reads plain text without blank lines a line a block', () => {
    expect(passageBlocks('Title\nFirst line.\nSecond line.')).toEqual([
      'Title',
      'First line.',
      'Second line.',
    ]);
  });
});

describe('citedBlocks', () => {
  const cited = (claim: string) =>
    citedBlocks(passage, claim)
      .filter((block) => block.isCited)
      .map((block) => block.text);

  it.each([
    [
      'marks the block the claim quotes',
      '- With `MONGODB_URI` set, transcripts go to MongoDB.\n- If MongoDB is unreachable, writes wait in the outbox.',
      [passageBlocks(passage)[1]],
    ],
    [
      'marks a later block',
      'Back up the data directory every night.',
      ['Back up the data directory every night.'],
    ],
    ['marks nothing when the claim is about something else', 'The harbour opens at nine', []],
  ])('%s', (_name, claim, expected) => {
    expect(cited(claim)).toEqual(expected);
  });

  it('marks the whole passage when the answer quotes all of it', () => {
    expect(citedBlocks(passage, passage).every((block) => block.isCited)).toBe(true);
  });
});
