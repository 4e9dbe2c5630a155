import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * What the speech suites need, as .ci/run installs it: eSpeak NG and ffmpeg (Debian), Whisper
 * base's CTranslate2 weights and the ONNX graphs converted from them (the default engine), a
 * Python with faster-whisper (STT_ENGINE=faster-whisper) and the Piper voice en_US-joe-medium
 * (all under ~/.cache/threadline, by scripts/setup-speech.sh).
 * Locally without them the suites are skipped, loudly; with CI=true they run and fail.
 */
const isCi = process.env.CI === 'true' || process.env.CI === '1';
const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'threadline');
export const whisperDir = process.env.STT_MODEL_DIR || join(cache, 'whisper-base-ct2');
export const speechPython = process.env.STT_PYTHON || join(cache, 'speech-venv', 'bin', 'python');
export const piperVoice = process.env.TTS_VOICE || join(cache, 'piper-voices', 'en_US-joe-medium.onnx');

function missing(): string[] {
  const problems: string[] = [];
  for (const [tool, flag] of [
    ['espeak-ng', '--version'],
    ['ffmpeg', '-version'],
  ] as const) {
    try {
      execFileSync(tool, [flag], { stdio: 'ignore' });
    } catch {
      problems.push(`${tool} (apt-get install ${tool})`);
    }
  }
  if (!existsSync(join(whisperDir, 'model.bin'))) problems.push(`Whisper base in ${whisperDir}`);
  if (!existsSync(join(whisperDir, 'onnx.json'))) problems.push(`Whisper base as ONNX in ${whisperDir}`);
  if (!existsSync(speechPython)) problems.push(`a Python with faster-whisper at ${speechPython}`);
  if (!existsSync(piperVoice)) problems.push(`the Piper voice at ${piperVoice}`);
  return problems;
}

export const speechProblems = missing();
export const isSpeechTestSkipped = speechProblems.length > 0 && !isCi;
if (isSpeechTestSkipped) {
  process.stderr.write(
    `\n${'!'.repeat(78)}\nspeech tests SKIPPED, missing: ${speechProblems.join('; ')} (bash scripts/setup-speech.sh)\n${'!'.repeat(78)}\n\n`,
  );
}
/** Throws in CI when something is missing, so a broken install cannot pass as a skip. */
export function requireSpeechTools(): void {
  if (speechProblems.length > 0) throw new Error(`the speech tests need: ${speechProblems.join('; ')}`);
}

/** The environment that points the app at the test machine's Whisper. */
export const speechEnvironment = (): Record<string, string> => ({
  STT_MODEL_DIR: whisperDir,
  STT_PYTHON: speechPython,
  TTS_VOICE: piperVoice,
});

/** eSpeak NG speaks `text` into `directory/name.wav`; with `opus`, ffmpeg also makes `name.ogg`. */
export function speak(text: string, directory: string, name: string): { wav: string; ogg: string } {
  const wav = join(directory, `${name}.wav`);
  const ogg = join(directory, `${name}.ogg`);
  execFileSync('espeak-ng', ['-v', 'en', '-s', '150', '-w', wav, text]);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', wav, '-c:a', 'libopus', '-b:a', '24k', ogg]);
  return { wav, ogg };
}

/** Random bytes in a file, `bytes` long: for the size limit. */
export function writeNoise(path: string, bytes: number): string {
  const buffer = Buffer.alloc(bytes);
  for (let index = 0; index < bytes; index += 4) buffer.writeUInt32LE((index * 2654435761) >>> 0, index);
  writeFileSync(path, buffer);
  return path;
}

const numberWords = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** Words as Whisper's English normaliser compares them: lower case, no punctuation, small numbers spelled. */
const wordsOf = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => numberWords[Number(word)] ?? word);

/** Word error rate: word-level edit distance over the reference's length (case and punctuation ignored). */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const expected = wordsOf(reference);
  const heard = wordsOf(hypothesis);
  let previous = Array.from({ length: heard.length + 1 }, (_, index) => index);
  for (let row = 1; row <= expected.length; row++) {
    const current = [row];
    for (let column = 1; column <= heard.length; column++) {
      const substitution = (previous[column - 1] ?? 0) + (expected[row - 1] === heard[column - 1] ? 0 : 1);
      current.push(Math.min((previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return (previous[heard.length] ?? 0) / Math.max(1, expected.length);
}
