import { describe, expect, it } from 'vitest';
import { timestamp, toSrt, toVtt } from './subtitles.js';

describe('timestamp', () => {
  it.each([
    [0, ',', '00:00:00,000'],
    [1.5, ',', '00:00:01,500'],
    [62.345, '.', '00:01:02.345'],
    [3_725.0004, '.', '01:02:05.000'],
    [-1, ',', '00:00:00,000'],
  ] as const)('%s s with %s', (seconds, separator, expected) => {
    expect(timestamp(seconds, separator)).toBe(expected);
  });
});

const segments = [
  { id: 0, start: 0, end: 2.5, text: ' How do I rotate the keys?' },
  { id: 1, start: 2.5, end: 4, text: ' Who approves it?' },
];

describe('subtitles', () => {
  it('numbers SubRip cues from 1 with comma milliseconds', () => {
    expect(toSrt(segments)).toBe(
      '1\n00:00:00,000 --> 00:00:02,500\nHow do I rotate the keys?\n\n2\n00:00:02,500 --> 00:00:04,000\nWho approves it?\n',
    );
  });
  it('starts WebVTT with its header and uses dot milliseconds', () => {
    expect(toVtt(segments)).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nHow do I rotate the keys?\n\n00:00:02.500 --> 00:00:04.000\nWho approves it?\n',
    );
  });
});
