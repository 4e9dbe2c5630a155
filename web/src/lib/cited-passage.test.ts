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
  it('parts Markdown at blank lines and lists into items, but keeps a fenced block whole', () => {
    expect(passageBlocks(passage)).toEqual([
      '**Data and backups**',
      '- With `MONGODB_URI` set, transcripts go to MongoDB.',
      '- If MongoDB is unreachable, writes wait in the outbox.',
      '```sh\ncp -r data backup\n\nls backup\n```',
      'Back up the data directory every night.',
    ]);
  });

  it('keeps an item with its continuation lines and nested items, and an ordered item its number', () => {
    expect(passageBlocks('1. Install:\n   `npm ci`\n   - on Linux\n2. Start it.\n\nDone.')).toEqual([
      '1. Install:\n   `npm ci`\n   - on Linux',
      '2. Start it.',
      'Done.',
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
      'marks the items the claim quotes, with the heading it repeats',
      '**Data and backups**\n\n- With `MONGODB_URI` set, transcripts go to MongoDB.\n- If MongoDB is unreachable, writes wait in the outbox.',
      [
        '**Data and backups**',
        '- With `MONGODB_URI` set, transcripts go to MongoDB.',
        '- If MongoDB is unreachable, writes wait in the outbox.',
      ],
    ],
    [
      'marks the one item of a list the claim quotes, not the whole list',
      '**Data and backups**\n\n- If MongoDB is unreachable, writes wait in the outbox.',
      ['**Data and backups**', '- If MongoDB is unreachable, writes wait in the outbox.'],
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

  it('marks no heading alone: its words are in any claim about its section', () => {
    const marked = citedBlocks('**Restore**\n\nCopy the saved files back and start again.', 'Restore');
    expect(marked.filter((block) => block.isCited)).toEqual([]);
  });

  it('marks the whole passage when the answer quotes all of it', () => {
    expect(citedBlocks(passage, passage).every((block) => block.isCited)).toBe(true);
  });
});
