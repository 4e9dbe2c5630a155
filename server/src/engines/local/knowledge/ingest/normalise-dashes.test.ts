import { describe, expect, it } from 'vitest';
import { normaliseDashes, normalisePrintedQuotes } from './normalise-dashes.js';

describe('normaliseDashes', () => {
  it.each([
    ['git stash push \u2212\u2212include\u2212untracked', 'git stash push --include-untracked'],
    ['[\u2212q | \u2212\u2212quiet]', '[-q | --quiet]'],
    ['non\u2011breaking hy\u2010phen', 'non-breaking hy-phen'],
    ['git stash \u2013all', 'git stash --all'],
    ['expenses submit \u2013\u2013month 5', 'expenses submit --month 5'],
    ['run it with \u2014include-untracked', 'run it with --include-untracked'],
    ['(\u2013m)', '(--m)'],
    ['hyphen\u00ADation', 'hyphenation'],
    ['git reset --soft HEAD\u02C6 or HEAD\u02DC2', 'git reset --soft HEAD^ or HEAD~2'],
    // ssh_config(5) printed by groff: its wildcard is the asterisk operator.
    ['Host \u2217.co.uk', 'Host *.co.uk'],
    ['pages 3\u20135', 'pages 3\u20135'],
    ['this \u2014 that', 'this \u2014 that'],
    ['a\u2014b', 'a\u2014b'],
  ])('%j → %j', (input, expected) => {
    expect(normaliseDashes(input)).toBe(expected);
  });
});

describe('normalisePrintedQuotes', () => {
  it.each([
    // xargs(1), tar(1) and gzip(1) as groff prints them.
    ['xargs -I \u2019{}\u2019 -s 100000 rm \u2019{}\u2019', "xargs -I '{}' -s 100000 rm '{}'"],
    ['--xattrs-exclude=\u2019^user.\u2019', "--xattrs-exclude='^user.'"],
    ['a command like \u2019gunzip <foo.zip\u2019', "a command like 'gunzip <foo.zip'"],
    [
      'refer to the \u2018\u2018Security Considerations\u2019\u2019 chapter',
      'refer to the "Security Considerations" chapter',
    ],
    ['\u201Cquoted\u201D and don\u2019t', '"quoted" and don\'t'],
    ['plain text', 'plain text'],
  ])('%j → %j', (input, expected) => {
    expect(normalisePrintedQuotes(input)).toBe(expected);
  });
});
