import { describe, expect, it } from 'vitest';
import { answerBlocks } from './answer-blocks.js';
import type { Block } from './passage-blocks.js';

const paragraph = (text: string): Block => ({ type: 'paragraph', text });
const code = (text: string): Block => ({ type: 'code', text });
const list = (text: string): Block => ({ type: 'list', text });
const filler = (topic: string) =>
  paragraph(
    `${topic} ${'is described here at some length so that the section is long enough to cut. '.repeat(4)}`,
  );
const question = (terms: Record<string, number>, action: string | null = null, wantsCode = false) => ({
  terms: new Map(Object.entries(terms)),
  action,
  wantsCode,
});

describe('answerBlocks', () => {
  it('keeps a short section whole', () => {
    const blocks = [
      paragraph('Remove all the stash entries.'),
      paragraph('They may be impossible to recover.'),
    ];
    expect(answerBlocks(blocks, question({ remov: 1 }))).toEqual(blocks);
  });

  it('quotes the block a paragraph goes on from, and what leads into it', () => {
    // less(1)'s -R as its PDF reads: the paragraph that carries the question opens on "where".
    const blocks = [
      paragraph(
        'Like -r, but only ANSI "color" escape sequences and OSC 8 hyperlink sequences are output in "raw" form. Unlike -r, the screen appearance is maintained correctly.',
      ),
      filler('OSC 8 hyperlinks'),
      paragraph('ANSI color escape sequences are sequences of the form:'),
      paragraph('ESC [ ... m'),
      paragraph(
        'where the "..." is zero or more color specification characters. You can make less think that characters other than "m" can end ANSI color escape sequences by setting the environment variable LESSANSIENDCHARS.',
      ),
    ];
    const answer = answerBlocks(blocks, question({ color: 1, escap: 1, sequenc: 1, lessansiendchar: 2 }));
    expect(answer.map((block) => block.text)).toEqual([
      'ANSI color escape sequences are sequences of the form:',
      'ESC [ ... m',
      blocks[4]?.text,
    ]);
  });

  it('quotes the answering block of a section of a hundred words, not the section', () => {
    // The product's configuration.md opens this way: where data lives, then how a bad setting is reported.
    const blocks = [
      paragraph(
        'Threadline reads every setting from environment variables. With none set it runs on its embedded defaults: the local engine, an SQLite database under `./data` (`DATA_DIR`) and no API keys. To keep settings in a file, copy `.env.example` to `.env`.',
      ),
      paragraph(
        'Threadline checks the whole configuration when it starts. If anything is wrong it stops with one message that names every bad setting, for example:',
      ),
      code(
        'Invalid configuration:\n  - PORT: Invalid input: expected number, received NaN (got "eighty")\n  - ENGINE: Invalid option: expected one of "local"|"openai"|"assistants" (got "gpt")',
      ),
    ];
    const answer = answerBlocks(blocks, question({ keep: 0.4, data: 0.9, threadlin: 0.2 }));
    expect(answer).toEqual([blocks[0]]);
  });

  it("quotes an entry's opening, not a later note of it that shares one more light word", () => {
    // passwd(1)'s -l, --lock entry, as a Word copy of the manual page gives it.
    const blocks: [Block, Block, Block] = [
      paragraph(
        'Lock the password of the named account. This option disables a password by changing it to a value which matches no possible encrypted value (it adds a ´!´ at the beginning of the password).',
      ),
      paragraph(
        "Note that this does not disable the account. The user may still be able to login using another authentication token (e.g. an SSH key). To disable the account, administrators should use usermod --expiredate 1 (this set the account's expire date to Jan 2, 1970).",
      ),
      paragraph('Users with a locked password are not allowed to change their password.'),
    ];
    const asked = question({ lock: 2.47, user: 0.53, password: 1.19 }, 'lock');
    expect(answerBlocks(blocks, { ...asked, isEntry: true })).toEqual([blocks[0]]);
    // Under a heading (not an entry), the block carrying most of the question answers, as before.
    expect(answerBlocks(blocks, asked)).toEqual([blocks[2]]);
    // A later block of an entry that carries clearly more of the question still answers.
    const expire = question({ expir: 2, account: 0.5, dat: 1.5 }, null);
    expect(
      answerBlocks([blocks[0], filler('The account'), paragraph('Set the account expire date.')], {
        ...expire,
        isEntry: true,
      }),
    ).toEqual([paragraph('Set the account expire date.')]);
  });

  it('quotes the block that says what the question asks to do, not its neighbours', () => {
    const blocks = [
      filler('The files field'),
      paragraph('You can also provide a .npmignore file, which will keep files from being included.'),
      list('- `package-lock.json` (use `npm-shrinkwrap.json` if you wish it to be published)\n- `yarn.lock`'),
      filler('Certain files'),
    ];
    const answer = answerBlocks(blocks, question({ keep: 0.5, file: 0.1, publish: 0.6, npm: 0.6 }, 'keep'));
    expect(answer[0]).toBe(blocks[1]);
    expect(answer).not.toContain(blocks[0]);
    expect(answer).not.toContain(blocks[3]);
  });

  it('brings the lead-in of a list and the example of a how-to', () => {
    const blocks = [
      filler('Git URLs'),
      paragraph('Git urls are of the form:'),
      code('<protocol>://[<user>[:<password>]@]<hostname>[:<port>][:][/]<path>[#<commit-ish>]'),
      filler('Installing'),
    ];
    const answer = answerBlocks(blocks, question({ git: 1, url: 1, form: 0.2 }, 'depend', true));
    expect(answer).toEqual([blocks[1], blocks[2]]);
  });

  it('adds the section’s example to a how-to answered by prose', () => {
    const blocks = [
      paragraph(
        'A lot of packages have one or more executable files that they would like to install into the PATH.',
      ),
      filler('The PATH'),
      paragraph('For example, myapp could have this:'),
      code('{ "bin": { "myapp": "bin/cli.js" } }'),
      filler('Afterwards'),
    ];
    const answer = answerBlocks(blocks, question({ executabl: 1, install: 1, packag: 0.3 }, 'install', true));
    expect(answer).toEqual([blocks[0], blocks[2], blocks[3]]);
  });

  it('never cuts inside a block', () => {
    const blocks = [
      filler('First'),
      paragraph('The answer is in this sentence. And in this one.'),
      filler('Last'),
    ];
    for (const block of answerBlocks(blocks, question({ answer: 1 }))) expect(blocks).toContain(block);
  });
});

describe('answerBlocks for a follow-up', () => {
  const description = [
    paragraph(
      'Use git stash when you want to record the current state of the working directory and go back to a clean one.',
    ),
    paragraph(
      'The modifications stashed away can be listed with git stash list and restored with git stash apply. Calling git stash without arguments is git stash push.',
    ),
    filler('The latest stash'),
  ];

  it('quotes what the previous answer did not', () => {
    const answer = answerBlocks(description, {
      ...question({ back: 0.3, later: 0.2 }, 'get'),
      isFollowUp: true,
      previousAnswer: `**DESCRIPTION**\n\n${description[0]?.text ?? ''} 【1:0†git-stash.txt】`,
    });
    expect(answer[0]).toBe(description[1]);
    expect(answer).not.toContain(description[0]);
  });

  it('quotes the section’s opening when none of its own words picks a block', () => {
    const answer = answerBlocks(description, { ...question({ halfway: 1 }), isFollowUp: true });
    expect(answer.slice(0, 2)).toEqual([description[0], description[1]]);
  });
});
