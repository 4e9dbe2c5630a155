import type { Message, SearchHit } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { createPassageAnswerer } from './passage-answer.js';

const question = (text: string): Message => ({
  id: 'msg_1',
  object: 'thread.message',
  created_at: 0,
  thread_id: 'thread_1',
  status: 'completed',
  incomplete_details: null,
  completed_at: 0,
  incomplete_at: null,
  role: 'user',
  content: [{ type: 'text', text: { value: text, annotations: [] } }],
  assistant_id: null,
  run_id: null,
  attachments: [],
  metadata: {},
});

const hit = (fileName: string, text: string): SearchHit => ({
  fileId: `file-${fileName}`,
  fileName,
  chunkId: `chunk-${fileName}`,
  score: 1,
  text,
  keywordRank: 1,
  vectorRank: 1,
});

async function answer(query: string, hits: SearchHit[]): Promise<string> {
  let text = '';
  for await (const piece of createPassageAnswerer()({
    query,
    hits,
    conversation: [question(query)],
    instructions: null,
    model: 'extractive',
    functionTools: [],
    toolRounds: [],
    signal: new AbortController().signal,
  }))
    if (piece.type === 'text') text += piece.text;
  return text;
}

describe('createPassageAnswerer', () => {
  it("does not take the next option's code as a how-to's example (an option list as a PDF gives it)", async () => {
    const manual = [
      '**ProxyJump**',
      '',
      'Specifies one or more jump proxies as [user@]host[:port]. Setting this option will cause ssh to connect to the target host through the jump host.',
      '',
      '**PubkeyAcceptedAlgorithms**',
      '',
      'Specifies the signature algorithms used for public key authentication. The default for this option is:',
      '',
      '```',
      'ssh-ed25519,rsa-sha2-512',
      '```',
    ].join('\n');
    const text = await answer('How do I connect to a host through a jump host?', [
      hit('ssh_config.pdf', manual),
    ]);
    expect(text).toContain('ProxyJump');
    expect(text).not.toContain('ssh-ed25519');
  });

  it("does not take the next API entry's code as an entry's example (a Markdown API reference)", async () => {
    // pino's docs/api.md: options as level-4 headings naming each in code.
    const manual = [
      '#### `name` (String)',
      '',
      'Default: `undefined`',
      '',
      'The name of the logger. When set adds a `name` field to every JSON line logged.',
      '',
      '#### `levelComparison` ("ASC", "DESC", Function)',
      '',
      'Use this option to customize levels order.',
      '',
      '```js',
      "const logger = pino({ levelComparison: 'DESC' })",
      '```',
    ].join('\n');
    const text = await answer('How do I add a name to every log line?', [hit('api.md', manual)]);
    expect(text).toContain('adds a `name` field to every JSON line');
    expect(text).not.toContain('levelComparison');
    // An argument's heading under its method's is the method's own: its example belongs.
    const method = [
      '### `logger.child(bindings, [options]) => logger`',
      '',
      'The `logger.child` method allows for the creation of stateful loggers.',
      '',
      '#### `bindings` (Object)',
      '',
      'An object of key-value pairs to include in every log line output via the returned child logger.',
      '',
      '```js',
      "const child = logger.child({ MIX: {IN: 'always'} })",
      '```',
    ].join('\n');
    const child = await answer('How do I create a stateful child logger?', [hit('api.md', method)]);
    expect(child).toContain('creation of stateful loggers');
    expect(child).toContain('const child = logger.child(');
  });

  it("does not take the next section's listing as a section's example", async () => {
    // valgrind's DHAT chapter (DocBook HTML): "Output File", then the viewer's sections.
    const manual = [
      '### 10.2.2. Output File',
      '',
      'DHAT writes detailed profiling information to a file named `dhat.out.<pid>`; its name can be changed with the `--dhat-out-file` option.',
      '',
      "## 10.3. DHAT's Viewer",
      '',
      "DHAT's viewer can be run in a web browser by loading the file `dh_view.html`.",
      '',
      '### 10.3.1. The Output Header',
      '',
      'The first part of the output shows the mode, program command and process ID. For example:',
      '',
      '```',
      'Invocation {',
      '  Mode:    heap',
      '}',
      '```',
    ].join('\n');
    const text = await answer('How do I change the name of the output file?', [
      hit('dh-manual.html', manual),
    ]);
    expect(text).toContain('--dhat-out-file');
    expect(text).not.toContain('Invocation');
  });

  it('answers a how-to that acts on nothing with the option named after what it is about', async () => {
    // wget(1) printed to PDF: the option never says "download", so the description that does answered.
    const manual = [
      '## DESCRIPTION',
      '',
      'GNU Wget is a free utility for non-interactive download of files from the Web. It supports HTTP, HTTPS, and FTP protocols, as well as retrieval through HTTP proxies.',
      '',
      '**-b --background**',
      '',
      'Go to background immediately after startup. If no output file is specified via the -o, output is redirected to wget-log.',
    ].join('\n');
    const text = await answer('How do I download in the background?', [hit('wget.pdf', manual)]);
    expect(text).toMatch(/^\*\*-b --background\*\*\n\nGo to background immediately after startup\./);
  });

  it('still brings the example that follows a section under its own heading', async () => {
    const manual = [
      '## Saving work',
      '',
      'Use stash to save your uncommitted work and get a clean working directory.',
      '',
      '## Examples',
      '',
      'Save your work:',
      '',
      '```',
      'git stash push',
      '```',
    ].join('\n');
    const text = await answer('How do I save my uncommitted work?', [hit('stash.md', manual)]);
    expect(text).toContain('git stash push');
  });

  it('quotes an example once when its section also answers in its own right', async () => {
    // valgrind's Cachegrind chapter, printed to PDF by Chromium.
    const manual = [
      '## 5.2. Using Cachegrind, cg_annotate and cg_merge',
      '',
      'First off, as for normal Valgrind use, you probably want to compile with debugging info (the -g option). But by contrast with normal Valgrind use, you probably do want to turn optimisation on, since you should profile your program as it will be normally run.',
      '',
      'Then, you need to run Cachegrind itself to gather the profiling information, and then run cg_annotate to get a detailed presentation of that information. As an optional intermediate step, you can use cg_merge to sum together the outputs of multiple Cachegrind runs into a single file which you then use as the input for cg_annotate.',
      '',
      '## 5.2.1. Running Cachegrind',
      '',
      'To run Cachegrind on a program prog, run:',
      '',
      '```',
      'valgrind --tool=cachegrind prog',
      '```',
    ].join('\n');
    const text = await answer('How do I run cachegrind on my program?', [hit('cg-manual.pdf', manual)]);
    expect(text).toContain('Running Cachegrind');
    expect(text.match(/valgrind --tool=cachegrind prog/g)).toHaveLength(1);
  });

  it('answers a comparison with the entry of each thing, in the order asked, wherever they ranked', async () => {
    // As the run's search returns them: the whole question's hits first (an entry that mentions
    // both), then each thing's own chunks, past the 8 hits a question is otherwise read from.
    const section = (name: string, ...paragraphs: string[]) =>
      hit(`${name}.md`, [`### ${name}`, ...paragraphs].join('\n\n'));
    const hits = [
      section(
        'optionalDependencies',
        'If a dependency can be used, but you would like npm to proceed if it cannot be found, put it in `optionalDependencies`. The difference from `dependencies` is that build failures do not cause installation to fail; unlike `devDependencies`, they are installed.',
      ),
      ...['engines', 'os', 'cpu', 'private', 'scripts', 'config', 'bin', 'man'].map((name) =>
        section(name, `The ${name} field of package.json.`),
      ),
      section(
        'dependencies',
        'Dependencies are specified in a simple object that maps a package name to a version range.',
        'Please do not put test harnesses or transpilers in your `dependencies` object. See `devDependencies`, below.',
      ),
      section(
        'devDependencies',
        "If someone is using your module in their program, they probably don't want to download and build the external test or documentation framework that you use.",
        'In this case, map these additional items in a `devDependencies` object.',
      ),
    ];
    const text = await answer('What is the difference between dependencies and devDependencies?', hits);
    expect(text).not.toContain('optionalDependencies');
    const dependencies = text.indexOf('**dependencies**\n\nDependencies are specified in a simple object');
    const devDependencies = text.indexOf('**devDependencies**\n\nIf someone is using your module');
    expect(dependencies).toBeGreaterThanOrEqual(0);
    expect(devDependencies).toBeGreaterThan(dependencies);
    expect(text).toContain('external test or documentation framework');
    // Asked the other way round, answered the other way round.
    const reversed = await answer('devDependencies vs dependencies', hits);
    expect(reversed.indexOf('**devDependencies**')).toBeGreaterThanOrEqual(0);
    expect(reversed.indexOf('**dependencies**')).toBeGreaterThan(reversed.indexOf('**devDependencies**'));
  });
});
