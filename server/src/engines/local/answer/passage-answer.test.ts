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
});
