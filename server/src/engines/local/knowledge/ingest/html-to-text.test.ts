import { describe, expect, it } from 'vitest';
import { htmlToText } from './html-to-text.js';

describe('htmlToText', () => {
  it.each([
    {
      name: 'scripts and styles dropped',
      html: '<p>a</p><script>alert(1)</script><style>p{}</style><p>b</p>',
      text: 'a\n\nb',
    },
    {
      name: 'headings become markdown',
      html: '<h2 class="x">Setup <em>now</em></h2><p>go</p>',
      text: '## Setup now\n\ngo',
    },
    { name: 'list items', html: '<ul><li>one</li><li>two</li></ul>', text: '- one\n- two' },
    { name: 'entities', html: '<p>a &amp; b &lt;c&gt; &#233; &#x41; &nbsp;x</p>', text: 'a & b <c> é A x' },
    { name: 'comments dropped', html: 'a<!-- secret -->b', text: 'ab' },
    { name: 'head dropped', html: '<html><head><title>t</title></head><body>x</body></html>', text: 'x' },
  ])('$name', ({ html, text }) => {
    expect(htmlToText(html)).toBe(text);
  });
});
