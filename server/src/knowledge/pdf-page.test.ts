import { describe, expect, it } from 'vitest';
import { pageOfQuote } from './pdf-page.js';

const threePages = [
  'Onboarding guide\nrequest a laptop from the\nservice desk.',
  '-- 1 of 3 --',
  'Badges are issued on the first day. Parking permits',
  '-- 2 of 3 --',
  'come from facilities. The `vpn` client is installed for you.',
  '-- 3 of 3 --',
  '',
].join('\n\n');

describe('pageOfQuote', () => {
  it.each([
    ['a quote on the first page', 'request a laptop from the service desk.', 1],
    ['line breaks in the PDF text do not matter', 'Onboarding guide request a laptop', 1],
    ['a quote on a later page', 'Badges are issued on the first day.', 2],
    [
      'a passage running over a page break is on the page it starts on',
      'Parking permits come from facilities',
      2,
    ],
    ['Markdown marks in the quote are ignored', 'The vpn client is installed for you', 3],
    ['case is ignored', 'THE `VPN` CLIENT', 3],
    ['a quote that is not in the PDF', 'The cafeteria opens at noon.', null],
    ['an empty quote', '  ', null],
  ])('%s', (_name, quote, expected) => {
    expect(pageOfQuote(threePages, quote)).toBe(expected);
  });
});
