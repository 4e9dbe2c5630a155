import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpeech } from '../../src/speech/index.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { testConfig } from '../helpers/test-config.js';
import {
  isSpeechTestSkipped,
  requireSpeechTools,
  speechEnvironment,
  wordErrorRate,
} from '../helpers/speech-fixtures.js';

/** Five sentences, as an answer read aloud: long enough that streaming shows. */
const answer =
  'Signing keys for the staging cluster are rotated every ninety days. The platform team announces each rotation a week before. Old key versions are kept for one hour. The gateway restarts one pod at a time. The security lead approves changes to production keys.';

/** The data size a stream of unknown length carries in its WAV header (ours; eSpeak NG writes another). */
const streamingDataSize = 0xffffffff - 36;

/**
 * Neural speech: the Piper voice en_US-joe-medium on onnxruntime-node in a worker thread,
 * sentence by sentence (as scripts/setup-speech.sh installs it), heard back by Whisper base.
 */
describe.skipIf(isSpeechTestSkipped)(
  'speech from a Piper voice (onnxruntime-node, Whisper hears it back)',
  () => {
    let built: TestApp;
    let baseURL: string;

    beforeAll(async () => {
      requireSpeechTools();
      built = await buildTestApp(testConfig(speechEnvironment()));
      baseURL = `${await built.app.listen({ port: 0, host: '127.0.0.1' })}/v1`;
    }, 60_000);
    afterAll(async () => {
      await built?.close();
    });

    const speakOver = async (body: Record<string, unknown>) => {
      const started = performance.now();
      const response = await fetch(`${baseURL}/audio/speech`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tts-1', response_format: 'wav', ...body }),
      });
      expect(response.status).toBe(200);
      const chunks: { at: number; bytes: Buffer }[] = [];
      for await (const chunk of response.body ?? [])
        chunks.push({ at: performance.now() - started, bytes: Buffer.from(chunk as Uint8Array) });
      return chunks;
    };

    it('says it speaks with Piper, and eSpeak NG for eSpeak voice names', () => {
      expect(built.app.speech.status().speech.via).toMatch(
        /^Piper en_US-joe-medium on onnxruntime-node.*eSpeak NG/,
      );
    });

    it('streams an answer sentence by sentence: the first sound long before the last, all heard back (WER ≤ 0.2)', async () => {
      await speakOver({ voice: 'alloy', input: 'Warming up.' });
      const chunks = await speakOver({ voice: 'alloy', input: answer });
      const wav = Buffer.concat(chunks.map((chunk) => chunk.bytes));
      expect(wav.readUInt32LE(40)).toBe(streamingDataSize);
      expect(wav.readUInt32LE(24)).toBe(22_050);
      const firstSound = chunks.find(
        (_, index) => chunks.slice(0, index + 1).reduce((sum, chunk) => sum + chunk.bytes.length, 0) > 44,
      );
      const last = chunks.at(-1);
      if (!firstSound || !last) throw new Error('no audio');
      // Five sentences are synthesised one after another; the first leaves after the first.
      expect(firstSound.at, `first sound at ${firstSound.at} ms, end at ${last.at} ms`).toBeLessThan(
        last.at / 2,
      );
      const { text } = await built.app.speech.transcribe(wav, { language: 'en' });
      expect(wordErrorRate(answer, text), text).toBeLessThanOrEqual(0.2);
    }, 120_000);

    it('gives an eSpeak voice name to eSpeak NG (its own WAV header), still heard back', async () => {
      const input = 'Who has to approve the change before it goes live?';
      const wav = Buffer.concat((await speakOver({ voice: 'en-gb', input })).map((chunk) => chunk.bytes));
      expect(wav.readUInt32LE(40)).not.toBe(streamingDataSize);
      const { text } = await built.app.speech.transcribe(wav, { language: 'en' });
      expect(wordErrorRate(input, text), text).toBeLessThanOrEqual(0.2);
    }, 60_000);

    it('a TTS_VOICE that is not there stops start-up with what is missing', () => {
      expect(() =>
        createSpeech({ ...testConfig(speechEnvironment()), TTS_VOICE: '/nowhere/voice.onnx' }),
      ).toThrow(/TTS_VOICE: no Piper voice at \/nowhere\/voice\.onnx/);
    });
  },
);
