import { describe, expect, it } from 'vitest';
import { speakableText } from './speakable-text.js';

describe('speakableText', () => {
  it.each([
    ['plain words stay', 'Rotate the keys every 90 days.', 'Rotate the keys every 90 days.'],
    ['Assistants citation markers go', 'Rotate them monthly【4:0†source】.', 'Rotate them monthly.'],
    ['numbered citations go', 'Use the staging cluster [1] first [2, 3].', 'Use the staging cluster first.'],
    ['footnote citations go', 'Approval comes from ops[^1].', 'Approval comes from ops.'],
    [
      'a code block becomes a spoken note',
      'Run this:\n\n```bash\nkubectl rollout restart deploy/api\n```\n\nThen wait.',
      'Run this: (code block shown on screen). Then wait.',
    ],
    ['inline code is read as its words', 'Set `MAX_UPLOAD_BYTES` first.', 'Set MAX_UPLOAD_BYTES first.'],
    ['links keep their text', 'See [the handbook](https://example.com/h).', 'See the handbook.'],
    ['bare links are named, not spelled', 'Go to https://example.com/x now.', 'Go to a link now.'],
    [
      'headings and emphasis lose their marks',
      '## Keys\n\n**Never** share _them_.',
      'Keys. Never share them.',
    ],
    ['list bullets go', '- one\n- two', 'one two'],
  ])('%s', (_, markdown, spoken) => {
    expect(speakableText(markdown)).toBe(spoken);
  });
});
