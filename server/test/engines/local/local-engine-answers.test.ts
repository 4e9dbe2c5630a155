import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineWithFiles, type FilesEngine } from '../../helpers/ask-local-engine.js';

// Documents written for this test (not the bench corpora): Markdown with fenced code, and an
// AsciiDoc manual page with option terms and a listing block.
const cryptoGuide = `# Crypto guide

## Hashing a string

To compute a SHA-256 hash of a string, create a hash object, feed it the text and read the digest:

\`\`\`js
import { createHash } from 'node:crypto';
const digest = createHash('sha256').update('hello').digest('hex');
\`\`\`

The digest is a 64-character hexadecimal string.

## Random bytes

Use \`randomBytes(16)\` for a random salt. The bytes come from the operating system's generator.

## Wiping keys

To clean up the key material when you are done, overwrite the buffer with zeros: \`key.fill(0)\`.

## Decrypting

To bring an encrypted value back later, create a decipher with the same key and call \`final()\`.
`;

const snapshotManual = `snapshot(1)
===========

NAME
----
snapshot - Put unfinished edits aside and bring them back

DESCRIPTION
-----------
Use snapshot when you want to put your unfinished edits aside and return to a clean checkout.
Every saved snapshot stays in a list until it is restored.

OPTIONS
-------
save::
	Puts the current edits aside as a new snapshot and cleans the checkout.

restore::
	Brings the newest snapshot back into the checkout and removes it from the list.

EXAMPLES
--------
Interrupted work::
+
----------------
$ snapshot save
$ edit urgent-fix.c
$ snapshot restore
----------------
`;

let files: FilesEngine;
const ask = (threadId: string, question: string) => files.askOn(threadId, question);
const newThread = () => files.newThread();

describe('local engine answers', () => {
  beforeAll(async () => {
    files = await engineWithFiles('Guides', [
      ['crypto.md', Buffer.from(cryptoGuide)],
      ['snapshot.txt', Buffer.from(snapshotManual)],
    ]);
  });
  afterAll(() => files.close());

  it('answers a how-to with the passage under its heading, code block verbatim', async () => {
    const answer = await ask(await newThread(), 'How do I compute a SHA-256 hash of a string?');
    expect(answer.text).toContain('**Hashing a string**\n\nTo compute a SHA-256 hash');
    expect(answer.text).toContain(
      "```js\nimport { createHash } from 'node:crypto';\nconst digest = createHash('sha256').update('hello').digest('hex');\n```",
    );
    expect(answer.citedFiles).toEqual(['crypto.md']);
    // The chip opens exactly the passage the answer quotes.
    expect(answer.quotes[0]).toContain("createHash('sha256')");
    expect(answer.quotes[0]).not.toContain('randomBytes');
    // Nothing from the document that adds no evidence.
    expect(answer.text).not.toContain('snapshot');
  });

  it('never glues a heading to the text under it', async () => {
    const answer = await ask(await newThread(), 'How do I get a random salt?');
    expect(answer.text).toMatch(/^\*\*Random bytes\*\*\n\nUse `randomBytes\(16\)`/);
  });

  it('quotes an option definition from a manual page', async () => {
    const answer = await ask(await newThread(), 'How do I put my current edits aside in a snapshot?');
    expect(answer.citedFiles[0]).toBe('snapshot.txt');
    expect(answer.text).toMatch(/snapshot save/);
  });

  it('refuses an off-topic question plainly, with no citation', async () => {
    const answer = await ask(await newThread(), 'What is the boiling point of mercury?');
    expect(answer.citedFiles).toEqual([]);
    expect(answer.text).toMatch(/couldn't find any relevant information/);
  });

  it('refuses a how-to about a kind of thing the documents never name, with no citation', async () => {
    // The guide hashes with SHA-256 and never says bcrypt: its passage is not how to make a bcrypt hash.
    const bcrypt = await ask(await newThread(), 'How do I compute a bcrypt hash of a string?');
    expect(bcrypt.citedFiles).toEqual([]);
    expect(bcrypt.text).toMatch(/couldn't find any relevant information.* never mention bcrypt\.$/);
    // A hyphenated word is its own words, not their joined form: answered.
    const hex = await ask(await newThread(), 'How do I compute a hex-encoded hash of a string?');
    expect(hex.citedFiles).toEqual(['crypto.md']);
    // "cleanup" where the guide says "clean up": the documents' words, answered.
    const cleanup = await ask(await newThread(), 'How do I overwrite the cleanup buffer with zeros?');
    expect(cleanup.citedFiles).toEqual(['crypto.md']);
    expect(cleanup.text).toContain('key.fill(0)');
  });

  it('reads a follow-up in the context of the previous turn', async () => {
    const thread = await newThread();
    const first = await ask(thread, 'How do I put my unfinished edits aside in a snapshot?');
    expect(first.citedFiles).toContain('snapshot.txt');
    const followUp = await ask(thread, 'How do I bring it back later?');
    expect(followUp.citedFiles).toEqual(['snapshot.txt']);
    expect(followUp.text).toMatch(/restore/);
    // Asked on a thread of its own, the same words point at another document first.
    const alone = await ask(await newThread(), 'How do I bring it back later?');
    expect(alone.citedFiles[0]).toBe('crypto.md');
  });
});
