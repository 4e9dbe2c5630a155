import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineWithFiles, type FilesEngine } from '../../helpers/ask-local-engine.js';

// Files a person brings (scripts/bench/own-files/README.md): git-stash(1) printed to PDF,
// sources.list(5) saved as Word, npm's package.json page as downloaded. Ingested for real.
const ownFile = (name: string) =>
  readFileSync(new URL(`../../../../scripts/bench/own-files/tuning/${name}`, import.meta.url));

let files: FilesEngine;
const ask = (question: string) => files.ask(question);

describe('local engine answers from files a person brings', () => {
  beforeAll(async () => {
    const names = ['git-stash.pdf', 'sources.list.docx', 'package-json.html'];
    files = await engineWithFiles(
      'Own files',
      names.map((name) => [name, ownFile(name)] as const),
    );
  }, 120_000);
  afterAll(() => files.close());

  it('refuses a question near the files’ field that they do not answer, citing nothing', async () => {
    // The APT page signs repositories with keys; nothing in it is about commits.
    const answer = await ask('How do I sign my commits with a GPG key?');
    expect(answer.citedFiles).toEqual([]);
    expect(answer.text).toMatch(/couldn't find any relevant information/);
    // GPG and commits are both in the files (APT's keys, git-stash's commits): nothing is unsaid.
    expect(answer.text).not.toMatch(/never mention/);
    // A name the documents never use: not theirs to answer, whatever verbs they share; the
    // refusal says what was looked for and not found, as the question wrote it.
    const pypi = await ask('How do I publish a package to PyPI?');
    expect(pypi.citedFiles).toEqual([]);
    expect(pypi.text).toMatch(/couldn't find any relevant information.*The documents never mention PyPI\.$/);
  });

  it('refuses an answer from a file that never says a name the question writes', async () => {
    // Only sources.list(5) says APT; npm's `overrides` pins versions too, of npm packages.
    const answer = await ask('How do I pin a package to an older version with APT?');
    expect(answer.citedFiles).toEqual([]);
    expect(answer.text).toMatch(/couldn't find any relevant information/);
    // As people type it: a tool named in lower case at the end of a how-to is a name too.
    const typed = await ask('How do I pin a package to an older version with apt?');
    expect(typed.citedFiles).toEqual([]);
    expect(typed.text).toMatch(/couldn't find any relevant information/);
    // The same question about npm's packages is theirs.
    const npm = await ask('How do I pin a dependency of a dependency to an older version?');
    expect(npm.citedFiles).toContain('package-json.html');
    expect(npm.text).toContain('overrides');
  });

  it('answers with a one-line option entry, not the paragraph of its neighbour', async () => {
    const answer = await ask('How do I remove a single stash entry from the list?');
    expect(new Set(answer.citedFiles)).toEqual(new Set(['git-stash.pdf']));
    expect(answer.text).toContain(
      '**drop [-q|--quiet] [\\<stash>]**\n\nRemove a single stash entry from the list of stash entries.',
    );
    expect(answer.text).not.toContain('Save your local modifications');
    // The citation offers the whole entry; no running header or footer of the printed page in it.
    expect(answer.quotes[0]).toContain('Remove a single stash entry');
    expect(answer.quotes.join('\n')).not.toMatch(/Git Manual|GIT-STASH\(1\)/);
  });

  it('quotes options as a shell takes them: ASCII hyphens, not minus signs', async () => {
    const answer = await ask('How do I stash untracked files too?');
    expect(new Set(answer.citedFiles)).toEqual(new Set(['git-stash.pdf']));
    expect(answer.text).toMatch(/--(include|only)-untracked|--all/);
    expect(answer.text).not.toContain('\u2212');
  });

  it('never quotes the page’s table of contents', async () => {
    const answer = await ask('What is the difference between dependencies and devDependencies?');
    expect(answer.citedFiles).toContain('package-json.html');
    expect(answer.text).not.toMatch(/Table of contents/i);
    // The contents list named every field on a line of its own.
    expect(answer.text).not.toMatch(/^- (name|version|description|keywords)$/m);
  });

  it('answers "the difference between" two fields with the entry of each, as asked', async () => {
    // The comparison's own words rank `optionalDependencies` (it says both names) above either
    // entry; each name searched alone finds its own (npm's page as downloaded, hash embeddings).
    const answer = await ask('What is the difference between dependencies and devDependencies?');
    expect(new Set(answer.citedFiles)).toEqual(new Set(['package-json.html']));
    expect(answer.text).not.toContain('**optionalDependencies**');
    const dependencies = answer.text.indexOf(
      '**dependencies**\n\nDependencies are specified in a simple object that maps a package name to a version range.',
    );
    const devDependencies = answer.text.indexOf(
      '**devDependencies**\n\nIf someone is planning on downloading',
    );
    expect(dependencies).toBeGreaterThanOrEqual(0);
    expect(devDependencies).toBeGreaterThan(dependencies);
    expect(answer.text).toContain('external test or documentation framework');
  });
});
