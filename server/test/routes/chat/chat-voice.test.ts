import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiPaths, speechStatusSchema, type AssistantStreamEvent } from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatHarness, readEvents, type ChatHarness } from '../../helpers/chat-harness.js';
import {
  isSpeechTestSkipped,
  requireSpeechTools,
  speak,
  speechEnvironment,
  wordErrorRate,
} from '../../helpers/speech-fixtures.js';

const question = 'How much are meals reimbursed per day?';

describe.skipIf(isSpeechTestSkipped)('a spoken question on /chat/stream (espeak-ng in, Whisper base)', () => {
  let harness: ChatHarness;
  const directory = mkdtempSync(join(tmpdir(), 'threadline-voice-'));
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

  const ask = (file: Buffer, name: string, fields: Record<string, string> = {}) => {
    const form = new FormData();
    form.append('audio', new Blob([file], { type: 'audio/ogg' }), name);
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    return fetch(`${harness.baseUrl()}${apiPaths.chatStream}`, { method: 'POST', body: form });
  };

  it('streams the transcript first, as the user message marked spoken, then a cited answer', async () => {
    const response = await ask(readFileSync(audio.ogg), 'meals.ogg', {
      vectorStoreIds: JSON.stringify([harness.vectorStoreId]),
    });
    expect(response.status).toBe(200);
    const events: AssistantStreamEvent[] = [];
    for await (const event of readEvents(response)) events.push(event);
    expect(events[0]?.event).toBe('thread.created');
    const spoken = events[1];
    if (spoken?.event !== 'thread.message.created') throw new Error(`second event: ${spoken?.event}`);
    expect(spoken.data.role).toBe('user');
    expect(spoken.data.metadata).toMatchObject({ spoken: 'true' });
    const said = spoken.data.content[0];
    const transcript = said?.type === 'text' ? said.text.value : '';
    expect(wordErrorRate(question, transcript), transcript).toBeLessThanOrEqual(0.2);
    const answer = events.find(
      (event) => event.event === 'thread.message.completed' && event.data.role === 'assistant',
    );
    const text = answer?.event === 'thread.message.completed' ? answer.data.content[0] : undefined;
    if (text?.type !== 'text') throw new Error('no answer text');
    expect(text.text.value, transcript).toMatch(/60 euros/);
    expect(text.text.annotations.some((annotation) => annotation.type === 'file_citation')).toBe(true);
    expect(events.at(-1)?.event).toBe('done');
  }, 120_000);

  it.each([
    ['not audio', Buffer.from('hello, not audio'), /could not be decoded/],
    ['empty', Buffer.alloc(0), /empty/],
  ])(
    'a question that is %s is a 400 in the one error shape',
    async (_, bytes, message) => {
      const response = await ask(bytes, 'question.webm');
      expect(response.status).toBe(400);
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code).toBe('bad_request');
      expect(body.message).toMatch(message);
    },
    60_000,
  );

  it('a question over 25 MB is a 413 with OpenAI’s message', async () => {
    const response = await ask(Buffer.alloc(26 * 1024 * 1024, 1), 'question.webm');
    expect(response.status).toBe(413);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe('payload_too_large');
    expect(body.message).toMatch(/^Maximum content size limit \(26214400\) exceeded/);
  }, 60_000);

  it('says what speech the server offers', async () => {
    const response = await fetch(`${harness.baseUrl()}${apiPaths.speech}`);
    const status = speechStatusSchema.parse(await response.json());
    expect(status.transcription.available).toBe(true);
    expect(status.speech.available).toBe(true);
  });
});

describe('speech status without models', () => {
  it('names what is missing and how to get it', async () => {
    const harness = await createChatHarness({ STT_MODEL_DIR: join(tmpdir(), 'no-whisper-here') });
    try {
      const response = await harness.app.inject({ method: 'GET', url: apiPaths.speech });
      const status = speechStatusSchema.parse(response.json());
      expect(status.transcription.available).toBe(false);
      expect(status.transcription.via).toContain('setup-speech.sh');
      const form = new FormData();
      form.append('audio', new Blob([Buffer.from('RIFF')]), 'q.wav');
      const request = new Request('http://x/', { method: 'POST', body: form });
      const spoken = await harness.app.inject({
        method: 'POST',
        url: apiPaths.chatStream,
        headers: Object.fromEntries(request.headers),
        payload: Buffer.from(await request.arrayBuffer()),
      });
      expect(spoken.statusCode).toBe(503);
      expect(spoken.json()).toMatchObject({ code: 'upstream_unavailable' });
    } finally {
      await harness.close();
    }
  });
});
