import { describe, expect, it } from 'vitest';
import { passagePlainText, renderPassage, splitPassages } from './passage-blocks.js';

describe('splitPassages', () => {
  it('opens a passage at each Markdown heading and keeps fenced code verbatim', () => {
    const passages = splitPassages(
      '# Hashing\n\nCompute a digest with `createHash`:\n\n```js\nconst hash = createHash("sha256");\n  hash.update(text);\n```\n\n## Next\n\nMore.',
    );
    expect(passages.map((passage) => passage.label)).toEqual(['Hashing', 'Next']);
    expect(passages[0]?.blocks).toEqual([
      { type: 'paragraph', text: 'Compute a digest with `createHash`:' },
      { type: 'code', text: 'const hash = createHash("sha256");\n  hash.update(text);', language: 'js' },
    ]);
  });

  it.each([
    ['an underlined AsciiDoc title', 'DESCRIPTION\n-----------\nSaves work.', 'DESCRIPTION', 'Saves work.'],
    [
      'an option term with its indented description',
      '--soft::\n\tDoes not touch\n\tthe index.',
      '--soft',
      'Does not touch the index.',
    ],
    [
      'two terms naming one option',
      '-n::\n--dry-run::\n\tShow what would be done.',
      '-n, --dry-run',
      'Show what would be done.',
    ],
    [
      'a heading followed by prose on the next line',
      '## Festival\nEvery year the town meets.',
      'Festival',
      'Every year the town meets.',
    ],
  ])('reads %s', (_name, text, label, paragraph) => {
    const [passage] = splitPassages(text);
    expect(passage?.label).toBe(label);
    expect(passage?.blocks[0]).toEqual({ type: 'paragraph', text: paragraph });
  });

  it('keeps AsciiDoc listing blocks and `$` transcripts as code', () => {
    const [passage] = splitPassages(
      'Undo a commit::\n+\n------------\n$ git commit ...\n$ git reset --soft HEAD^\n------------\n+\nThen edit.\n\n$ git stash pop\n$ git status',
    );
    expect(passage?.blocks).toEqual([
      { type: 'code', text: '$ git commit ...\n$ git reset --soft HEAD^' },
      { type: 'paragraph', text: 'Then edit.' },
      { type: 'code', text: '$ git stash pop\n$ git status' },
    ]);
  });

  it('reads a chunk cut inside a listing as that listing’s end, not its delimiter as an opening', () => {
    // The Git user manual's chunk that opens on the end of the interactive rebase's todo list.
    const passages = splitPassages(
      [
        '#  s, squash = use commit, but meld into previous commit',
        '#',
        '# Note that empty commits are commented out',
        '-------------------------------------------------',
        '',
        'As explained in the comments, you can reorder commits, squash them',
        'together, edit commit messages, etc. by editing the list.  Once you',
        'are satisfied, save the list and close your editor.',
        '',
        '-------------------------------------------------',
        '$ git rebase --continue',
        '-------------------------------------------------',
      ].join('\n'),
    );
    expect(passages.map((passage) => passage.label)).toEqual([null]);
    expect(passages[0]?.blocks.map((block) => block.type)).toEqual(['code', 'paragraph', 'code']);
    expect(passages[0]?.blocks[0]?.text).toMatch(/^# {2}s, squash[\s\S]*commented out$/);
    expect(passages[0]?.blocks[1]?.text).toMatch(/^As explained in the comments/);
    // A chunk opening on prose before its listing reads as it always did.
    const prose = splitPassages(
      'Run this to squash the last three commits into one:\n\n------\n$ git rebase -i HEAD~3\n------\n\nThen edit the list.',
    );
    expect(prose[0]?.blocks.map((block) => block.type)).toEqual(['paragraph', 'code', 'paragraph']);
    // Nor does one opening on its own title, whatever follows it.
    const titled = splitPassages(
      [
        'EXAMPLES',
        '--------',
        '$ git frotz --all',
        '$ git frotz main',
        '------------',
        'The first frotzes every branch, and the second only the main branch',
        'of the repository; neither of them touches the working tree',
        'or the index, and both can be run again at any time.',
        '------------',
      ].join('\n'),
    );
    expect(titled.map((passage) => passage.label)).toEqual(['EXAMPLES']);
  });

  it('reads a bare fence followed by a fence with an info string as a closing one', () => {
    // ws's README: a chunk opening on the end of the client authentication example.
    const passages = splitPassages(
      [
        'server.listen(8080);',
        '```',
        '',
        'Also see the provided [example][session-parse-example] using `express-session`.',
        '',
        '### Server broadcast',
        '',
        'A client WebSocket broadcasting to all connected WebSocket clients, including',
        'itself.',
        '',
        '```js',
        'const wss = new WebSocketServer({ port: 8080 });',
        '```',
      ].join('\n'),
    );
    expect(passages.map((passage) => passage.label)).toEqual([null, 'Server broadcast']);
    expect(passages[0]?.blocks.map((block) => block.type)).toEqual(['code', 'paragraph']);
    expect(passages[0]?.blocks[0]?.text).toBe('server.listen(8080);');
    expect(passages[1]?.blocks.map((block) => block.type)).toEqual(['paragraph', 'code']);
    expect(passages[1]?.blocks[1]).toMatchObject({ type: 'code', language: 'js' });
    // Node's readline page: an example's last lines, its fence, then a heading and a table.
    const headed = splitPassages(
      [
        "  console.log('File processed.');",
        '} catch (err) {',
        '  console.error(err);',
        '}',
        '```',
        '',
        '### TTY keybindings',
        '',
        '| Keybindings | Description |',
        '| --- | --- |',
        '| Ctrl+Shift+Backspace | Delete line left |',
      ].join('\n'),
    );
    expect(headed.map((passage) => passage.label)).toEqual([null, 'TTY keybindings']);
    expect(headed[0]?.blocks.map((block) => block.type)).toEqual(['code']);
    expect(headed[1]?.blocks.map((block) => block.type)).toEqual(['table']);
    // git-config(5): an example's last lines, the listing's end, then an underlined title.
    const titled = splitPassages(
      [
        '; include only if a remote with the given URL exists',
        '[includeIf "hasconfig:remote.*.url:https://example.com/**"]',
        '\tpath = foo.inc',
        '----',
        '',
        'Values',
        '~~~~~~',
        '',
        'Values of many variables are treated as a simple string, but there',
        'are variables that take values of specific types and there are rules',
        'as to how to spell them.',
      ].join('\n'),
    );
    expect(titled.map((passage) => passage.label)).toEqual([null, 'Values']);
    // Fastify's Recommendations guide: an nginx configuration's last lines, its fence, a link's
    // reference definition, then the next section's heading.
    const referenced = splitPassages(
      [
        '  # Custom nameserver to resolve upstream server names',
        '  # resolver 127.0.0.1;',
        '  location / {',
        '    proxy_pass http://fastify_app;',
        '  }',
        '}',
        '```',
        '',
        '[nginx]: https://nginx.org/',
        '',
        '## Common Causes Of Performance Degradation',
        '',
        'These patterns can increase latency or reduce throughput in production.',
      ].join('\n'),
    );
    expect(referenced.map((passage) => passage.label)).toEqual([
      null,
      'Common Causes Of Performance Degradation',
    ]);
    expect(referenced[0]?.blocks[0]?.type).toBe('code');
    expect(referenced[0]?.blocks[0]?.text).toMatch(/proxy_pass http:\/\/fastify_app;\n {2}\}\n\}$/);
    // Prose after the fence reads as prose with its links (Fastify's migration guide).
    const linked = splitPassages(
      [
        'fastify.listen({ port: 0 }, async function () {',
        "  const result = await fetch(fastify.listeningOrigin + '/7')",
        '  t.assert.ok(result.ok)',
        '})',
        '```',
        '',
        'See the [documentation](https://github.com/fastify/fastify/blob/main/docs/Reference/Hooks.md) and',
        '[its pull request](https://github.com/fastify/fastify/pull/5252) for the details of the new hooks, which',
        'replace the [diagnostics channel](https://nodejs.org/api/diagnostics_channel.html) events you used.',
      ].join('\n'),
    );
    expect(linked[0]?.blocks.map((block) => block.type)).toEqual(['code', 'paragraph']);
    expect(titled[0]?.blocks.map((block) => block.type)).toEqual(['code']);
    expect(titled[1]?.blocks.map((block) => block.type)).toEqual(['paragraph']);
  });

  it('reads a blockquote as one quoted paragraph, its markers dropped and its heading bold', () => {
    // pino's docs/api.md, as shipped in its npm package.
    const [passage] = splitPassages(
      [
        '### `err` (Error)',
        '',
        'The `errorKey` option can be used to change the key.',
        '> ## Note',
        '> This section describes the default configuration. The error serializer can be',
        '> mapped to a different key using the [`serializers`](#opt-serializers) option.',
        '```js',
        'logger.info(new Error("test"))',
        '```',
      ].join('\n'),
    );
    expect(passage?.blocks).toEqual([
      { type: 'paragraph', text: 'The `errorKey` option can be used to change the key.' },
      {
        type: 'paragraph',
        text: '> **Note** This section describes the default configuration. The error serializer can be mapped to a different key using the `serializers` option.',
      },
      { type: 'code', text: 'logger.info(new Error("test"))', language: 'js' },
    ]);
  });

  it('reads a title naming an option over its underline as a heading, not a listing', () => {
    // OpenSSH's README.Debian: "-L option of ssh nonfree" underlined with dashes.
    const passages = splitPassages(
      [
        '-L option of ssh nonfree',
        '------------------------',
        '',
        'non-free ssh supported the usage of the option -L to use a non privileged port for scp.',
        '',
        'Kerberos support',
        '----------------',
        '',
        'ssh is now compiled with Kerberos support.',
      ].join('\n'),
    );
    expect(passages.map((passage) => passage.label)).toEqual([
      '-L option of ssh nonfree',
      'Kerberos support',
    ]);
    expect(passages.flatMap((passage) => passage.blocks.map((block) => block.type))).toEqual([
      'paragraph',
      'paragraph',
    ]);
  });

  it('keeps list items and table rows whole, one per line', () => {
    const [passage] = splitPassages(
      'Steps:\n\n- install it\n  with npm\n- start it\n\n| key | value |\n|---|---|\n| PORT | 8000 |',
    );
    expect(passage?.blocks).toEqual([
      { type: 'paragraph', text: 'Steps:' },
      { type: 'list', text: '- install it with npm\n- start it' },
      { type: 'table', text: '| key | value |\n|---|---|\n| PORT | 8000 |' },
    ]);
  });

  it('never keeps a table of contents, a menu of links or a printed contents page', () => {
    const text = [
      '# Reference',
      '',
      '## Table of contents',
      '',
      '- [Install](#install)',
      '- [Usage](#usage)',
      '  - [Options](#options)',
      '    - [.validate(data, [schema | httpPart])](#validate)',
      '',
      '## Contents',
      '',
      'Installation . . . . . . . . 3',
      'Usage ........................ 5',
      '',
      '## Usage',
      '',
      '- Run [`acme start`](#start) to start it.',
      '- See [the options](#options).',
    ].join('\n');
    expect(splitPassages(text)).toEqual([
      {
        label: 'Usage',
        isTerm: false,
        level: 2,
        blocks: [{ type: 'list', text: '- Run `acme start` to start it.\n- See the options.' }],
      },
    ]);
  });

  it('reads links as their text and drops HTML anchors', () => {
    const [passage] = splitPassages(
      '### `genReqId` <a id="gen-request-id"></a>\n\nSee [the logger](https://example.com/a_(b)) and <b>this</b>.\n\n- [`pino`](https://x.y/pino) logs',
    );
    expect(passage?.label).toBe('`genReqId`');
    expect(passage?.blocks).toEqual([
      { type: 'paragraph', text: 'See the logger and this.' },
      { type: 'list', text: '- `pino` logs' },
    ]);
  });

  it("reads a FAQ's bold question line as the title of its answer", () => {
    const passages = splitPassages(
      '# FAQ\n\n**Is it free?**\nYes, under the MIT licence.\n\n**How do I store transcripts in MongoDB?**\nSet `MONGODB_URI`.\n\nSome **bold** words stay in text.',
    );
    // The heading with nothing under it is no passage of its own.
    expect(passages.map((passage) => passage.label)).toEqual([
      'Is it free?',
      'How do I store transcripts in MongoDB?',
    ]);
    expect(passages[1]?.blocks).toEqual([
      { type: 'paragraph', text: 'Set `MONGODB_URI`.' },
      { type: 'paragraph', text: 'Some **bold** words stay in text.' },
    ]);
  });

  it('drops AsciiDoc anchors and reads cross-references as their text', () => {
    const passages = splitPassages(
      'Cloning[[cloning]]\n------------------\nA clone copies the <<def_repository,repository>> and its <<history>>.\n\n[[next-section]]\nMore text.',
    );
    expect(passages[0]?.label).toBe('Cloning');
    expect(passages[0]?.blocks).toEqual([
      { type: 'paragraph', text: 'A clone copies the repository and its history.' },
      { type: 'paragraph', text: 'More text.' },
    ]);
  });

  it("keeps a manual's placeholders, which are not HTML", () => {
    const [passage] = splitPassages(
      '-S[<keyid>]::\n--gpg-sign[=<keyid>]::\n\tGPG-sign commits with <keyid>; run `git add <file>` first.',
    );
    expect(passage?.label).toBe('-S[<keyid>], --gpg-sign[=<keyid>]');
    expect(passage?.blocks[0]?.text).toBe('GPG-sign commits with <keyid>; run `git add <file>` first.');
  });
});

describe('passagePlainText', () => {
  it('reads a table as rows of cells, without pipes or the separator row', () => {
    const [passage] = splitPassages(
      '## Persistence\n\n| setting | default |\n|---|---|\n| `MONGODB_URI` | empty |',
    );
    expect(passage && passagePlainText(passage)).toBe(
      'Persistence\nsetting · default\n`MONGODB_URI` · empty',
    );
  });
});

describe('renderPassage', () => {
  it('puts the label on a line of its own and fences code with a fence longer than any backtick run', () => {
    const [passage] = splitPassages('## Run\n\nStart it:\n\n```\nnpm start ``` here\n```');
    expect(passage && renderPassage(passage)).toBe('**Run**\n\nStart it:\n\n````\nnpm start ``` here\n````');
  });

  it('adds no blank lines for a line that was only an HTML anchor', () => {
    // Fastify's docs put `<a id="…"></a>` under each heading.
    const [passage] = splitPassages(
      '#### .getHeaders()\n<a id="getheaders"></a>\n\nGets a copy of the headers.',
    );
    expect(passage && renderPassage(passage)).toBe('**.getHeaders()**\n\nGets a copy of the headers.');
  });

  it('escapes placeholders outside code so Markdown shows them instead of dropping them as HTML', () => {
    const [passage] = splitPassages(
      '--onto <newbase>::\n\tStart at <newbase>, as in `git rebase --onto <newbase>`.',
    );
    expect(passage && renderPassage(passage)).toBe(
      '**--onto \\<newbase>**\n\nStart at \\<newbase>, as in `git rebase --onto <newbase>`.',
    );
  });
});
