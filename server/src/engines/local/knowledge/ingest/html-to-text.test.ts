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
    {
      // eSpeak NG's user guide (docs/guide.html, as Debian ships it): steps whose commands are a
      // `pre` inside the list item. Each command stays on its own line, as a person copies it.
      name: "a list item's example kept an example after the item's words",
      html:
        '<ol>\n  <li>\n    <p>Remove <em>pulseaudio</em> package install <em>alsa</em>:</p>\n\n' +
        '    <pre><code>sudo apt purge pulseaudio\nsudo apt autoremove\n</code></pre>\n  </li>\n' +
        '  <li>\n    <p>Reboot</p>\n\n    <pre><code>sudo reboot\n</code></pre>\n' +
        '    <p>Then try again.</p>\n  </li>\n  <li>Done.</li>\n</ol>',
      text:
        '1. Remove pulseaudio package install alsa:\n\n```\nsudo apt purge pulseaudio\nsudo apt autoremove\n```\n\n' +
        '2. Reboot\n\n```\nsudo reboot\n```\n\nThen try again.\n\n3. Done.',
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
      // DocBook XSL as Debian ships valgrind's manual: navigation tables (class `nav`, summary
      // "Navigation header"/"Navigation footer") and a `toc` div holding a `<dl class="toc">`.
      name: 'DocBook navigation tables and table of contents dropped',
      html:
        '<div><table class="nav" summary="Navigation header"><tr><td><a accesskey="p" href="a.html">' +
        '<img alt="Prev" src="prev.png"></a></td><th>Valgrind User Manual</th></tr></table></div>' +
        '<div class="chapter"><h1>2. Using the core</h1><div class="toc"><p><b>Table of Contents</b></p>' +
        '<dl class="toc"><dt><span class="sect1"><a href="#a">2.1. What Valgrind does</a></span></dt>' +
        '<dt><span class="sect1"><a href="#b">2.2. Getting started</a></span></dt></dl></div>' +
        '<p>Valgrind is designed to be non-intrusive.</p></div>' +
        '<div><table class="nav" summary="Navigation footer"><tr><td><a accesskey="p" href="a.html">' +
        '&lt;&lt; 1. Introduction</a></td><td><a accesskey="u" href="m.html">Up</a></td></tr></table></div>',
      text: '# 2. Using the core\n\nValgrind is designed to be non-intrusive.',
    },
    {
      // gtk-doc (libxslt's reference): a `navigation` table of icon links and the manual's title.
      name: 'a gtk-doc navigation table dropped',
      html:
        '<table class="navigation" summary="Navigation header"><tr><td><a href="index.html">' +
        '<img alt="Home" src="home.png"></a></td><th>libxslt Reference Manual</th></tr></table>' +
        '<h2>libxslt</h2><p>The XSLT C library.</p>',
      text: '## libxslt\n\nThe XSLT C library.',
    },
    {
      // texinfo (libffi's manual): Next/Index links in a `header` div, chapters in `section-toc`.
      name: 'texinfo header links and section menu dropped',
      html:
        '<div class="top" id="Top"><div class="header"><p>Next: <a href="Intro.html" rel="next">What ' +
        'is libffi?</a> [<a href="Index.html">Index</a>]</p></div><h1 class="top">libffi</h1>' +
        '<p>This manual is for libffi.</p><ul class="section-toc"><li><a href="Intro.html">Introduction</a>' +
        '</li><li><a href="Using.html">Using libffi</a></li></ul></div>',
      text: '# libffi\n\nThis manual is for libffi.',
    },
    {
      // Sphinx's classic theme: `related` bars and the `sphinxsidebar` around the body.
      name: 'Sphinx related bars and sidebar dropped',
      html:
        '<div class="related"><h3>Navigation</h3><ul><li><a href="genindex.html">index</a></li></ul></div>' +
        '<div class="document"><div class="body"><h1>Python Policy</h1><p>Packaging Python.</p></div></div>' +
        '<div class="sphinxsidebar"><div class="sphinxsidebarwrapper"><h3>Contents</h3><p>Go</p></div></div>',
      text: '# Python Policy\n\nPackaging Python.',
    },
    {
      // mammoth's HTML for a Word "Source Code" paragraph as pandoc writes it: lines broken by <br>.
      name: 'a code block whose lines are broken by <br> keeps its lines',
      html: '<pre>X-Python3-Version: &gt;= X.Y<br />XS-Python-Version: A.B, X.Y</pre>',
      text: '```\nX-Python3-Version: >= X.Y\nXS-Python-Version: A.B, X.Y\n```',
    },
    {
      // libxslt's pages (and many older manuals): the whole page laid out in tables, a menu of
      // links in one cell, a "Related links" table, the text with its headings in another.
      name: 'a page laid out with tables read as its text, its menus dropped',
      html:
        '<table><tr><td><img alt="logo" src="l.png"></td><td><table><tr><td><h1>The XSLT C library</h1>' +
        '<h2>Library internals</h2></td></tr></table></td></tr></table>' +
        '<table><tr><td><table><tr><td><center><b>Main Menu</b></center></td></tr><tr><td><form>' +
        '<input name="q"></form><ul><li><a href="index.html">Home</a></li><li><a href="intro.html">' +
        'Introduction</a></li></ul></td></tr></table>' +
        '<table><tr><td>Related links</td></tr><tr><td><a href="t.html">Tutorial</a><a href="m.html">' +
        'Man page for xsltproc</a></td></tr></table></td>' +
        '<td><h3>Table of contents</h3><ul><li><a href="#a">Introduction</a></li><li><a href="#b">Basics' +
        '</a></li></ul><h3>Introduction</h3><p>This document describes libxslt.</p></td></tr></table>',
      text: '# The XSLT C library\n\n## Library internals\n\n### Introduction\n\nThis document describes libxslt.',
    },
    {
      // Sphinx wraps each cell's text in a paragraph: still a data table.
      name: 'a data table whose cells hold one paragraph each kept as a table',
      html: '<table><tr><td><p>default-version</p></td><td><p>python3.11</p></td></tr></table>',
      text: '| default-version | python3.11 |\n| --- | --- |',
    },
    {
      name: 'content whose class only contains such letters kept',
      html:
        '<div class="section-header"><h2>Menus</h2></div><div class="navigational-note"><p>Open the ' +
        'menu.</p></div><dl><dt>term</dt><dd>A definition with <a href="x">a link</a> in it.</dd></dl>',
      text: '## Menus\n\nOpen the menu.\n\n**term**\n\nA definition with a link in it.',
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
      // Node.js 20's API pages, as shipped: one `pre` holds the example as CommonJS and as ES
      // modules, a checkbox choosing which shows.
      name: 'an example given in two flavours keeps both, each whole, never one run into the other',
      html:
        '<pre class="with-40-chars"><input class="js-flavor-toggle" type="checkbox" aria-label="Show modern ES modules syntax">' +
        '<code class="language-js cjs">const { fork } = require(\'node:child_process\');\n</code>' +
        '<code class="language-js mjs">import { fork } from \'node:child_process\';\n</code></pre>',
      text: "```js\nconst { fork } = require('node:child_process');\n\nimport { fork } from 'node:child_process';\n```",
    },
    {
      // mammoth's reading of a pandoc Word code block: a `code` for each line, parted by newlines.
      name: "a Word code block's lines, one unclassed code element each, stay lines",
      html: '<pre><code>X-Python3-Version: &gt;= X.Y</code>\n<code>XS-Python-Version: A.B, X.Y</code></pre>',
      text: '```\nX-Python3-Version: >= X.Y\nXS-Python-Version: A.B, X.Y\n```',
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
      // fontconfig-user.html as docbook-utils writes it: a listing in a shaded box, a `PRE` in a
      // one-cell `TABLE`, whose lines a Markdown table cell would run into one.
      name: 'a listing framed by a one-cell table stays a listing',
      html:
        '<TABLE BORDER="0" BGCOLOR="#E0E0E0" WIDTH="100%"><TR><TD><PRE CLASS="PROGRAMLISTING">' +
        '  Property        Type    Description\n  family          String  Font family names</PRE></TD></TR></TABLE>',
      text: '```\n  Property        Type    Description\n  family          String  Font family names\n```',
    },
    {
      // ninja's manual as DocBook XSL writes an AsciiDoc horizontal list: a row per tool, its name
      // in the first cell, what it does (a paragraph, an example) in the second.
      name: "a table listing definitions keeps each row's name as its term",
      html:
        '<table class="horizontal" border="0"><tbody><tr><td><p><code class="literal">query</code></p></td>' +
        '<td><p>dump the inputs and outputs of a given target.</p></td></tr>' +
        '<tr><td><p><code class="literal">browse</code></p></td><td><p>browse the dependency graph.</p>' +
        '<pre class="screen">ninja -t browse mytarget</pre></td></tr></tbody></table>',
      text:
        '**`query`**\n\ndump the inputs and outputs of a given target.\n\n**`browse`**\n\n' +
        'browse the dependency graph.\n\n```\nninja -t browse mytarget\n```',
    },
    {
      // underscore's single-page reference: each function a paragraph, its name in bold, its
      // signature right against it, a line break, then what it does.
      name: 'a paragraph headed by a bold name and a line break reads as an entry',
      html:
        '<p id="debounce">\n  <b class="header">debounce</b><code>_.debounce(function, wait)</code>\n  <br />\n' +
        '  Creates and returns a new debounced version of the passed function.\n</p>' +
        '<p><b>Note</b> that a bold word opening a paragraph is no entry.</p>',
      text:
        '**debounce `_.debounce(function, wait)`**\n\nCreates and returns a new debounced version of the passed function.\n\n' +
        'Note that a bold word opening a paragraph is no entry.',
    },
    {
      // mdbook (cargo's and the Rust book's pages, rustup's copy): the page's state as classes of
      // `<html>` ("sidebar-visible"), a keyboard-help pop-up and the sidebar before `<main>`, the
      // previous/next links after it. Before `<main>` was read alone, the class dropped the whole
      // page ("contains no text to index").
      name: "an mdbook page is read from its main content, whatever its html element's classes",
      html:
        '<!DOCTYPE html><html lang="en" class="light sidebar-visible"><body>' +
        '<div id="mdbook-help-container"><div id="mdbook-help-popup"><h2 class="mdbook-help-title">Keyboard shortcuts</h2>' +
        '<div><p>Press <kbd>S</kbd> or <kbd>/</kbd> to search in the book</p></div></div></div>' +
        '<div id="mdbook-body-container"><nav id="mdbook-sidebar" class="sidebar"><ol><li><a href="a.html">Guide</a></li></ol></nav>' +
        '<div id="mdbook-page-wrapper" class="page-wrapper"><div class="page"><div id="mdbook-content" class="content"><main>' +
        '<h1 id="specifying-dependencies"><a class="header" href="#specifying-dependencies">Specifying Dependencies</a></h1>' +
        '<p>Your crates can depend on other libraries from crates.io.</p>' +
        '<pre><code class="language-toml">[dependencies]\ntime = "0.1.12"\n</code></pre></main>' +
        '<nav class="nav-wrapper" aria-label="Page navigation"><a rel="next" href="b.html">Next</a></nav>' +
        '</div></div></div></div></body></html>',
      text:
        '# Specifying Dependencies\n\nYour crates can depend on other libraries from crates.io.\n\n' +
        '```toml\n[dependencies]\ntime = "0.1.12"\n```',
    },
    {
      // The Read the Docs Sphinx theme: every container of the text says "nav" (`wy-nav-content`),
      // the text itself is `role="main"`; breadcrumbs and the footer sit beside it.
      name: 'a Read the Docs page is read from its role="main" content',
      html:
        '<html><body class="wy-body-for-nav"><div class="wy-grid-for-nav">' +
        '<nav data-toggle="wy-nav-shift" class="wy-nav-side"><div class="wy-menu wy-menu-vertical"><ul><li><a href="a.html">Install</a></li></ul></div></nav>' +
        '<section data-toggle="wy-nav-shift" class="wy-nav-content-wrap"><nav class="wy-nav-top"><a href="#">Project</a></nav>' +
        '<div class="wy-nav-content"><div class="rst-content"><div role="navigation" aria-label="Page navigation"><ul class="wy-breadcrumbs"><li><a href="index.html">Docs</a></li></ul></div>' +
        '<div role="main" class="document" itemscope="itemscope"><div itemprop="articleBody"><section id="usage"><h1>Usage</h1>' +
        '<p>Run <code>tool --check</code> before you commit.</p></section></div></div>' +
        '<footer><p>&#169; Copyright 2026.</p></footer></div></div></section></div></body></html>',
      text: '# Usage\n\nRun `tool --check` before you commit.',
    },
    {
      name: 'a page without main whose body has a chrome-like class is read',
      html: '<html><body class="sidebar-open"><nav><a href="/">Home</a></nav><p>The text.</p></body></html>',
      text: 'The text.',
    },
    {
      // rustdoc: each method's summary holds its version, source link and signature heading.
      name: 'a summary holding a heading keeps the heading a heading',
      html:
        '<details class="toggle method-toggle" open><summary><section id="method.push" class="method">' +
        '<span class="rightside"><span class="since">1.0.0</span></span>' +
        '<h4 class="code-header">pub fn <a href="#method.push" class="fn">push</a>(&amp;mut self, value: T)</h4>' +
        '</section></summary><div class="docblock"><p>Appends an element to the back of a collection.</p></div></details>' +
        '<details><summary>History</summary><p>Added in v1.</p></details>',
      text:
        '1.0.0\n\n#### pub fn push(&mut self, value: T)\n\nAppends an element to the back of a collection.\n\n' +
        'History\n\nAdded in v1.',
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
