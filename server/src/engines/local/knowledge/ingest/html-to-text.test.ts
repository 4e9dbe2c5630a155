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
    {
      name: 'nested and numbered lists',
      html: '<ol><li>one<ul><li>inner</li></ul></li><li><p>two</p></li></ol>',
      text: '1. one\n  - inner\n2. two',
    },
    { name: 'entities', html: '<p>a &amp; b &lt;c&gt; &#233; &#x41; &nbsp;x</p>', text: 'a & b <c> é A x' },
    { name: 'comments dropped', html: 'a<!-- secret -->b', text: 'ab' },
    { name: 'head dropped', html: '<html><head><title>t</title></head><body>x</body></html>', text: 'x' },
    {
      name: 'the page’s navigation, header, footer and sidebar dropped',
      html:
        '<header><a href="/">Site</a> menu</header><nav><a href="/a">A</a></nav>' +
        '<div role="navigation"><p>Index</p></div><main><p>The text.</p></main>' +
        '<aside>Related</aside><footer>© someone</footer>',
      text: 'The text.',
    },
    {
      name: 'an article’s own header kept',
      html: '<section><header><h1>package.json</h1><p>Specifics</p></header><p>Body.</p></section>',
      text: '# package.json\n\nSpecifics\n\nBody.',
    },
    {
      name: 'a table of contents (a list of links) dropped with its heading',
      html:
        '<section id="toc"><h2>Table of contents</h2><ul><li><a href="#a">Description</a></li>' +
        '<li><a href="#b">files</a></li><li><a href="#c">dependencies</a></li></ul></section>' +
        '<h3 id="a">Description</h3><p>All you need.</p>',
      text: '### Description\n\nAll you need.',
    },
    {
      name: 'a list with links in its prose kept',
      html: '<ul><li>Use <a href="#e">engines</a> to say which Node.js works.</li><li>Keep it short.</li></ul>',
      text: '- Use engines to say which Node.js works.\n- Keep it short.',
    },
    {
      name: 'tables become Markdown tables',
      html:
        '<table><thead><tr><th>Field</th><th>Meaning</th></tr></thead>' +
        '<tbody><tr><td><code>files</code></td><td>what is | published</td></tr></tbody></table>',
      text: '| Field | Meaning |\n| --- | --- |\n| `files` | what is \\| published |',
    },
    {
      name: 'pre becomes fenced code with its language, inline code keeps backticks',
      html: '<p>Use <code>files</code>:</p><pre><code class="language-json">{\n  "files": ["lib"]\n}\n</code></pre>',
      text: 'Use `files`:\n\n```json\n{\n  "files": ["lib"]\n}\n```',
    },
    {
      name: 'permalink anchors dropped from headings',
      html: '<h2>Class: <code>Interface</code><span><a class="mark" href="#x">#</a></span></h2>',
      text: '## Class: `Interface`',
    },
    {
      name: 'a definition term and an all-bold paragraph become term lines',
      html: '<dl><dt>noauto</dt><dd>do not mount at boot</dd></dl><p><strong>drop [-q]</strong></p><p>Remove one.</p>',
      text: '**noauto**\n\ndo not mount at boot\n\n**drop [-q]**\n\nRemove one.',
    },
    {
      name: 'minus signs in options normalised',
      html: '<p>git stash \u2212\u2212all</p>',
      text: 'git stash --all',
    },
  ])('$name', ({ html, text }) => {
    expect(htmlToText(html)).toBe(text);
  });
});
