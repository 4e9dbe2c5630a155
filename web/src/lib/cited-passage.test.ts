import { describe, expect, it } from 'vitest';
import { citedPassage } from './cited-passage.js';

const passage =
  'Data and backups\n- With `MONGODB_URI` set, transcripts go to MongoDB. If MongoDB is unreachable, writes wait in the on-disk outbox.\nBack up the data directory.';
const cited = (segments: ReturnType<typeof citedPassage>) =>
  segments
    .filter((segment) => segment.isCited)
    .map((segment) => segment.text)
    .join('');

describe('citedPassage', () => {
  it('drops the backticks and keeps inline code as code', () => {
    const segments = citedPassage(passage, '');
    expect(segments.map((segment) => segment.text).join('')).not.toContain('`');
    expect(segments.find((segment) => segment.isCode)?.text).toBe('MONGODB_URI');
  });

  it.each([
    [
      'marks the sentence the claim paraphrases',
      'Transcripts go to MongoDB when MONGODB_URI is set.',
      'With MONGODB_URI set, transcripts go to MongoDB.',
    ],
    ['marks a later sentence', 'Remember to back up the data directory', 'Back up the data directory.'],
    [
      'marks a run of sentences the claim covers',
      'With MONGODB_URI set, transcripts go to MongoDB. If MongoDB is unreachable, writes wait in the on-disk outbox.',
      'With MONGODB_URI set, transcripts go to MongoDB. If MongoDB is unreachable, writes wait in the on-disk outbox.',
    ],
    ['marks nothing when the claim is about something else', 'The harbour opens at nine', ''],
  ])('%s', (_name, claim, expected) => {
    expect(cited(citedPassage(passage, claim)).replace(/^- /, '')).toBe(expected);
  });

  it('marks the whole passage when the answer quotes all of it', () => {
    const segments = citedPassage(passage, passage);
    expect(segments.every((segment) => segment.isCited)).toBe(true);
  });
});
