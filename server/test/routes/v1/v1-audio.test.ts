import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { testConfig } from '../../helpers/test-config.js';
import {
  isSpeechTestSkipped,
  requireSpeechTools,
  speak,
  speechEnvironment,
  wordErrorRate,
  writeNoise,
} from '../../helpers/speech-fixtures.js';

const run = promisify(execFile);
const pythonScript = fileURLToPath(new URL('../../python/audio_transcribe.py', import.meta.url));
const testPython = process.env.THREADLINE_TEST_PYTHON ?? join(tmpdir(), 'no-test-python');

/** Questions a person asks a knowledge base; espeak-ng says them, Whisper must hear them. */
const questions = {
  keys: 'How do I rotate the signing keys for the staging cluster?',
  hotel: 'What is the hotel limit per night when traveling for work?',
  approval: 'Who has to approve the change before it goes live?',
};

describe.skipIf(isSpeechTestSkipped)('/v1/audio with real audio (espeak-ng in, Whisper base)', () => {
  let built: TestApp;
  let client: OpenAI;
  let baseURL: string;
  const directory = mkdtempSync(join(tmpdir(), 'threadline-audio-'));
  const files: Record<string, { wav: string; ogg: string }> = {};

  beforeAll(async () => {
    requireSpeechTools();
    for (const [name, text] of Object.entries(questions)) files[name] = speak(text, directory, name);
    built = await buildTestApp(testConfig(speechEnvironment()));
    const address = await built.app.listen({ port: 0, host: '127.0.0.1' });
    baseURL = `${address}/v1`;
    client = new OpenAI({ baseURL, apiKey: 'none', maxRetries: 0 });
  }, 60_000);

  afterAll(async () => {
    await built?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const transcribe = async (path: string, extra: Record<string, string> = {}) =>
    client.audio.transcriptions.create({
      file: await toFile(readFileSync(path), path.split('/').at(-1)),
      model: 'whisper-1',
      ...extra,
    });

  it.each(Object.entries(questions))(
    'openai-node hears the %s question from WAV and from Opus (WER ≤ 0.2)',
    async (name, text) => {
      const file = files[name];
      if (!file) throw new Error(`no audio for ${name}`);
      for (const path of [file.wav, file.ogg]) {
        const { text: heard } = await transcribe(path);
        expect(wordErrorRate(text, heard), `${path}: "${heard}"`).toBeLessThanOrEqual(0.2);
      }
    },
    120_000,
  );

  it('openai-python hears every question (WER ≤ 0.2), and text format is plain text', async () => {
    requireSpeechTools();
    const paths = Object.keys(questions).map((name) => files[name]?.ogg ?? '');
    const { stdout } = await run(testPython, [pythonScript, ...paths], {
      env: { ...process.env, THREADLINE_BASE_URL: baseURL },
    });
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { path: string; text: string });
    expect(lines).toHaveLength(paths.length + 1);
    Object.values(questions).forEach((text, index) => {
      const heard = lines[index]?.text ?? '';
      expect(wordErrorRate(text, heard), heard).toBeLessThanOrEqual(0.2);
    });
    expect(wordErrorRate(questions.keys, lines.at(-1)?.text ?? '')).toBeLessThanOrEqual(0.2);
  }, 120_000);

  it('gives verbose_json, srt and vtt as OpenAI shapes them; a given language is used', async () => {
    const path = files.hotel?.wav ?? '';
    const verbose = await client.audio.transcriptions.create({
      file: await toFile(readFileSync(path), 'hotel.wav'),
      model: 'whisper-1',
      response_format: 'verbose_json',
      language: 'en',
    });
    expect(verbose.language).toBe('english');
    expect(verbose.duration).toBeGreaterThan(2);
    expect(verbose.segments?.length).toBeGreaterThan(0);
    expect(wordErrorRate(questions.hotel, verbose.text)).toBeLessThanOrEqual(0.2);
    const srt = await client.audio.transcriptions.create({
      file: await toFile(readFileSync(path), 'hotel.wav'),
      model: 'whisper-1',
      response_format: 'srt',
    });
    expect(srt).toMatch(/^1\n00:00:00,000 --> 00:00:0\d,\d{3}\n\S/);
    const vtt = await client.audio.transcriptions.create({
      file: await toFile(readFileSync(path), 'hotel.wav'),
      model: 'whisper-1',
      response_format: 'vtt',
    });
    expect(vtt).toMatch(/^WEBVTT\n\n00:00:00\.000 --> /);
  }, 120_000);

  it.each([
    ['wav', 'audio/wav'],
    ['mp3', 'audio/mpeg'],
    ['opus', 'audio/ogg'],
  ] as const)(
    'speaks %s that transcribes back to the input (WER ≤ 0.2)',
    async (format, contentType) => {
      const input = 'The travel policy pays for one hotel room per night.';
      const response = await client.audio.speech.create({
        model: 'tts-1',
        voice: 'alloy',
        input,
        response_format: format,
      });
      expect(response.headers.get('content-type')).toBe(contentType);
      const audio = Buffer.from(await response.arrayBuffer());
      expect(audio.length).toBeGreaterThan(4000);
      const path = join(directory, `spoken.${format}`);
      writeFileSync(path, audio);
      const { text } = await transcribe(path);
      expect(wordErrorRate(input, text), text).toBeLessThanOrEqual(0.2);
    },
    120_000,
  );

  it('reads answers, not their citation markers and code', async () => {
    const response = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: 'Rotate the keys monthly【4:0†source】 [1].\n\n```bash\nkubectl rotate --all\n```',
      response_format: 'wav',
    });
    const path = join(directory, 'answer.wav');
    writeFileSync(path, Buffer.from(await response.arrayBuffer()));
    const { text } = await transcribe(path);
    // Piper samples its voice (noise_scale 0.667) and Whisper falls back to sampled temperatures,
    // so one word is now and then heard otherwise ("repet the keys monthly" in one fresh-clone CI
    // run): the words that follow it say the sentence was read; what must never be read
    // is the marker and the code.
    expect(text.toLowerCase()).toMatch(/\bthe keys monthly\b/);
    expect(text.toLowerCase()).not.toMatch(/source|kubectl/);
  }, 120_000);

  it('pcm is 24 kHz 16-bit mono: about 48,000 bytes a second of speech', async () => {
    const response = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'echo',
      input: 'One two three four five six seven eight nine ten.',
      response_format: 'pcm',
    });
    const bytes = (await response.arrayBuffer()).byteLength;
    expect(bytes % 2).toBe(0);
    expect(bytes / 48_000).toBeGreaterThan(1.5);
    expect(bytes / 48_000).toBeLessThan(8);
  }, 60_000);

  const badAudio: [string, () => { bytes: Buffer; name: string }, RegExp][] = [
    ['an empty file', () => ({ bytes: Buffer.alloc(0), name: 'empty.wav' }), /empty/],
    [
      'a WAV cut inside its header',
      () => ({ bytes: readFileSync(files.keys?.wav ?? '').subarray(0, 30), name: 'cut.wav' }),
      /could not be decoded/,
    ],
    [
      'an Ogg cut inside its first page',
      () => ({ bytes: readFileSync(files.keys?.ogg ?? '').subarray(0, 20), name: 'cut.ogg' }),
      /could not be decoded/,
    ],
    [
      'text that is not audio',
      () => ({ bytes: Buffer.from('Not audio at all.\n'), name: 'notes.mp3' }),
      /could not be decoded/,
    ],
  ];

  it.each(badAudio)(
    '%s gets a 400 in OpenAI’s error shape, and the server keeps working',
    async (_, make, message) => {
      const { bytes, name } = make();
      const error = await client.audio.transcriptions
        .create({ file: await toFile(bytes, name), model: 'whisper-1' })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      const body = (error as InstanceType<typeof OpenAI.BadRequestError>).error as {
        message: string;
        type: string;
      };
      expect(body.type).toBe('invalid_request_error');
      expect(body.message).toMatch(message);
      const { text } = await transcribe(files.approval?.ogg ?? '');
      expect(wordErrorRate(questions.approval, text)).toBeLessThanOrEqual(0.2);
    },
    120_000,
  );

  // OpenAI answers an upload over 25 MB with 413 and this message (client bug reports quoting
  // its reply, 2023–2025: StanGirard/speechdigest#1, murtaza-nasir/speakr#42); openai-node
  // raises a plain APIError for 413. OpenAI labels it type "server_error"; here it stays an
  // invalid_request_error, as every 4xx under /v1 is.
  it('a 26 MB file gets OpenAI’s 413 "Maximum content size limit", and the server keeps working', async () => {
    const bytes = readFileSync(writeNoise(join(directory, 'big.wav'), 26 * 1024 * 1024));
    const error = await client.audio.transcriptions
      .create({ file: await toFile(bytes, 'big.wav'), model: 'whisper-1' })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(413);
    expect((apiError.error as { message: string }).message).toMatch(
      /^Maximum content size limit \(26214400\) exceeded/,
    );
    const { text } = await transcribe(files.approval?.ogg ?? '');
    expect(wordErrorRate(questions.approval, text)).toBeLessThanOrEqual(0.2);
  }, 120_000);

  it.each([
    ['an unknown voice', { voice: 'no voice at all' }, /Voice/],
    ['an unknown format', { response_format: 'mp4' }, /response_format/],
    ['empty input', { input: '   ' }, /input/],
    ['speed out of range', { speed: 9 }, /speed/],
  ])('speech with %s is a 400', async (_, change, message) => {
    const body = { model: 'tts-1', voice: 'alloy', input: 'Hello there.', ...change };
    const response = await fetch(`${baseURL}/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { message: string } }).error;
    expect(error.message).toMatch(message);
  });

  it('an unknown transcription format and a missing model are 400s', async () => {
    for (const [fields, message] of [
      [{ model: 'whisper-1', response_format: 'xml' }, /response_format/],
      [{}, /'model' is a required property/],
    ] as const) {
      const form = new FormData();
      form.append('file', new Blob([readFileSync(files.keys?.wav ?? '')]), 'keys.wav');
      for (const [key, value] of Object.entries(fields)) form.append(key, value);
      const response = await fetch(`${baseURL}/audio/transcriptions`, { method: 'POST', body: form });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  }, 60_000);
});
