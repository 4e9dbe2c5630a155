import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiPaths, type AssistantStreamEvent } from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatHarness, type ChatHarness } from '../../helpers/chat-harness.js';
import {
  isSpeechTestSkipped,
  requireSpeechTools,
  speak,
  speechEnvironment,
  wordErrorRate,
} from '../../helpers/speech-fixtures.js';

const question = 'How much are meals reimbursed per day?';

/**
 * The legacy-compatible messages route takes a spoken message as `/chat/stream` does: espeak-ng
 * speaks the question, Whisper base hears it, and the run answers the transcript as NDJSON.
 */
describe.skipIf(isSpeechTestSkipped)(
  'a spoken message on the legacy route (espeak-ng in, Whisper base)',
  () => {
    let harness: ChatHarness;
    const directory = mkdtempSync(join(tmpdir(), 'threadline-legacy-voice-'));
    let audio: { wav: string; ogg: string };

    beforeAll(async () => {
      requireSpeechTools();
      audio = speak(question, directory, 'meals');
      harness = await createChatHarness(speechEnvironment());
      await harness.listen();
    }, 60_000);
    afterAll(async () => {
      await harness?.close();
      rmSync(directory, { recursive: true, force: true });
    });

    const newThread = async () => {
      const response = await fetch(`${harness.baseUrl()}${apiPaths.legacy.threads}`, { method: 'POST' });
      return ((await response.json()) as { threadId: string }).threadId;
    };
    const say = (threadId: string, bytes: Buffer, name: string) => {
      const form = new FormData();
      form.append('audio', new Blob([bytes], { type: 'audio/ogg' }), name);
      form.append('language', 'en');
      return fetch(`${harness.baseUrl()}${apiPaths.legacy.messages(threadId)}`, {
        method: 'POST',
        body: form,
      });
    };

    it('answers the transcript, cited, and keeps it as the user message marked spoken', async () => {
      const threadId = await newThread();
      const response = await say(threadId, readFileSync(audio.ogg), 'meals.ogg');
      expect(response.status).toBe(200);
      const events = (await response.text())
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as AssistantStreamEvent);
      const [asked] = await harness.app.engine.listMessages(threadId, { order: 'asc' });
      expect(asked?.role).toBe('user');
      expect(asked?.metadata).toMatchObject({ spoken: 'true' });
      const said = asked?.content[0];
      const transcript = said?.type === 'text' ? said.text.value : '';
      expect(wordErrorRate(question, transcript), transcript).toBeLessThanOrEqual(0.2);
      const answer = events.find((event) => event.event === 'thread.message.completed');
      const text = answer?.event === 'thread.message.completed' ? answer.data.content[0] : undefined;
      if (text?.type !== 'text') throw new Error('no answer text');
      expect(text.text.value, transcript).toMatch(/60 euros/);
      expect(text.text.annotations.some((annotation) => annotation.type === 'file_citation')).toBe(true);
    }, 120_000);

    it.each([
      ['not audio', Buffer.from('hello, not audio'), /could not be decoded/],
      ['empty', Buffer.alloc(0), /empty/],
    ])(
      'a message that is %s is a 400 in the one error shape, and adds nothing to the thread',
      async (_, bytes, message) => {
        const threadId = await newThread();
        const response = await say(threadId, bytes, 'message.webm');
        expect(response.status).toBe(400);
        const body = (await response.json()) as { code: string; message: string };
        expect(body.code).toBe('bad_request');
        expect(body.message).toMatch(message);
        expect(await harness.app.engine.listMessages(threadId)).toEqual([]);
      },
      60_000,
    );

    it('a message over 25 MB is a 413 with OpenAI’s message, and adds nothing to the thread', async () => {
      const threadId = await newThread();
      const response = await say(threadId, Buffer.alloc(26 * 1024 * 1024, 1), 'long.webm');
      expect(response.status).toBe(413);
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code).toBe('payload_too_large');
      expect(body.message).toMatch(/^Maximum content size limit \(26214400\) exceeded/);
      expect(await harness.app.engine.listMessages(threadId)).toEqual([]);
    }, 60_000);

    it('a multipart message without audio is a 400 that says where the audio goes', async () => {
      const threadId = await newThread();
      const form = new FormData();
      form.append('content', 'typed, not spoken');
      const response = await fetch(`${harness.baseUrl()}${apiPaths.legacy.messages(threadId)}`, {
        method: 'POST',
        body: form,
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(/multipart field 'audio'/);
    });
  },
);
