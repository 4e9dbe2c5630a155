import { describe, expect, it } from 'vitest';
import { joinLines, pdfLayoutText, type PdfPage, type PdfTextItem } from './pdf-layout.js';

// Positions as groff prints a manual page on A4 (595 × 842 points, 10-point Times, 12-point
// lines): section headings bold at the margin (x 72), body text at 108, a definition at 128.
const fonts = {
  roman: { isBold: false, isItalic: false, isMonospace: false },
  bold: { isBold: true, isItalic: false, isMonospace: false },
  mono: { isBold: false, isItalic: false, isMonospace: true },
};
type FontName = keyof typeof fonts;
const run = (text: string, x: number, y: number, font: FontName = 'roman', size = 10): PdfTextItem => ({
  text,
  x,
  y,
  width: text.length * size * 0.45,
  size,
  font,
});
const page = (items: PdfTextItem[]): PdfPage => ({ width: 595, height: 842, items, fonts });
const header = (y = 794) => [
  run('GIT\u2212STASH(1)', 72, y),
  run('Git Manual', 283, y),
  run('GIT\u2212STASH(1)', 475, y),
];
const footer = (number: number) => [
  run('Git 2.39.5', 72, 74),
  run('10/07/2025', 283, 74),
  run(String(number), 535, 74),
];
const body = (text: string) =>
  text
    .replace(/^-- \d+ of \d+ --$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

describe('pdfLayoutText', () => {
  it('drops the running header and footer repeated on every page, page numbers counted alike', () => {
    const pages = [1, 2, 3].map((number) =>
      page([...header(), run(`Paragraph on page ${number}.`, 108, 700), ...footer(number)]),
    );
    const text = pdfLayoutText(pages);
    expect(text).not.toMatch(/Git Manual|GIT-STASH|2\.39\.5|10\/07\/2025/);
    expect(text).toContain('Paragraph on page 2.');
    expect(text.match(/^-- \d of 3 --$/gm)).toEqual(['-- 1 of 3 --', '-- 2 of 3 --', '-- 3 of 3 --']);
  });

  it("drops a browser's print header where one page reads it as two lines", () => {
    // Chromium's print header (page.pdf with displayHeaderFooter, as playwright-core drives it):
    // the date on the left, the title in the middle, the URL and "n/N" at the bottom. On the first
    // page the line below starts where the title does, so the title reads as a hanging tag there.
    const printHeader = [
      run('12/7/26, 5:20 AM', 20, 820, 'roman', 8),
      run('4. Memcheck', 250, 820, 'roman', 8),
    ];
    const printFooter = (number: number) => [
      run(`file:///doc/mc-manual.html ${number}/3`, 20, 17, 'roman', 8),
    ];
    const text = pdfLayoutText([
      page([
        ...printHeader,
        run('Valgrind User Manual', 250, 766),
        run('Memcheck detects errors.', 72, 700),
        ...printFooter(1),
      ]),
      page([...printHeader, run('It reports leaks.', 72, 766), ...printFooter(2)]),
      page([...printHeader, run('It checks frees.', 72, 766), ...printFooter(3)]),
    ]);
    expect(text).not.toMatch(/5:20 AM|4\. Memcheck|file:\/\//);
    expect(text).toContain('Valgrind User Manual');
    expect(text).toContain('It reports leaks.');
  });

  it('reads an option whose synopsis ends on a lone semicolon as a term', () => {
    // find(1) through groff: `-ok command ;` takes a literal `;`, which ends no sentence.
    const text = pdfLayoutText([
      page([
        run('-ok command ;', 108, 700, 'bold'),
        run('Like -exec but ask the user first. If the user agrees, run the command.', 128, 688),
      ]),
    ]);
    expect(text).toContain('**-ok command ;**\n\nLike -exec but ask the user first.');
  });

  it('reads a listing whose first line starts left of the rest as one example, not a term', () => {
    // valgrind's Memcheck chapter printed by Chromium: a report in monospace, its message at the
    // margin and its stack trace indented, after a line of prose; across a page break too.
    const text = pdfLayoutText([
      page([
        run('You get these complaints ...', 72, 700),
        run('Invalid free()', 80, 680, 'mono'),
        run('at 0x4004FFDF: free (vg_clientmalloc.c:577)', 100, 668, 'mono'),
        run('88', 80, 640, 'mono'),
        run('(8 direct, 80 indirect) bytes in 1 blocks are definitely lost', 100, 640, 'mono'),
        run('at 0x........: malloc (vg_replace_malloc.c:...)', 100, 628, 'mono'),
        run('Address 0x3807F7B4 is 0 bytes inside a block of size 177', 80, 90, 'mono'),
      ]),
      page([
        run('at 0x4004FFDF: free (vg_clientmalloc.c:577)', 100, 794, 'mono'),
        run('Memcheck keeps track.', 72, 760),
      ]),
    ]);
    expect(text).not.toContain('**');
    expect(text).toContain('You get these complaints ...\n\n```\nInvalid free()\n    at 0x4004FFDF');
    expect(text).toMatch(/\n88 +\(8 direct, 80 indirect\) bytes/);
    expect(text).toMatch(
      /Address 0x3807F7B4 is 0 bytes inside a block of size 177\n(-- 1 of 2 --\n)?\s+at 0x4004FFDF/,
    );
  });

  it('joins a word broken at a line end whose first piece the page writes as a word, and types its quotes', () => {
    // xargs(1) as groff prints it: "delim-" / "ited", and an option named "-d delim".
    const text = pdfLayoutText([
      page([
        run('DESCRIPTION', 72, 760, 'bold', 10.9),
        run('xargs reads items from the standard input, delim\u2010', 108, 748),
        run('ited by blanks or newlines, and executes the command. The', 108, 736),
        run('list it builds ends\u2010', 108, 724),
        run('up on one command line.', 108, 712),
        run('\u2212d delim', 108, 695),
        run('Input items end where this character is, or the input ends, or it gives up.', 128, 683),
        run(
          'Quote a pattern: xargs \u2212I \u2019{}\u2019 rm \u2019{}\u2019, or Host \u2217.co.uk.',
          108,
          660,
        ),
      ]),
    ]);
    // What a person copies from it works in a shell.
    expect(text).toContain("Quote a pattern: xargs -I '{}' rm '{}', or Host *.co.uk.");
    expect(text).toContain('standard input, delimited by blanks');
    // A compound of two words the page writes keeps its hyphen, as before.
    expect(text).toContain('builds ends-up on one');
  });

  it('keeps a line that appears at the top of only one page', () => {
    const text = pdfLayoutText([
      page([run('A title only here', 72, 794, 'bold'), run('First page text.', 108, 700)]),
      page([run('Second page text.', 108, 794), run('More text.', 108, 700)]),
      page([run('Third page text.', 108, 794)]),
    ]);
    expect(text).toContain('A title only here');
  });

  it('reads headings, an option entry and its definition, and normalises the minus signs of options', () => {
    const text = pdfLayoutText([
      page([
        run('OPTIONS', 72, 760, 'bold', 10.9),
        run('\u2212u, \u2212\u2212include\u2212untracked', 108, 748),
        run('All untracked files are also stashed and then cleaned up with', 128, 736),
        run('git clean.', 128, 724),
        run('drop [\u2212q|\u2212\u2212quiet] [<stash>]', 108, 707),
        run('Remove a single stash entry from the list of stash entries.', 128, 695),
      ]),
    ]);
    expect(body(text)).toBe(
      [
        '## OPTIONS',
        '**-u, --include-untracked**',
        'All untracked files are also stashed and then cleaned up with git clean.',
        '**drop [-q|--quiet] [<stash>]**',
        'Remove a single stash entry from the list of stash entries.',
      ].join('\n\n'),
    );
    expect(text).not.toContain('\u2212');
  });

  it('keeps the line breaks of an example, and a paragraph going on across a page break whole', () => {
    const text = pdfLayoutText([
      page([
        ...header(),
        run('You can stash your changes away, perform a pull, and then unstash, like', 108, 700),
        run('this:', 108, 688),
        run('$ git stash', 128, 664),
        run('$ git pull', 128, 652),
        run('$ git stash pop', 128, 640),
        run('When you are in the middle of something, your boss comes in and demands', 108, 110),
        ...footer(1),
      ]),
      page([...header(), run('that you fix something immediately.', 108, 758), ...footer(2)]),
    ]);
    expect(body(text)).toBe(
      [
        'You can stash your changes away, perform a pull, and then unstash, like this:',
        '```\n$ git stash\n$ git pull\n$ git stash pop\n```',
        'When you are in the middle of something, your boss comes in and demands that you fix something immediately.',
      ].join('\n\n'),
    );
  });

  it('splits a hanging tag from the description that starts beside it', () => {
    const text = pdfLayoutText([
      page([
        run('\u2212A', 102, 700, 'mono'),
        run('Allows forwarding of ssh-agent(1) to the remote system. The default is not', 138, 700),
        run('to forward an authentication agent.', 138, 688),
      ]),
    ]);
    expect(body(text)).toBe(
      '**-A**\n\nAllows forwarding of ssh-agent(1) to the remote system. The default is not to forward an authentication agent.',
    );
  });

  it('reads a heading that wraps onto a second line as one heading', () => {
    // rustc's "Command-line Arguments" printed by Chromium: an h2 too long for the page's width,
    // its second line a heading's line height below the first; the next two headings stand apart.
    const text = pdfLayoutText([
      page([
        run('--check-cfg', 53, 700, 'mono', 18),
        run(': configure compile-time checking of', 160, 700, 'bold', 18),
        run('conditional compilation', 53, 676, 'bold', 18),
        run('This flag enables checking conditional configurations of the crate at', 53, 643),
        run('compile-time. It helps configure the set of expected cfg names and values,', 53, 629),
        run('so that every reachable cfg matches the expected names and values.', 53, 615),
        run('-L: add a directory to the library search path', 53, 580, 'bold', 18),
        run('-l: link the generated crate to a native library', 53, 540, 'bold', 18),
        run('This flag allows you to specify linking to a specific native library when', 53, 507),
        run('building a crate. The kind of library can optionally be specified with the', 53, 493),
        run('form -l KIND=lib where KIND may be one of dylib, static or framework.', 53, 479),
      ]),
    ]);
    expect(body(text)).toContain(
      '# --check-cfg: configure compile-time checking of conditional compilation\n\nThis flag enables',
    );
    expect(body(text)).toContain(
      '# -L: add a directory to the library search path\n\n# -l: link the generated crate',
    );
  });

  it("reads a browser-printed page's inline code without its padding, and code opening a line as no bullet", () => {
    // cargo's "Specifying Dependencies" printed by Chromium (positions read from the PDF with
    // pdf.js): inline code keeps its box's padding before a comma, and the glob `*` opens a
    // sentence and a listing's first line.
    const text = pdfLayoutText([
      page([
        run('Wildcard requirements allow for any version where the wildcard is positioned.', 56, 700),
        run('*', 56.4, 673, 'mono'),
        run(',', 65.8, 673.3),
        run('1.*', 75, 673, 'mono'),
        run('and', 100.2, 673.3),
        run('1.2.*', 127.9, 673, 'mono'),
        run('are examples of wildcard requirements.', 165.6, 673.3),
        run('*      := >=0.0.0', 60.7, 640, 'mono'),
        run('1.*    := >=1.0.0, <2.0.0', 60.7, 628, 'mono'),
        run('An update is allowed within that range (', 56, 600),
        run('>=0.1.12', 240, 600, 'mono'),
        run(').', 280, 600),
      ]),
    ]);
    expect(body(text)).toContain('*, 1.* and 1.2.* are examples of wildcard requirements.');
    expect(body(text)).toContain('```\n*      := >=0.0.0\n1.*    := >=1.0.0, <2.0.0\n```');
    expect(body(text)).toContain('within that range (>=0.1.12).');
  });

  it("reads a pager's keys set in roman type as entries, a tag as wide as the indent too", () => {
    // less(1) as groff prints it (positions read from the PDF with pdf.js): `M` and `ESC-m` fit
    // before the indent, so their one-line description starts at it; `/pattern` fills the indent,
    // so groff goes on after one space, in the same run, and its description's next lines start
    // at the indent. A bold heading that reads as two words does not split, nor does a sentence
    // that ends in a bracket before a gap.
    const text = pdfLayoutText([
      page([
        run('COMMANDS', 72, 760, 'bold'),
        run('m', 108, 748),
        run('Followed by any lowercase or uppercase letter, marks the first displayed line with', 144, 748),
        run('that letter.', 144, 736),
        run('M', 108, 719),
        run('Acts like m, except the last displayed line is marked rather than the first.', 144, 719),
        run('ESC-m', 108, 702),
        run(
          'Followed by any lowercase or uppercase letter, clears the mark identified by that letter.',
          144,
          702,
        ),
        run(
          '/pattern Search forward in the file for the N-th line containing the pattern. N defaults',
          108,
          685,
        ),
        run('to 1. The pattern is a regular expression, as recognized by your system.', 144, 673),
        run('\u02C6N or !', 144, 656),
        run('Search for lines which do NOT match the pattern.', 180, 656),
        run('\u02C6E or *', 144, 639),
        run('Search multiple files. That is, if the search reaches the END of the current file', 180, 639),
        run('without finding a match, the search continues in the next file in the command', 180, 627),
        run('line list.', 180, 615),
        run('\u02C6R', 144, 598),
        run("Don't interpret regular expression metacharacters; that is, do a simple textual", 180, 598),
        run('comparison.', 180, 586),
        run('Shell pathname expansion is inhibited with backslashes, as on all', 108, 574),
        run('platforms.)', 90, 562),
        run('Quotes escape the asterisks as well.', 144, 562),
        run('LINE EDITING', 72, 540, 'bold'),
        run('When entering a command line at the bottom of the screen, certain keys can be used', 108, 528),
        run('to manipulate the command line.', 108, 516),
      ]),
    ]);
    expect(body(text)).toContain(
      '**M**\n\nActs like m, except the last displayed line is marked rather than the first.\n\n' +
        '**ESC-m**\n\nFollowed by any lowercase or uppercase letter, clears the mark identified by that letter.\n\n' +
        '**/pattern**\n\nSearch forward in the file for the N-th line containing the pattern. N defaults to 1.',
    );
    expect(body(text)).toContain('**^N or !**\n\nSearch for lines which do NOT match the pattern.');
    expect(body(text)).not.toContain('**platforms.)**');
    expect(body(text)).toContain('## LINE EDITING\n\nWhen entering a command line');
  });

  it('splits a bold tag from a description of one line that starts where the others do', () => {
    // ssh(1) as groff sets it: `-T` fits before the description indent, its description is one
    // line, and the next entry's tag comes right under it.
    const text = pdfLayoutText([
      page([
        run('DESCRIPTION', 72, 760, 'bold'),
        run('The options are as follows:', 108, 748),
        run('-s', 108, 724, 'bold'),
        run('May be used to request invocation of a subsystem on the remote system.', 144, 712),
        run('Subsystems facilitate the use of SSH as a secure transport.', 144, 700),
        run('-T', 108, 688, 'bold'),
        run('Disable pseudo-terminal allocation.', 144, 688),
        run('-t', 108, 676, 'bold'),
        run('Force pseudo-terminal allocation. This can be used to execute', 144, 676),
        run('arbitrary screen-based programs on a remote machine.', 144, 664),
      ]),
    ]);
    expect(body(text)).toContain(
      'transport.\n\n**-T**\n\nDisable pseudo-terminal allocation.\n\n**-t**\n\nForce pseudo-terminal allocation.',
    );
    // ssh(1)'s ENVIRONMENT names its variables in roman type; a name is a tag all the same.
    const environment = pdfLayoutText([
      page([
        run('ENVIRONMENT', 72, 760, 'bold', 10.9),
        run('TZ', 108, 748),
        run('This variable is set to indicate the present time zone if it was set when the', 144, 748),
        run('daemon was started (i.e. the daemon passes the value on to new connections, which', 144, 736),
        run('see it as the time zone of the session, unless the user sets it otherwise in the', 144, 724),
        run('environment file).', 144, 712),
        run('USER', 108, 695),
        run('Set to the name of the user logging in.', 144, 695),
        run('Additionally, ssh reads ~/.ssh/environment, and adds lines of the format', 108, 678),
      ]),
    ]);
    expect(body(environment)).toContain('**USER**\n\nSet to the name of the user logging in.');
    // A paragraph opening on its command's name in bold ("**ssh** connects and logs into…") is
    // prose, though a description starts at that indent elsewhere.
    const prose = pdfLayoutText([
      page([
        run('DESCRIPTION', 72, 760, 'bold'),
        run('ssh', 108, 724, 'bold'),
        run('connects and logs into the specified destination.', 144, 724),
        run('-4', 108, 700, 'bold'),
        run('Forces ssh to use IPv4 addresses only.', 144, 700),
        run('-6', 108, 688, 'bold'),
        run('Forces ssh to use IPv6 addresses only.', 144, 688),
        run('-A', 108, 676, 'bold'),
        run('Enables forwarding of connections from an authentication agent such', 144, 676),
        run('as ssh-agent(1). This can also be specified on a per-host basis in', 144, 664),
        run('a configuration file. Agent forwarding should be enabled with', 144, 652),
        run('caution.', 144, 640),
      ]),
    ]);
    expect(body(prose)).toMatch(/^## DESCRIPTION\n\nssh connects and logs into the specified destination\./);
    expect(body(prose)).toContain('**-4**\n\nForces ssh to use IPv4 addresses only.\n\n**-6**');
  });

  it('reads entries of one-line descriptions apart, their paragraph gaps as common as line gaps', () => {
    // diff(1) as help2man writes it and groff prints it: each tag, its description on the next
    // line (12 points down), then a paragraph gap (16.8 points) before the next tag.
    const entries = [
      ['--normal', 'output a normal diff (the default)'],
      ['-q, --brief', 'report only when files differ'],
      ['-s, --report-identical-files', 'report when two files are the same'],
      ['-e, --ed', 'output an ed script'],
    ];
    const text = pdfLayoutText([
      page([
        run('DESCRIPTION', 72, 760, 'bold', 10.9),
        run('Compare FILES line by line.', 108, 748),
        run('Mandatory arguments to long options are mandatory for short options too.', 108, 731.2),
        ...entries.flatMap(([tag = '', description = ''], index) => [
          run(tag, 108, 714.4 - index * 28.8, 'bold'),
          run(description, 144, 702.4 - index * 28.8),
        ]),
      ]),
    ]);
    expect(body(text)).toBe(
      [
        '## DESCRIPTION',
        'Compare FILES line by line.',
        'Mandatory arguments to long options are mandatory for short options too.',
        ...entries.flatMap(([tag = '', description = '']) => [`**${tag}**`, description]),
      ].join('\n\n'),
    );
  });

  it("starts the next entry at a page's top, not the last line's paragraph", () => {
    // diff(1): `--paginate`'s one line of description ends page 1; `-r, --recursive` opens page 2.
    const text = pdfLayoutText([
      page([
        run('DESCRIPTION', 72, 760, 'bold', 10.9),
        run('-l, --paginate', 108, 148, 'bold'),
        run('pass output through pr to paginate it', 144, 136),
      ]),
      page([
        run('-r, --recursive', 108, 760, 'bold'),
        run('recursively compare any subdirectories found', 144, 748),
      ]),
    ]);
    expect(body(text)).toContain(
      '**-l, --paginate**\n\npass output through pr to paginate it\n\n**-r, --recursive**\n\nrecursively compare',
    );
  });

  it('reads prose that goes on past a sentence, then an indented command, as prose', () => {
    // make(1)'s SEE ALSO: the paragraph is no term, though the command under it is indented.
    const text = pdfLayoutText([
      page([
        run('SEE ALSO', 72, 760, 'bold', 10.9),
        run(
          'The full documentation for make is maintained as a Texinfo manual. If the info and make',
          108,
          748,
        ),
        run('programs are properly installed at your site, the command', 108, 736),
        run('info make', 144, 720),
        run('should give you access to the complete manual.', 108, 704),
      ]),
    ]);
    expect(body(text)).not.toContain('**');
    expect(body(text)).toContain('at your site, the command');
  });

  it('keeps a listing whole across its blank lines and a page break', () => {
    // A README printed by Chromium: a 12-point body, code in 10-point monospace 16.5 points apart,
    // a blank line in the example, and the example going on at the top of the next page.
    const code = (text: string, x: number, y: number) => run(text, x, y, 'mono', 10.2);
    const text = pdfLayoutText([
      page([
        run('What is Zod?', 82, 283, 'bold', 18),
        run(
          'Zod is a TypeScript-first validation library. Define a schema and parse some data.',
          82,
          254,
          'roman',
          12,
        ),
        run('You get back a strongly typed, validated result.', 82, 240.5, 'roman', 12),
        code('import * as z from "zod";', 82, 213),
        code('const User = z.object({', 82, 180),
        code('name: z.string(),', 94.4, 163.5),
        code('});', 82, 147),
      ]),
      page([code('const data = User.parse(input);', 94.4, 760), code('console.log(data.name);', 82, 743.5)]),
    ]);
    expect(body(text)).toContain(
      [
        '```',
        'import * as z from "zod";',
        '',
        'const User = z.object({',
        '  name: z.string(),',
        '});',
        '  const data = User.parse(input);',
        'console.log(data.name);',
        '```',
      ].join('\n'),
    );
  });

  it("reads a printed web page's list whose bullets were drawn as shapes as a list", () => {
    const text = pdfLayoutText([
      page([
        run('Features', 82, 621, 'bold', 18),
        run(
          'Zod is a TypeScript-first validation library with a small core and no dependencies at all.',
          82,
          600,
          'roman',
          12,
        ),
        run('Zero external dependencies', 102.5, 591, 'roman', 12),
        run('Works in Node.js and all modern browsers', 102.5, 577.5, 'roman', 12),
        run('Concise interface', 102.5, 563, 'roman', 12),
        run('Installation', 82, 530, 'bold', 18),
        run('npm install zod', 82, 500, 'mono', 10.2),
        // A manual's keywords one a line are no list, nor is anything where code is not in monospace.
        run('AddKeysToAgent', 102.5, 470, 'roman', 12),
        run('AddressFamily', 102.5, 456.5, 'roman', 12),
      ]),
    ]);
    expect(body(text)).toContain(
      '- Zero external dependencies\n- Works in Node.js and all modern browsers\n- Concise interface',
    );
    expect(body(text)).not.toContain('- AddKeysToAgent');
  });

  it('keeps list items apart', () => {
    const text = pdfLayoutText([
      page([
        run('Some rules:', 108, 700),
        run('\u2022', 108, 676),
        run('The name must be less than or equal to 214', 128, 676),
        run('characters.', 128, 664),
        run('\u2022', 108, 652),
        run('New packages must not have uppercase letters.', 128, 652),
      ]),
    ]);
    expect(body(text)).toBe(
      'Some rules:\n\n- The name must be less than or equal to 214 characters.\n- New packages must not have uppercase letters.',
    );
  });
});

describe('joinLines', () => {
  const vocabulary = new Set(['ends', 'up', 'compatibility', 'git', 'stash']);
  it.each([
    [['backwards-compatibil-', 'ity for filenames'], 'backwards-compatibility for filenames'],
    [['run it with --include-', 'untracked here'], 'run it with --include-untracked here'],
    [['the commit ends-', 'up being in the stash'], 'the commit ends-up being in the stash'],
    [['a line', 'and the next'], 'a line and the next'],
    [['ends with a dash -', 'then text'], 'ends with a dash - then text'],
    // A phrase written as one word, broken after a small word: "time" is nowhere else on the page.
    [['an ahead-of-', 'time compiled path'], 'an ahead-of-time compiled path'],
  ])('%j → %j', (lines, expected) => {
    expect(joinLines(lines, vocabulary)).toBe(expected);
  });
});
