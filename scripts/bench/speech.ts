// `npm run bench:speech`: transcription real-time factor for a ~10 s spoken question (Whisper base
// in its worker, warm; STT_ENGINE picks the engine, onnx by default) and the first call's time
// with the model load, and, over a listening server, the time from a /v1/audio/speech request for
// a 120-word answer (Piper voice when installed, else eSpeak NG) to its first sound (first byte past the WAV header or the mp3's ID3 tag) and
// to its last byte, in mp3 and WAV. Needs `bash scripts/setup-speech.sh` and espeak-ng + ffmpeg.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';

const question =
  'Good morning. I am looking for the part of the handbook that explains how often we rotate the signing keys for the staging cluster, and who has to approve the change before it goes live.';
const runs = 3;
/** A 120-word answer, as the chat gives them: what "Read aloud" speaks. */
const answer =
  'Signing keys for the staging cluster are rotated every ninety days by the platform team, and the rotation is announced in the operations channel a week before it happens. To rotate them, open the key management console, create a new key version, and mark the old version as retiring rather than deleting it, so that tokens signed in the last hour still verify. Then restart the gateway pods one at a time and watch the error rate on the dashboard. If anything fails, switch the active version back and tell the on-call engineer. A change to production keys needs approval from the security lead and one service owner before it goes live, and the ticket must link the audit log.';
const answerWords = answer.split(/\s+/).length;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
/** Bytes before the first sound: WAV's 44-byte header, or an mp3's ID3v2 tag (10 bytes + its size). */
const headerBytes = (bytes: Buffer, format: 'mp3' | 'wav') => {
  if (format === 'wav') return 44;
  if (bytes.length < 10 || bytes.toString('latin1', 0, 3) !== 'ID3') return 0;
  const size = ((bytes[6] ?? 0) << 21) | ((bytes[7] ?? 0) << 14) | ((bytes[8] ?? 0) << 7) | (bytes[9] ?? 0);
  return 10 + size;
};
const directory = mkdtempSync(join(tmpdir(), 'threadline-bench-speech-'));
const wav = join(directory, 'question.wav');
execFileSync('espeak-ng', ['-v', 'en', '-s', '150', '-w', wav, question]);
const bytes = readFileSync(wav);
const seconds = (bytes.length - 44) / 2 / 22_050;

const app = await buildApp(
  loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: directory,
    EMBEDDINGS: 'hash',
    DEFAULT_KNOWLEDGE_BASE: 'none',
    // `TTS_VOICE=espeak npm run bench:speech` compares eSpeak NG; `STT_ENGINE=faster-whisper`
    // the Python worker process.
    ...(process.env.TTS_VOICE ? { TTS_VOICE: process.env.TTS_VOICE } : {}),
    ...(process.env.STT_ENGINE ? { STT_ENGINE: process.env.STT_ENGINE } : {}),
  }),
  { logger: false },
);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
try {
  // `npm run bench:speech -- out`: speech out only (no Whisper runs).
  if (process.argv[2] !== 'out') {
    const coldStart = performance.now();
    await app.speech.transcribe(bytes, { language: 'en' });
    const cold = performance.now() - coldStart;
    const timings: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      await app.speech.transcribe(bytes, { language: 'en' });
      timings.push(performance.now() - started);
    }

    const transcribed = median(timings);
    console.log(`speech: ${app.speech.status().transcription.via}`);
    console.log(
      `transcription: ${seconds.toFixed(1)} s of audio, median ${(transcribed / 1000).toFixed(2)} s over ${runs} warm runs → real-time factor ${(transcribed / 1000 / seconds).toFixed(2)} (first call incl. model load ${(cold / 1000).toFixed(1)} s); load average ${load()}`,
    );
  }

  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  console.log(`speech out: ${app.speech.status().speech.via}`);
  // As the web app does: GET /speech on opening loads the voice; one sentence makes sure it has.
  await fetch(`${address}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: 'Warming up.', response_format: 'wav' }),
  }).then((response) => response.arrayBuffer());
  for (const format of ['mp3', 'wav'] as const) {
    const firstAudio: number[] = [];
    const whole: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const response = await fetch(`${address}/v1/audio/speech`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: answer, response_format: format }),
      });
      const reader = response.body?.getReader();
      let received = Buffer.alloc(0);
      let heard: number | undefined;
      for (let next = await reader?.read(); next && !next.done; next = await reader?.read()) {
        received = Buffer.concat([received, next.value]);
        if (heard === undefined && received.length > headerBytes(received, format))
          heard = performance.now() - started;
      }
      firstAudio.push(heard ?? Number.NaN);
      whole.push(performance.now() - started);
    }
    console.log(
      `speech (${format}): first audio after median ${median(firstAudio).toFixed(0)} ms, whole answer after ${median(whole).toFixed(0)} ms (${answerWords} words, ${answer.length} characters); load average ${load()}`,
    );
  }
} finally {
  await app.close();
  rmSync(directory, { recursive: true, force: true });
}
