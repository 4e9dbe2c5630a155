import { describe, expect, it } from 'vitest';
import { defaultThreadTitle, maxTitleLength, messagePreview } from './thread-text.js';

describe('defaultThreadTitle', () => {
  const long =
    'How do I configure the retrieval score threshold and the maximum number of results for file search?';
  it.each([
    ['a short question stays as it is', 'What is BM25?', 'What is BM25?'],
    ['whitespace and newlines collapse', '  What\n\n is   BM25?\t ', 'What is BM25?'],
    ['an empty message gets a placeholder', '   \n ', 'New conversation'],
    [
      'a long message is cut at a word boundary with an ellipsis',
      long,
      'How do I configure the retrieval score threshold and the maximum number of…',
    ],
    ['one very long word is cut mid-word', 'x'.repeat(200), `${'x'.repeat(maxTitleLength)}…`],
  ])('%s', (_name, input, expected) => {
    expect(defaultThreadTitle(input)).toBe(expected);
  });

  it('never exceeds the limit plus the ellipsis', () => {
    expect(defaultThreadTitle(long).length).toBeLessThanOrEqual(maxTitleLength + 1);
  });
});

describe('messagePreview', () => {
  it.each([
    ['keeps short text', 'Done.', 'Done.'],
    ['collapses markdown line breaks', 'Line one\n\n- item', 'Line one - item'],
    ['cuts long text', `${'word '.repeat(60)}end`, `${'word '.repeat(32).trim()}…`],
    [
      'drops citation markers and Markdown',
      '**Backups**\n\nBack up with `acme backup` 【1:0†docs/faq.md】.\n\n```\n$ acme backup\n```\n\n【1:1†a.md】',
      'Backups Back up with acme backup. $ acme backup',
    ],
    [
      'reads a table as its cells',
      '**Persistence**\n\n| setting | default |\n|---|---|\n| `MONGODB_URI` | empty |',
      'Persistence setting · default MONGODB_URI · empty',
    ],
  ])('%s', (_name, input, expected) => {
    expect(messagePreview(input)).toBe(expected);
  });
});
