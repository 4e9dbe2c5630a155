import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { testConfig } from '../helpers/test-config.js';
import {
  isSpeechTestSkipped,
  requireSpeechTools,
  speak,
  speechEnvironment,
  wordErrorRate,
} from '../helpers/speech-fixtures.js';

const question = 'Who has to approve the change before it goes live?';

/**
 * STT_BASE_URL and TTS_BASE_URL against a real OpenAI-compatible audio server: another Threadline
 * with its in-process models (its /v1/audio routes are checked against openai-node and
 * openai-python in routes/v1/v1-audio.test.ts). The forwarding one has no models of its own.
 */
describe.skipIf(isSpeechTestSkipped)('speech forwarded to an OpenAI-compatible server', () => {
  let upstream: TestApp;
  let forwarding: TestApp;
  let client: OpenAI;
  const directory = mkdtempSync(join(tmpdir(), 'threadline-forward-'));
  let audio: { wav: string; ogg: string };

  beforeAll(async () => {
    requireSpeechTools();
    audio = speak(question, directory, 'approval');
    upstream = await buildTestApp(testConfig(speechEnvironment()));
    const upstreamUrl = await upstream.app.listen({ port: 0, host: '127.0.0.1' });
    forwarding = await buildTestApp(
      testConfig({
        STT_BASE_URL: `${upstreamUrl}/v1`,
        STT_MODEL: 'whisper-1',
        TTS_BASE_URL: `${upstreamUrl}/v1`,
        STT_MODEL_DIR: join(directory, 'no-model-here'),
      }),
    );
    const address = await forwarding.app.listen({ port: 0, host: '127.0.0.1' });
    client = new OpenAI({ baseURL: `${address}/v1`, apiKey: 'none', maxRetries: 0 });
  }, 60_000);

  afterAll(async () => {
    await forwarding?.close();
    await upstream?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('says where speech goes', () => {
    const status = forwarding.app.speech.status();
    expect(status.transcription.via).toMatch(/^forwarded to http:\/\/127\.0\.0\.1:\d+ \(whisper-1\)$/);
    expect(status.speech.via).toMatch(/^forwarded to /);
  });

  it('transcribes through the upstream server (verbose_json segments kept)', async () => {
    const result = await client.audio.transcriptions.create({
      file: await toFile(readFileSync(audio.ogg), 'approval.ogg'),
      model: 'whisper-1',
      response_format: 'verbose_json',
    });
    expect(wordErrorRate(question, result.text), result.text).toBeLessThanOrEqual(0.2);
    expect(result.segments?.length).toBeGreaterThan(0);
  }, 120_000);

  it('relays the upstream speech, which transcribes back to the input', async () => {
    const input = 'The travel policy pays for one hotel room per night.';
    const response = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input,
      response_format: 'wav',
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    const { text } = await client.audio.transcriptions.create({
      file: await toFile(bytes, 'spoken.wav'),
      model: 'whisper-1',
    });
    expect(wordErrorRate(input, text), text).toBeLessThanOrEqual(0.2);
  }, 120_000);

  it('an upstream refusal of bad audio stays a 400 here', async () => {
    const error = await client.audio.transcriptions
      .create({ file: await toFile(Buffer.from('not audio at all'), 'x.mp3'), model: 'whisper-1' })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
  }, 60_000);
});
