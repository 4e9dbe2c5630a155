import type { SearchHit } from '@threadline/shared';
import type { TermStatistics } from '../knowledge/search/term-statistics.js';
import { describe, expect, it } from 'vitest';
import { passagePlainText, renderPassage } from './passage-blocks.js';
import {
  answerPassages,
  comparedEntries,
  compoundShares,
  hitsToRead,
  isGroupIntro,
  maxReadPerFile,
  minimumCoverage,
  namesIn,
  toolIn,
  selectPassages,
} from './passage-selection.js';

const hit = (fileName: string, text: string): SearchHit => ({
  fileId: `file-${fileName}`,
  fileName,
  chunkId: `chunk-${fileName}`,
  score: 1,
  text,
  keywordRank: 1,
  vectorRank: 1,
});

const select = (focus: string, hits: SearchHit[], context: string | null = null) =>
  selectPassages({ focus, context, hits, topicFileIds: [] });

describe('namesIn', () => {
  it.each([
    ['How do I publish a package to PyPI?', ['pypi']],
    ['How do I run it in Docker on FAT32?', ['docker', 'fat32']],
    // Whisper heard "per day" as "per May": a capitalised everyday word names nothing.
    ['How much are meals reimbursed per May?', []],
    // A quantity is a value to set, not a thing the documents must name.
    ['How do I shrink the journal to 500M?', []],
    // So is a version (semver's README never writes "v1.2").
    ['How do I turn a loose string like v1.2 into a valid version?', []],
    ['Does it still work after upgrading to 2.0.0-beta.1 or v3.1.4?', []],
  ])('%s', (question, names) => {
    const found = namesIn(question);
    expect(found).toEqual(expect.arrayContaining(names));
    if (names.length === 0) expect(found).toEqual([]);
  });

  it('reads a number with a unit as a value, and a name with digits as a name', () => {
    const found = namesIn('How do I set a 30s timeout, a 2GiB cache and 1.5x speed on x86_64?');
    expect(found).toContain('x86');
    expect(found).not.toEqual(expect.arrayContaining(['30s']));
    expect(found.filter((term) => /^\d/.test(term) && term !== '64')).toEqual([]);
  });
});

describe('toolIn', () => {
  it.each([
    // People write tools the way they type them: lower case, so `namesIn` does not see them.
    ['How do I remove a package with apt?', ['apt']],
    ['How do I sort files by modification date with ls?', ['ls']],
    ['How do I see the history of a file in git?', ['git']],
    ['How do I extract a zip file using gunzip?', ['gunzip']],
    // An everyday word at the end is a place or a means, not a tool.
    ['How do I resolve a hostname to an IP address in my code?', []],
    ['How do I add my public key to a server with a key?', []],
    // Only a how-to's last phrase; a question that asks no task names no tool.
    ['How do I use apt for this?', []],
    ['What is a stash in git?', []],
  ])('%s', (question, tools) => {
    expect(toolIn(question)).toEqual(tools);
  });
});

describe('hitsToRead', () => {
  const ofFiles = (...names: string[]) =>
    names.map((name, index) => ({ ...hit(name, `text ${index}`), chunkId: `chunk-${index}` }));

  it('reads the next files once one file has filled its share of the read hits', () => {
    const hits = ofFiles(...Array<string>(9).fill('deploy.md'), 'faq.md', 'config.md', 'api.md', 'cli.md');
    const read = hitsToRead(hits);
    expect(read).toHaveLength(8);
    expect(read.filter((index) => hits[index]?.fileName === 'deploy.md')).toHaveLength(maxReadPerFile);
    expect(read).toContain(9);
    expect(read).toEqual([...read].sort((left, right) => left - right));
  });

  it('reads one file beyond its share when no other file has hits', () => {
    expect(hitsToRead(ofFiles(...Array<string>(10).fill('only.md')))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads every hit of the files a follow-up’s conversation cited, wherever it ranks', () => {
    const top = ['a.md', 'b.md', 'c.md', 'd.md', 'e.md', 'f.md', 'g.md', 'h.md'];
    const hits = ofFiles(...top, 'cited.md', 'elsewhere.md', 'cited.md');
    expect(hitsToRead(hits, ['file-cited.md'])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 10]);
    expect(hitsToRead(hits, [])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('compoundShares', () => {
  it.each([
    // One written word searched as three terms weighs as one: a third each.
    ['How do I make an HTTP request in Node.js?', { node: 1 / 3, js: 1 / 3, nodejs: 1 / 3 }],
    ['How do I use path.join()?', { path: 1 / 3, join: 1 / 3, pathjoin: 1 / 3 }],
    // A name in one piece weighs as the name; the fragments its capitals make add a share.
    ['How do I store transcripts in MongoDB?', { mongo: 1 / 3, db: 1 / 3 }],
    // A part the question also writes on its own is its own evidence.
    ['Does node run Node.js files?', { js: 1 / 3, nodejs: 1 / 3 }],
    ['How do I list my stashes?', {}],
  ])('%s', (question, expected) => {
    expect(Object.fromEntries(compoundShares(question))).toEqual(expected);
  });
});

describe('selectPassages', () => {
  it('reads an entry named after what a how-to acts on as saying its action', () => {
    const hits = [
      hit(
        'readline.html',
        '### `rl.question(query[, options])`\n\nDisplays the query to the user and waits for the user to type a reply.',
      ),
    ];
    const [entry] = select('How do I ask the user a question?', hits).passages;
    expect(entry?.hasAction).toBe(true);
    const [other] = select('How do I ask the user a question?', [
      hit('readline.html', '### `rl.write(data)`\n\nWrites data to the output for the user.'),
    ]).passages;
    expect(other?.hasAction).toBe(false);
  });

  it("ranks an option entry above the sentence introducing its group, though the group's heading shares more words", () => {
    // GNU tar's manual as a PDF gives it: a group heading, the sentence introducing the group,
    // then its entries.
    const hits = [
      hit(
        'tar.pdf',
        [
          '**File name matching options**',
          '',
          'These options affect both exclude and include patterns.',
          '',
          '**-X, --exclude-from=FILE**',
          '',
          'Exclude files matching patterns listed in FILE.',
          '',
          '**--anchored**',
          '',
          'Patterns match file name start.',
        ].join('\n'),
      ),
    ];
    const passages = select(
      'How do I exclude files matching a pattern when creating an archive?',
      hits,
    ).passages;
    const labels = passages.map((item) => item.passage.label);
    expect(labels[0]).toBe('-X, --exclude-from=FILE');
    expect(labels).toContain('File name matching options');
    expect(
      isGroupIntro(passages.find((item) => item.passage.label === 'File name matching options')!.passage),
    ).toBe(true);
    expect(isGroupIntro(passages[0]!.passage)).toBe(false);
  });

  it("ranks the entry named after a how-to's verb above one whose name only derives from it", () => {
    // GNU tar's options as its manual's PDF gives them; `--listed-incremental` covers more of the
    // question's words ("extracting", "archive") than `--list` does.
    const hits = [
      hit(
        'tar.pdf',
        [
          '**-g, --listed-incremental=FILE**',
          '',
          'Handle new GNU-format incremental backups. FILE is the name of a snapshot file, where tar stores additional information which is used to decide which files changed since the previous incremental dump. When extracting from an incremental archive, the contents of the snapshot file are used.',
          '',
          '**-t, --list**',
          '',
          'List the contents of an archive. Arguments are optional.',
        ].join('\n'),
      ),
    ];
    const [best] = select('How do I list the contents of an archive without extracting it?', hits).passages;
    expect(best?.passage.label).toBe('-t, --list');
    const [other] = select('How do I list and then delete the contents of an archive?', hits).passages;
    expect(other?.passage.label).toBe('-g, --listed-incremental=FILE');
  });

  it('ranks the entry named after what a how-to acts on above one whose name only starts with it', () => {
    // curl(1) as groff prints it; the ciphers entry ranked first and says "proxy" three times.
    const hits = [
      hit(
        'curl.pdf',
        [
          '**--proxy-tls13-ciphers <ciphersuite list>**',
          '',
          '(TLS) Specifies which cipher suites to use in the connection to your HTTPS proxy when it negotiates TLS 1.3. If --proxy-tls13-ciphers is provided several times, the last set value will be used for the proxy.',
          '',
          '**-x, --proxy [protocol://]host[:port]**',
          '',
          'Use the specified proxy. The proxy string can be specified with a protocol:// prefix.',
        ].join('\n'),
      ),
    ];
    const [best] = select('How do I use a proxy?', hits).passages;
    expect(best?.passage.label).toBe('-x, --proxy [protocol://]host[:port]');
  });

  it('does not read "turn off" in a passage as doing what "turn on" asks', () => {
    // Cargo's profiles page as pandoc writes it to Word: opt-level's value list says "turn off
    // loop vectorization"; the lto entry is the one about link-time optimization.
    const hits = [
      hit(
        'profiles.docx',
        [
          '### opt-level',
          '',
          'The `opt-level` setting controls the `-C opt-level` flag which controls the level of optimization.',
          '',
          '- `"s"`: optimize for binary size',
          '- `"z"`: optimize for binary size, but also turn off loop vectorization.',
          '',
          '### lto',
          '',
          'The `lto` setting controls `rustc`’s `-C lto` option, which controls LLVM’s link time optimizations.',
        ].join('\n'),
      ),
    ];
    const passages = select('How do I turn on link-time optimization?', hits).passages;
    const optLevel = passages.find((item) => item.passage.label === 'opt-level');
    expect(optLevel?.hasAction).toBe(false);
  });

  it('ranks the entry that writes what a how-to acts on as one word above one naming a part of it', () => {
    // systemd.service(5) as Word: `GuessMainPID=` comes first and names "PID"; `PIDFile=` is
    // "the PID file" written as one word.
    const hits = [
      hit(
        'systemd.service.docx',
        [
          '**GuessMainPID=**',
          '',
          'Takes a boolean value that specifies whether systemd should try to guess the main PID of a service if it cannot be determined reliably. This option is ignored unless Type=forking is set and PIDFile= is unset because with an explicitly configured PID file, the main PID is always known.',
          '',
          '**PIDFile=**',
          '',
          'Takes a path referring to the PID file of the service. Usage of this option is recommended for services where Type= is set to forking.',
        ].join('\n'),
      ),
    ];
    const [best] = select('How do I set the PID file?', hits).passages;
    expect(best?.passage.label).toBe('PIDFile=');
  });

  it('finds the entries of a comparison by headings that give examples after their names', () => {
    // semver's README, as its npm package ships it.
    const hits = [
      hit(
        'README.md',
        [
          '### Range Grammar',
          '',
          'Putting all this together, here is a Backus-Naur grammar for ranges, for the benefit of parser authors:',
          '',
          '#### Tilde Ranges `~1.2.3` `~1.2` `~1`',
          '',
          'Allows patch-level changes if a minor version is specified on the comparator. Allows minor-level changes if not.',
          '',
          '#### Caret Ranges `^1.2.3` `^0.2.5` `^0.0.4`',
          '',
          'Allows changes that do not modify the left-most non-zero element in the `[major, minor, patch]` tuple.',
        ].join('\n'),
      ),
    ];
    const entries = comparedEntries(select('What is the difference between tilde and caret ranges?', hits));
    expect(entries?.map((entry) => entry.passage.label)).toEqual([
      'Tilde Ranges `~1.2.3` `~1.2` `~1`',
      'Caret Ranges `^1.2.3` `^0.2.5` `^0.0.4`',
    ]);
  });

  it("ranks the entry named after a how-to's second task, its names apart as bzip2's manual writes them", () => {
    // bzip2's HTML manual labels an option `-k --keep`, both names in one code span; its
    // DESCRIPTION says more of the question's words.
    const hits = [
      hit(
        'bzip2-manual.html',
        [
          '## 2.3. DESCRIPTION',
          '',
          '`bzip2` expects a list of file names to accompany the command-line flags. Each file is replaced by a compressed version of itself, with the name `original_name.bz2`.',
          '',
          '**`-k --keep`**',
          '',
          "Keep (don't delete) input files during compression or decompression.",
        ].join('\n'),
      ),
    ];
    const [best] = select('How do I compress a file with bzip2 and keep it?', hits).passages;
    expect(best?.passage.label).toBe('`-k --keep`');
    const [asked] = select('How do I keep a file when bzip2 compresses it?', hits).passages;
    expect(asked?.passage.label).toBe('`-k --keep`');
  });

  it('ranks the entry named after the kind a how-to asks for above a higher-ranked tutorial', () => {
    // git-tag(1)'s option and a tutorial's section, in the shape the Git docs give them.
    const hits = [
      hit(
        'tutorial.txt',
        [
          '## Tagging a version',
          '',
          'An "annotated tag" is a real Git object: it holds a pointer to the state you want to tag, a tag name, the tagger and a message.',
        ].join('\n'),
      ),
      hit(
        'git-tag.txt',
        [
          '**-a, --annotate**',
          '',
          'Make an unsigned, annotated tag object.',
          '',
          '**-f, --force**',
          '',
          'Replace an existing tag with the given name (instead of failing).',
        ].join('\n'),
      ),
    ];
    const [best] = select('How do I create an annotated tag for a release?', hits).passages;
    expect(best?.passage.label).toBe('-a, --annotate');
    // A tag of no particular kind: the tutorial's section, first in rank, stays first.
    const [plain] = select('How do I create a tag for a release?', hits).passages;
    expect(plain?.passage.label).toBe('Tagging a version');
  });

  it('cites an entry written word for word in several manuals from the one named after what the question is about', () => {
    // Git's manuals each carry their own copy of `-S, --gpg-sign` (git-revert, git-rebase,
    // git-commit), in the shape the Git docs give them; retrieval ranks the copies by chance.
    const gpgSign = [
      '**-S[\\<keyid>], --gpg-sign[=\\<keyid>], --no-gpg-sign**',
      '',
      'GPG-sign commits. The `keyid` argument is optional and defaults to the committer identity.',
    ].join('\n');
    const filler = (name: string) =>
      hit(name, `**--other-${name}**\n\nSomething else entirely about ${name}.`);
    const hits = [
      hit('git-revert.txt', gpgSign),
      hit('git-rebase.txt', gpgSign),
      ...['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((name) => filler(`${name}.txt`)),
      // Tenth: past the hits read, still one retrieval returned.
      hit('git-commit.txt', gpgSign),
    ];
    const selection = select('How do I sign my commits with GPG?', hits);
    const [best] = answerPassages(selection, hits);
    expect(best?.passage.label).toContain('--gpg-sign');
    expect(hits[best?.source ?? -1]?.fileName).toBe('git-commit.txt');
    // A question no copy's file is named after keeps the copy retrieval ranked first.
    const [plain] = answerPassages(select('How do I GPG-sign with a given key?', hits), hits);
    expect(hits[plain?.source ?? -1]?.fileName).toBe('git-revert.txt');
    // A follow-up keeps citing the file its conversation cited.
    const followUp = selectPassages({
      focus: 'And how do I sign my commits?',
      context: 'How do I revert a commit?',
      hits,
      topicFileIds: ['file-git-revert.txt'],
    });
    const [kept] = answerPassages(followUp, hits);
    expect(hits[kept?.source ?? -1]?.fileName).toBe('git-revert.txt');
  });

  it("does not take an entry named after the document's own command for the one that does what a how-to asks", () => {
    // Every entry of pack(1) packs: `--pack=MODE` is named after the command, not after the task.
    const hits = [
      hit(
        'pack.pdf',
        [
          '**--pack=MODE**',
          '',
          'pack the files according to MODE: fast or small',
          '',
          '**-s, --small**',
          '',
          'make the packed files as small as possible',
        ].join('\n'),
      ),
    ];
    const [best] = select('How do I pack files as small as possible?', hits).passages;
    expect(best?.passage.label).toBe('-s, --small');
  });

  it('never answers a question to stop doing something with a passage that says to do it', () => {
    // GNU tar's overwrite options as its manual's PDF gives them.
    const hits = [
      hit(
        'tar.pdf',
        [
          '**--overwrite**',
          '',
          'Overwrite existing files when extracting.',
          '',
          '**-k, --keep-old-files**',
          '',
          'Don’t replace existing files when extracting.',
        ].join('\n'),
      ),
    ];
    const labels = (question: string) => select(question, hits).passages.map((item) => item.passage.label);
    expect(labels('How do I stop tar from overwriting existing files when extracting?')).toEqual([
      '-k, --keep-old-files',
    ]);
    expect(labels('How do I overwrite existing files when extracting?')[0]).toBe('--overwrite');
  });

  it('answers with the option named for doing what is asked, not its twin named for not doing it', () => {
    // GNU grep's file-name options as its manual's PDF gives them, the negated one first.
    const hits = [
      hit(
        'grep.pdf',
        [
          '**-L, --files-without-match**',
          '',
          'Suppress normal output; instead print the name of each input file from which no output would normally have been printed.',
          '',
          '**-l, --files-with-matches**',
          '',
          'Suppress normal output; instead print the name of each input file from which output would normally have been printed.',
          '',
          '**-u, --include-untracked, --no-include-untracked**',
          '',
          'Print the name of each untracked input file.',
        ].join('\n'),
      ),
    ];
    const labels = (question: string) => select(question, hits).passages.map((item) => item.passage.label);
    expect(labels('How do I print the names of files that match?')[0]).toBe('-l, --files-with-matches');
    // Asked not to, the negated one stands as it ranks.
    expect(labels('How do I print the name of each file without a match?')[0]).toBe(
      '-L, --files-without-match',
    );
    // An entry naming its positive form as well is no opposite.
    expect(labels('How do I print the name of each untracked file?')[0]).toBe(
      '-u, --include-untracked, --no-include-untracked',
    );
  });

  it('answers a follow-up about "it" from the passage the last answer quoted', () => {
    // resolv.conf(5)'s options as a Word document gives them; `sortlist` ranks first and says
    // "default" too.
    const timeout =
      '**timeout:n**\n\nSets the amount of time the resolver will wait for a response from a remote name server before retrying the query. The default is currently 5 seconds.';
    const hits = [
      hit(
        'resolv.conf.docx',
        '**sortlist**\n\nThis option allows addresses to be sorted. By default, they are not sorted.',
      ),
      hit('resolv.conf.docx', timeout),
    ];
    const followUp = (previousAnswer: string | null) =>
      selectPassages({
        focus: 'And what is its default?',
        context: 'What does the timeout option in resolv.conf do?',
        hits,
        topicFileIds: ['file-resolv.conf.docx'],
        previousAnswer,
      }).passages[0]?.passage.label;
    expect(followUp(`${timeout.replace(/\*\*/g, '')} 【1:0†resolv.conf.docx】`)).toBe('timeout:n');
    // Without the answer it continues, the first hit's "default" wins.
    expect(followUp(null)).toBe('sortlist');
  });

  it("trusts a follow-up's hit ranks less than a question's own", () => {
    // A follow-up's hits are ranked by the question it continues as much as by its own words.
    const filler = 'The weather report lists clouds over hills and valleys, nothing more to add here today.';
    const hits = [
      hit('alpha.md', `${filler} Zephyr is here.`),
      hit('filler-1.md', filler),
      hit('filler-2.md', `${filler} Quokka is here.`),
      hit('filler-3.md', filler),
      hit('beta.md', `${filler} Zephyr and quokka are both here.`),
    ];
    const best = (context: string | null) =>
      select('And what about zephyr quokka?', hits, context).passages[0]?.passage.blocks[0]?.text;
    // On its own, half the words in the first hit beat all of them four hits down…
    expect(best(null)).toContain('Zephyr is here');
    // …but a follow-up reads past the rank to the passage that says all it asks.
    expect(best('How do I configure the gizmo?')).toContain('Zephyr and quokka');
  });

  it('answers "what is X" from the section named after X', () => {
    const hits = [
      hit('deploy.md', '# Deploying Acme\n\nAcme is one process that serves the API.'),
      hit('readme.md', '# Acme\n\nAcme is a chat backend for your documents.'),
    ];
    const [best] = select('What is Acme?', hits).passages;
    expect(best && passagePlainText(best.passage, best.blocks)).toBe(
      'Acme\nAcme is a chat backend for your documents.',
    );
  });

  it('keeps a table header with only the rows that match', () => {
    const table = [
      '## Settings',
      '',
      '| setting | meaning |',
      '|---|---|',
      '| `PORT` | where the server listens |',
      '| `RATE_LIMIT_MAX` | requests per user per window (rate limit) |',
      '| `DATA_DIR` | where data lives |',
    ].join('\n');
    const [best] = select('What is the rate limit?', [hit('config.md', table)]).passages;
    expect(best && renderPassage(best.passage, best.blocks)).toBe(
      '**Settings**\n\n| setting | meaning |\n|---|---|\n| `RATE_LIMIT_MAX` | requests per user per window (rate limit) |',
    );
  });

  it('answers "what is the X setting" with the table row named X, not prose that mentions X', () => {
    const hits = [
      hit(
        'deploy.md',
        '## Data and backups\n\n- With `STORE_URI` set, records go to the store (database `STORE_DB`).',
      ),
      hit(
        'config.md',
        [
          '## Persistence',
          '',
          '| setting | default | meaning |',
          '|---|---|---|',
          '| `STORE_URI` | empty | Keep records in the store. |',
          '| `STORE_DB` | `acme` | Database name in the store. |',
        ].join('\n'),
      ),
    ];
    const [best] = select('What is the STORE_DB setting?', hits).passages;
    expect(best && renderPassage(best.passage, best.blocks)).toBe(
      '**Persistence**\n\n| setting | default | meaning |\n|---|---|---|\n| `STORE_DB` | `acme` | Database name in the store. |',
    );
  });

  it('never answers with the question itself', () => {
    const hits = [
      hit(
        'faq.md',
        '## Questions\n\nHow do I rotate the signing keys?\n\n## Keys\n\nRotate the signing keys with `acme keys rotate`.',
      ),
    ];
    const [best] = select('How do I rotate the signing keys?', hits).passages;
    expect(best && passagePlainText(best.passage, best.blocks)).toBe(
      'Keys\nRotate the signing keys with `acme keys rotate`.',
    );
  });

  it('answers from the section whose heading asks the question, even from a lower-ranked hit', () => {
    const hits = [
      hit(
        'ops.md',
        '## Outages\n\nWhen the cache is away, transcripts still go to MongoDB and are stored later.',
      ),
      hit('ops2.md', '## Backups\n\nBack up MongoDB, where transcripts are stored, every night.'),
      hit('faq.md', '**How do I store transcripts in MongoDB?**\nSet `MONGODB_URI` and restart.'),
    ];
    const [best] = select('How do I store transcripts in MongoDB?', hits).passages;
    expect(best?.passage.label).toBe('How do I store transcripts in MongoDB?');
  });

  it('weighs a phrase the documents write as one word once, though the index holds two forms of it', () => {
    // The index holds `branchname` (a placeholder's joined form) and `branchnam` (the word
    // stemmed); a passage saying `<branchname>` matches both. Every term weighs 1 here.
    const used = new Set(['chang', 'default', 'branch', 'name', 'branchname', 'branchnam']);
    const termStatistics: TermStatistics = {
      weights: (terms) =>
        new Map(
          terms.map((term) => [term, { idf: 1, chunks: used.has(term) ? 3 : 0, isKnown: used.has(term) }]),
        ),
      inFile: () => new Set(),
    };
    const hits = [
      hit('stash.md', 'branch <branchname>\n\nCreates and checks out a new branch named <branchname>.'),
    ];
    const selection = selectPassages({
      focus: 'How do I change the default branch name?',
      context: null,
      hits,
      topicFileIds: [],
      termStatistics,
    });
    expect([...selection.terms.keys()].filter((term) => term.startsWith('branchnam'))).toHaveLength(1);
    // branch and the joined phrase of the five terms (change, default, branch, name, branchname).
    expect(selection.coverage).toBeLessThan(0.7);
  });

  it('finds too little evidence when only the everyday words of a question match', () => {
    const hits = [
      hit(
        'guide.md',
        '## Changing settings\n\nChange a setting on the settings page, then restart the server.',
      ),
    ];
    expect(select('How do I change a flat tire on a car?', hits).coverage).toBeLessThan(minimumCoverage);
    expect(select('How do I change a setting?', hits).coverage).toBeGreaterThanOrEqual(minimumCoverage);
  });

  it('adds a passage of the same document only when it covers what the first does not', () => {
    const hits = [
      hit(
        'a.md',
        '## Backups\n\nBack up the database with `acme backup`.\n\n## Restores\n\nRestore the database from a backup with `acme restore`.\n\n## Colours\n\nThe theme colour is blue.',
      ),
    ];
    const twoParts = answerPassages(select('How do I back up and restore the database?', hits), hits);
    expect(twoParts.map((item) => item.passage.label).sort()).toEqual(['Backups', 'Restores']);
    const onePart = answerPassages(select('How do I back up the database?', hits), hits);
    expect(onePart.map((item) => item.passage.label)).toEqual(['Backups']);
  });

  it("adds another document's passage when its evidence is comparable, not when it is thin", () => {
    const hits = [
      hit('guide.md', '## Backups\n\nBack up the database nightly with `acme backup`.'),
      hit(
        'cli.md',
        '## Copies elsewhere\n\nBack up the database to another disk with `acme backup --to /mnt`.',
      ),
      hit('faq.md', '## Colours\n\nThe theme colour of the backup page is blue.'),
    ];
    const chosen = answerPassages(select('How do I back up the database?', hits), hits);
    expect(chosen.map((item) => hits[item.source]?.fileName)).toEqual(['guide.md', 'cli.md']);
  });
});
