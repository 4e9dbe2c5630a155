import { describe, expect, it } from 'vitest';
import { citedBlocks, passageBlocks, tableWithRows } from './cited-passage.js';

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

  it('keeps a table together in a chunk that opens inside it, and gives it an empty header', () => {
    // A chunk without blank lines that starts below the table's header (the MONGODB_DB answer's source).
    expect(passageBlocks('| `MONGODB_DB` | threadline |\n| `PORT` | 8000 |\nSet them before start.')).toEqual(
      ['| | |\n| --- | --- |\n| `MONGODB_DB` | threadline |\n| `PORT` | 8000 |', 'Set them before start.'],
    );
  });

  it('leaves a table that has its header as it is', () => {
    const table = '| setting | default |\n|:---|---:|\n| `PORT` | 8000 |';
    expect(passageBlocks(`Intro.\n\n${table}`)).toEqual(['Intro.', table]);
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

  it('marks the table row the claim quotes, not the whole table and not nothing', () => {
    const table = [
      '**Settings**',
      '| setting | default | meaning |\n| --- | --- | --- |\n| `PORT` | 8000 | the port the server listens on |\n| `MONGODB_DB` | threadline | the database transcripts go to |',
    ].join('\n\n');
    const [heading, tableBlock] = citedBlocks(
      table,
      '`MONGODB_DB` — threadline: the database transcripts go to',
    );
    expect(heading?.isCited).toBe(false);
    expect(tableBlock).toMatchObject({ isCited: true, citedRows: [false, true] });
    expect(tableWithRows(tableBlock!.text, tableBlock!.citedRows!)).toBe(
      '| setting | default | meaning |\n| --- | --- | --- |\n| `MONGODB_DB` | threadline | the database transcripts go to |',
    );
  });

  it('marks no row of a table the claim is not about', () => {
    const [block] = citedBlocks('| a | b |\n| --- | --- |\n| `PORT` | 8000 |', 'The harbour opens at nine');
    expect(block).toMatchObject({ isCited: false, citedRows: [false] });
  });

  it('marks the whole passage when the answer quotes all of it', () => {
    expect(citedBlocks(passage, passage).every((block) => block.isCited)).toBe(true);
  });
});
