import type { Message } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { conversationQuestion, isFollowUp } from './conversation-question.js';

const message = (role: 'user' | 'assistant', text: string, fileIds: string[] = []): Message => ({
  id: `msg_${Math.random()}`,
  object: 'thread.message',
  created_at: 0,
  thread_id: 'thread_1',
  status: 'completed',
  incomplete_details: null,
  completed_at: 0,
  incomplete_at: null,
  role,
  content: [
    {
      type: 'text',
      text: {
        value: text,
        annotations: fileIds.map((fileId) => ({
          type: 'file_citation' as const,
          text: '【1:0†a.md】',
          start_index: 0,
          end_index: 1,
          file_citation: { file_id: fileId },
        })),
      },
    },
  ],
  assistant_id: null,
  run_id: null,
  attachments: [],
  metadata: {},
});

describe('isFollowUp', () => {
  it.each([
    ['How do I get it back later?', true],
    ['And what if I want to throw the changes away too?', true],
    ['What about Ctrl+C?', true],
    ['How do I remove that setting again?', true],
    ['Can I see what would be removed first?', true],
    ['How do I create an annotated tag for a release of my project?', false],
    ['What is the MONGODB_DB setting?', false],
    ['What does --force do?', false],
    ['Where is package.json read?', false],
    ['What does `git stash pop` do?', false],
    ['And what about --keep-index?', true],
    ['What is the default?', true],
    ['How do I clone a repository without downloading all the history?', false],
  ])('%s → %s', (text, expected) => {
    expect(isFollowUp(text)).toBe(expected);
  });
});

describe('conversationQuestion', () => {
  it('reads a follow-up with the question it continues and the files the answer cited', () => {
    const question = conversationQuestion([
      message('user', 'How do I temporarily save uncommitted work?'),
      message('assistant', 'Use git stash. 【1:0†git-stash.txt】', ['file-stash']),
      message('user', 'How do I get it back later?'),
    ]);
    expect(question).toEqual({
      focus: 'How do I get it back later?',
      context: 'How do I temporarily save uncommitted work?',
      searchQuery: 'How do I temporarily save uncommitted work?\nHow do I get it back later?',
      emphasis: { text: 'How do I get it back later?', weight: 2 },
      topicFileIds: ['file-stash'],
      // Citation markers are not what the answer said.
      previousAnswer: 'Use git stash. ',
    });
  });

  it('keeps a question that names its own subject on its own', () => {
    const question = conversationQuestion([
      message('user', 'How do I temporarily save uncommitted work?'),
      message('assistant', 'Use git stash.', ['file-stash']),
      message('user', 'How do I clone a repository without downloading all the history?'),
    ]);
    expect(question.context).toBeNull();
    expect(question.searchQuery).toBe('How do I clone a repository without downloading all the history?');
    expect(question.emphasis).toBeNull();
    expect(question.topicFileIds).toEqual([]);
    expect(question.previousAnswer).toBeNull();
  });

  it('follows a chain of follow-ups back to its subject', () => {
    const question = conversationQuestion([
      message('user', 'How do I create a lightweight tag on a commit?'),
      message('assistant', 'git tag name'),
      message('user', 'How do I delete it?'),
      message('assistant', 'git tag -d name'),
      message('user', 'And on the remote?'),
    ]);
    expect(question.context).toBe('How do I create a lightweight tag on a commit?\nHow do I delete it?');
    expect(question.previousAnswer).toBe('git tag -d name');
  });
});
