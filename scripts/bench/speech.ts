// `npm run bench:speech`: transcription real-time factor for a ~10 s spoken question (Whisper base
// in its worker, warm) and time to first audio byte of /v1/audio/speech (eSpeak NG, mp3 via
// ffmpeg), over a listening server. Needs `bash scripts/setup-speech.sh` and espeak-ng + ffmpeg.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';

const question =
  'Good morning. I am looking for the part of the handbook that explains how often we rotate the signing keys for the staging cluster, and who has to approve the change before it goes live.';
const runs = 3;
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
  }),
  { logger: false },
);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
try {
  const coldStart = performance.now();
  await app.speech.transcribe(bytes, { language: 'en' });
  const cold = performance.now() - coldStart;
  const timings: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await app.speech.transcribe(bytes, { language: 'en' });
    timings.push(performance.now() - started);
  }
  timings.sort((a, b) => a - b);
  const median = timings[Math.floor(runs / 2)] ?? 0;
  console.log(`speech: ${app.speech.status().transcription.via}`);
  console.log(
    `transcription: ${seconds.toFixed(1)} s of audio, median ${(median / 1000).toFixed(2)} s over ${runs} warm runs → real-time factor ${(median / 1000 / seconds).toFixed(2)} (first call incl. model load ${(cold / 1000).toFixed(1)} s); load average ${load()}`,
  );

  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const firstAudio: number[] = [];
  const answer = `${question} The keys are rotated every ninety days by the platform team. ${question}`;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const response = await fetch(`${address}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: answer, response_format: 'mp3' }),
    });
    const reader = response.body?.getReader();
    await reader?.read();
    firstAudio.push(performance.now() - started);
    while (reader && !(await reader.read()).done);
  }
  firstAudio.sort((a, b) => a - b);
  console.log(
    `speech: first audio byte after median ${(firstAudio[Math.floor(runs / 2)] ?? 0).toFixed(0)} ms (${answer.length} characters, mp3); load average ${load()}`,
  );
} finally {
  await app.close();
  rmSync(directory, { recursive: true, force: true });
}
