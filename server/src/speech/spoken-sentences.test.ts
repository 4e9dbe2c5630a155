import { describe, expect, it } from 'vitest';
import { spokenSentences } from './spoken-sentences.js';

describe('spokenSentences', () => {
  it.each([
    ['one short sentence', 'Keys rotate every ninety days.', ['Keys rotate every ninety days.']],
    [
      'sentences, each kept whole after the first',
      'Keys rotate monthly. Who approves it? The security lead does!',
      ['Keys rotate monthly.', 'Who approves it?', 'The security lead does!'],
    ],
    ['text without an end mark', 'Keys rotate monthly', ['Keys rotate monthly']],
    [
      'ten words, kept whole',
      'One two three four five six seven eight nine ten.',
      ['One two three four five six seven eight nine ten.'],
    ],
    [
      'a long first sentence, cut at its comma',
      'To rotate them, open the key management console and create a new key version. Then restart.',
      ['To rotate them,', 'open the key management console and create a new key version.', 'Then restart.'],
    ],
    [
      'a long first sentence without a comma, cut before a joining word',
      'Signing keys rotate every quarter and the platform team announces it a week before.',
      ['Signing keys rotate every quarter', 'and the platform team announces it a week before.'],
    ],
    [
      'a long first sentence whose comma and joining words come late, cut after eight words',
      'Signing keys for the staging cluster are rotated every ninety days by the platform team, and announced.',
      [
        'Signing keys for the staging cluster are rotated',
        'every ninety days by the platform team, and announced.',
      ],
    ],
    [
      'a long first sentence with nowhere to breathe, cut after eight words',
      'Signing keys rotate every ninety days platform team members each quarter yearly.',
      ['Signing keys rotate every ninety days platform team', 'members each quarter yearly.'],
    ],
    [
      'closing quotes stay with their sentence',
      'He said "stop." Then left.',
      ['He said "stop."', 'Then left.'],
    ],
    [
      'decimals and file names are not sentence ends',
      'Version 3.5 reads config.json first. Then it starts.',
      ['Version 3.5 reads config.json first.', 'Then it starts.'],
    ],
    ['punctuation alone is not a sentence', '... . Hello.', ['Hello.']],
    ['nothing', '', []],
  ])('%s', (_, text, pieces) => {
    expect(spokenSentences(text)).toEqual(pieces);
  });
});
