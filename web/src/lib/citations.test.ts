import { describe, expect, it } from 'vitest';
import {
  chipIndexFromHref,
  copyableAnswer,
  fileNameFromMarker,
  resolveCitations,
  type CitationRef,
} from './citations.js';

const ref = (
  marker: string,
  text: string,
  fileId: string,
  quote: string | null = null,
  from = 0,
): CitationRef => {
  const startIndex = text.indexOf(marker, from);
  return { marker, startIndex, endIndex: startIndex + marker.length, fileId, fileName: null, quote };
};

describe('copyableAnswer', () => {
  it('puts [n] where the markers were and lists the sources by file name', () => {
    const text = 'Use the VPN【1:0†it.md】. Rotate it【1:1†security.md】.';
    expect(
      copyableAnswer(text, [
        ref('【1:0†it.md】', text, 'file_it'),
        ref('【1:1†security.md】', text, 'file_sec'),
      ]),
    ).toBe('Use the VPN[1]. Rotate it[2].\n\nSources:\n[1] it.md\n[2] security.md');
  });

  it('copies an answer without citations as it is', () => {
    expect(copyableAnswer('  Plain **answer**.  ', [])).toBe('Plain **answer**.');
  });
});

describe('resolveCitations', () => {
  const text = 'Use the VPN【1:0†it.md】. Reset monthly【1:1†security.md】, see the VPN page【1:0†it.md】.';
  const refs = [
    ref('【1:0†it.md】', text, 'file_it', 'VPN required'),
    ref('【1:1†security.md】', text, 'file_sec', 'Rotate every 30 days'),
  ];

  it('numbers sources in order of first appearance and reuses numbers for repeats', () => {
    const { markdown, sources, chips } = resolveCitations(text, refs);
    expect(markdown).toBe(
      'Use the VPN[1](#cite-0). Reset monthly[2](#cite-1), see the VPN page[1](#cite-2).',
    );
    expect(sources).toEqual([
      { number: 1, fileId: 'file_it', fileName: 'it.md', quotes: ['VPN required'] },
      { number: 2, fileId: 'file_sec', fileName: 'security.md', quotes: ['Rotate every 30 days'] },
    ]);
    expect(chips).toEqual([
      { number: 1, quote: 'VPN required', claim: 'Use the VPN' },
      { number: 2, quote: 'Rotate every 30 days', claim: '. Reset monthly' },
      // the unannotated repeat borrows the marker's annotation
      { number: 1, quote: 'VPN required', claim: ', see the VPN page' },
    ]);
  });

  it('finds markers by text when offsets are stale', () => {
    const stale = refs.map((item) => ({ ...item, startIndex: 0, endIndex: 3 }));
    expect(resolveCitations(text, stale).markdown).toBe(resolveCitations(text, refs).markdown);
  });

  it('gives passages of one file one number, each chip keeping its own passage', () => {
    const two = 'A【0†a.md】 B【0†a.md】 C【1†b.md】';
    const { sources, chips } = resolveCitations(two, [
      ref('【0†a.md】', two, 'f', 'first'),
      ref('【0†a.md】', two, 'f', 'second', 3),
      ref('【1†b.md】', two, 'g', 'third'),
    ]);
    expect(chips).toEqual([
      { number: 1, quote: 'first', claim: 'A' },
      { number: 1, quote: 'second', claim: ' B' },
      { number: 2, quote: 'third', claim: ' C' },
    ]);
    expect(sources.map((source) => [source.number, source.quotes])).toEqual([
      [1, ['first', 'second']],
      [2, ['third']],
    ]);
  });

  it('turns unannotated markers into chips named from the marker', () => {
    const { markdown, sources } = resolveCitations('Fact【3:2†faq.md】', []);
    expect(markdown).toBe('Fact[1](#cite-0)');
    expect(sources).toEqual([{ number: 1, fileId: '', fileName: 'faq.md', quotes: [] }]);
  });

  it('hides a half-received marker only while streaming', () => {
    expect(resolveCitations('Partial【3:2†fa', [], { isStreaming: true }).markdown).toBe('Partial');
    expect(resolveCitations('Partial【3:2†fa', []).markdown).toBe('Partial【3:2†fa');
  });

  it('leaves text without citations alone', () => {
    expect(resolveCitations('No sources here.', [])).toEqual({
      markdown: 'No sources here.',
      sources: [],
      chips: [],
    });
  });
});

describe('marker helpers', () => {
  it.each([
    ['【4:0†source】', 'source'],
    ['【4:0†my file.pdf】', 'my file.pdf'],
    ['【4:0】', null],
  ])('%s → %s', (marker, expected) => expect(fileNameFromMarker(marker)).toBe(expected));

  it.each([
    ['#cite-3', 3],
    ['#cite-0', 0],
    ['#cite-x', null],
    ['https://x', null],
    [undefined, null],
  ])('href %s → %s', (href, expected) => expect(chipIndexFromHref(href)).toBe(expected));
});
