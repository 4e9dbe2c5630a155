import { describe, expect, it } from 'vitest';
import { coversAction, questionTopic } from './question-topic.js';

describe('questionTopic', () => {
  it.each([
    ['How do I sign my commits with a GPG key?', 'sign', 'commit', ['commit', 'gpg', 'key']],
    ['How can I delete a single stash entry?', 'delet', 'entry', ['singl', 'stash', 'entry']],
    ['How do I temporarily save uncommitted work and get a clean working directory?', 'save', 'work', null],
    ['how to keep files out of my published npm package', 'keep', 'file', null],
    ['Is there a way to limit a source to certain architectures?', 'limit', 'sourc', null],
    ['What is the deb-src type for?', null, null, null],
    ['And ignored files as well?', null, null, ['ignor', 'file', 'well']],
    // A verb ending in -ly is the verb, not an adverb before it ("how do I quickly list …").
    ['How do I apply my latest stash and remove it?', 'apply', 'stash', null],
    ['How do I supply a password?', 'supply', 'password', null],
    ['How do I quickly list my stashes?', 'list', 'stash', null],
    // An adverb closing the phrase is not what the action is done to.
    ['And how do I remove it again?', 'remov', null, null],
    ['How do I get my stash back later?', 'get', 'stash', null],
  ])('%s', (question, action, object, topic) => {
    const found = questionTopic(question);
    expect(found.action).toBe(action);
    expect(found.object).toBe(object);
    if (topic) expect(found.topic).toEqual(topic);
    expect(found.topic).not.toContain(action);
  });
});

describe('questionTopic modifier', () => {
  it.each([
    ['How do I create a zip file?', 'file', 'zip'],
    ['How do I schedule a cron job?', 'job', 'cron'],
    ['How can I delete a single stash entry?', 'entry', 'stash'],
    // A verb after a light one ("make it ignore …") is not what kind of line is meant.
    ['How do I make it ignore the first line of column names?', 'line', null],
    ['How do I sign my commits with a GPG key?', 'commit', null],
    ['What is the deb-src type for?', null, null],
    ['How do I create a gzip-compressed archive?', 'archiv', null],
  ])('%s', (question, object, modifier) => {
    const found = questionTopic(question);
    expect(found.object).toBe(object);
    expect(found.modifier).toBe(modifier);
  });
});

describe('questionTopic verb', () => {
  it.each([
    ['How do I list the contents of an archive?', 'list'],
    ['How do I quickly list my stashes?', 'list'],
    ['Is there a way to limit a source to certain architectures?', 'limit'],
    // A second task: an entry named after the first does only half of it.
    ['How do I apply my latest stash and remove it from the stash list?', null],
    ['How do I create a branch and then switch to it?', null],
    // "and" joining what the action is done to is one task.
    ['How do I list the tags and the branches?', 'list'],
    ['What is the deb-src type for?', null],
  ])('%s', (question, verb) => {
    expect(questionTopic(question).verb).toBe(verb);
  });

  it.each([
    ['How do I compress a file with bzip2 and keep the original?', 'keep'],
    ['How do I apply my latest stash and remove it from the stash list?', 'remove'],
    ['How do I create a branch and then switch to it?', 'switch'],
    ['How do I list the tags and the branches?', null],
    ['What is the deb-src type and the deb type?', null],
  ])('the second task of %s', (question, verb) => {
    expect(questionTopic(question).secondVerb).toBe(verb);
  });
});

describe('questionTopic phrasal verbs', () => {
  it.each([
    // Cargo's profiles: "turn on" is what the lto setting's "enable" means; its object follows.
    ['How do I turn on link-time optimization?', 'enabl', 'optimization', ['turn']],
    ['How do I switch off colors?', 'disabl', 'color', ['switch']],
    // Without its particle "switch" is a verb of its own.
    ['How do I switch branches?', 'switch', 'branch', []],
  ])('%s', (question, action, object, replaced) => {
    const topic = questionTopic(question);
    expect([topic.action, topic.object, topic.phrasalTerms]).toEqual([action, object, replaced]);
    expect(topic.topic).not.toContain('turn');
  });
});

describe('questionTopic negated', () => {
  it.each([
    ['How do I stop tar from overwriting existing files when extracting?', 'overwrit'],
    ['How do I avoid overwriting files that are already there?', 'overwrit'],
    ['How do I prevent npm from publishing my package by accident?', 'publish'],
    ['How do I avoid errors at boot when a device is missing?', null],
    ['How do I overwrite existing files?', null],
  ])('%s', (question, negated) => {
    expect(questionTopic(question).negated).toBe(negated);
  });
});

describe('coversAction', () => {
  const words = (text: string) => new Set(text.split(' '));
  it.each([
    ['delet', 'remov a singl stash entry', true],
    ['stop', 'npm will refus to publish it', true],
    ['depend', 'git url as dependency', true],
    ['upgrad', 'the distribution is a suite name like bookworm', false],
    ['sign', 'requir a repository to pass verification', false],
    ['get', 'use randombyt for a random salt', true],
    ['stop', 'do not mount when mount -a is given', true],
  ])('%s in %j: %s', (action, text, expected) => {
    expect(coversAction(action, words(text))).toBe(expected);
  });
});
