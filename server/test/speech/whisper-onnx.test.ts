import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWhisperTokenizer, type TokenizerJson } from '../../src/speech/whisper-tokenizer.js';
import { WhisperOnnx } from '../../src/speech/whisper-onnx.js';
import {
  isSpeechTestSkipped,
  requireSpeechTools,
  speak,
  whisperDir,
  wordErrorRate,
} from '../helpers/speech-fixtures.js';

/**
 * The in-process Whisper (ONNX on onnxruntime-node) on the model set-up converts: its tokenizer
 * gives Hugging Face `tokenizers`' ids on Whisper's tokenizer.json, it detects a language, and
 * audio over 30 s is read in windows. The /v1, /chat and legacy suites cover the rest.
 */
describe.skipIf(isSpeechTestSkipped)('Whisper on onnxruntime-node', () => {
  const directory = mkdtempSync(join(tmpdir(), 'threadline-whisper-'));
  let whisper: WhisperOnnx;

  beforeAll(() => {
    requireSpeechTools();
    whisper = new WhisperOnnx({ modelDir: whisperDir, threads: 2, ffmpeg: 'ffmpeg' });
  });
  afterAll(async () => {
    await whisper?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it.each([
    // Ids printed by `tokenizers` 0.23.3 (the speech venv) for Tokenizer.from_file(tokenizer.json).
    [
      ' How do I rotate the signing keys for the staging cluster?',
      [1012, 360, 286, 13121, 220, 3322, 13393, 9317, 337, 220, 3322, 41085, 13630, 30],
    ],
    [
      ' Kubernetes, Fastify & naïve café — 3.5 GiB',
      [23145, 11, 15968, 2505, 3693, 1667, 15487, 303, 25118, 3466, 805, 13, 20, 15334, 33],
    ],
    [" don't  stop\n", [500, 380, 220, 1590, 198]],
    [' 日本語のテキスト', [220, 27311, 31348, 2972, 22985, 15535, 40498]],
  ])('tokenizes %j as Hugging Face tokenizers does', (text, ids) => {
    const json = JSON.parse(readFileSync(join(whisperDir, 'tokenizer.json'), 'utf8')) as TokenizerJson;
    const tokenizer = createWhisperTokenizer(json);
    expect(tokenizer.encode(text)).toEqual(ids);
    expect(tokenizer.decode(ids)).toBe(text);
  });

  it('detects German when no language is given', async () => {
    const wav = join(directory, 'german.wav');
    // A short German question ("Wie viel kostet das Hotel pro Nacht?") is Finnish to Whisper
    // base, faster-whisper's too; this longer one is German to both (faster-whisper: p 0.84).
    const german =
      'Guten Morgen. Ich suche den Abschnitt im Handbuch, der erklärt, wie oft wir die Schlüssel für den Testcluster wechseln.';
    execFileSync('espeak-ng', ['-v', 'de', '-s', '140', '-w', wav, german]);
    const heard = await whisper.transcribe(readFileSync(wav), {});
    expect(heard.language).toBe('de');
    expect(heard.text.toLowerCase()).toMatch(/guten morgen.*handbuch/);
  }, 120_000);

  it('reads a 40 s recording in two 30 s windows, words from both', async () => {
    const sentences = [
      'The staging cluster rotates its signing keys every ninety days.',
      'The platform team announces each rotation a week before it happens.',
      'Open the key management console and create a new key version.',
      'Mark the old version as retiring rather than deleting it.',
      'Restart the gateway pods one at a time and watch the error rate.',
      'If anything fails, switch the active version back at once.',
      'A change to production keys needs approval from the security lead.',
      'The ticket must link the audit log before the change goes live.',
    ];
    const wav = join(directory, 'long.wav');
    execFileSync('espeak-ng', ['-v', 'en', '-s', '130', '-w', wav, sentences.join(' ')]);
    const heard = await whisper.transcribe(readFileSync(wav), { language: 'en' });
    expect(heard.duration).toBeGreaterThan(30);
    expect(heard.segments.map((segment) => segment.start)).toEqual([0, 30]);
    expect(heard.text.toLowerCase()).toMatch(/staging cluster/);
    expect(heard.text.toLowerCase()).toMatch(/audit log/);
    // A word cut at the 30 s boundary may be lost or doubled: the bound is looser than 0.2.
    expect(wordErrorRate(sentences.join(' '), heard.text)).toBeLessThanOrEqual(0.3);
  }, 240_000);

  it('turns an unknown language into a 400, and a file that is not audio into one too', async () => {
    const { wav } = speak('Hello there.', directory, 'hello');
    await expect(whisper.transcribe(readFileSync(wav), { language: 'xx' })).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(whisper.transcribe(Buffer.from('not audio at all'), {})).rejects.toMatchObject({
      statusCode: 400,
    });
  }, 120_000);
});
