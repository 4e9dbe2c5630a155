import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { AppError } from '../http/index.js';
import type { SpeechFormat, SynthesizeOptions, Synthesizer } from './speech-types.js';

/**
 * OpenAI's voice names on eSpeak NG's English variants, so `voice: "alloy"` works unchanged. An
 * eSpeak voice name itself (`en-gb`, `en-us+f2`) is taken as it is.
 */
const openAiVoices: Record<string, string> = {
  alloy: 'en',
  ash: 'en-us+m3',
  ballad: 'en+m4',
  coral: 'en+f2',
  echo: 'en-us',
  fable: 'en+m2',
  nova: 'en+f2',
  onyx: 'en+m3',
  sage: 'en-us+f2',
  shimmer: 'en+f4',
  verse: 'en-us+m2',
};

export const openAiVoiceNames = Object.keys(openAiVoices);

/** An eSpeak voice name as `-v` takes it: a language (`en-gb`), optionally with a variant (`+f2`). */
export const isEspeakVoiceName = (voice: string): boolean =>
  /^[a-z]{2,3}(-[a-z0-9]{2,8})*(\+[a-z0-9]{1,12})?$/i.test(voice);

export const espeakVoiceOf = (voice: string): string => {
  const mapped = openAiVoices[voice.toLowerCase()];
  if (mapped) return mapped;
  if (isEspeakVoiceName(voice)) return voice;
  throw new AppError(
    'bad_request',
    400,
    `Voice '${voice}' is not one of ${Object.keys(openAiVoices).join(', ')}.`,
  );
};

/** eSpeak's words per minute for OpenAI's `speed` (1 = eSpeak's default 175). */
export const wordsPerMinuteOf = (speed: number): number =>
  Math.round(Math.min(450, Math.max(80, 175 * speed)));

/** ffmpeg's output arguments per format, matching what OpenAI sends (pcm: 24 kHz s16le mono). */
export const encoderArguments: Record<Exclude<SpeechFormat, 'wav'>, string[]> = {
  mp3: ['-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3'],
  opus: ['-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg'],
  aac: ['-c:a', 'aac', '-b:a', '64k', '-f', 'adts'],
  flac: ['-c:a', 'flac', '-f', 'flac'],
  pcm: ['-ar', '24000', '-ac', '1', '-f', 's16le'],
};

export type EspeakSynthesizerOptions = {
  espeak: string;
  /** Unset: no ffmpeg on this machine; only WAV can be made. */
  ffmpeg: string | undefined;
};

/**
 * Text to speech with eSpeak NG (Debian's `espeak-ng`): formant synthesis, robotic but offline,
 * instant and clear enough to transcribe back. It writes WAV while it speaks, so the first bytes
 * leave within milliseconds; other formats are encoded on the fly by ffmpeg when present.
 */
export function createEspeakSynthesizer(options: EspeakSynthesizerOptions): Synthesizer {
  return {
    description: `eSpeak NG (${options.espeak})${options.ffmpeg ? ', encoded by ffmpeg' : ', WAV only (no ffmpeg)'}`,
    async *synthesize(text, synthesis: SynthesizeOptions) {
      const voice = espeakVoiceOf(synthesis.voice);
      if (synthesis.format !== 'wav' && !options.ffmpeg) {
        throw new AppError(
          'bad_request',
          400,
          `response_format '${synthesis.format}' needs ffmpeg on the server; 'wav' works without it.`,
        );
      }
      const processes: ChildProcess[] = [];
      const speaker = spawn(
        options.espeak,
        ['--stdin', '--stdout', '-v', voice, '-s', String(wordsPerMinuteOf(synthesis.speed))],
        { stdio: ['pipe', 'pipe', 'ignore'] },
      );
      processes.push(speaker);
      speaker.stdin.end(text);
      let output: Readable = speaker.stdout;
      if (synthesis.format !== 'wav' && options.ffmpeg) {
        const encoder = spawn(
          options.ffmpeg,
          [
            '-hide_banner',
            '-loglevel',
            'error',
            '-f',
            'wav',
            '-i',
            'pipe:0',
            ...encoderArguments[synthesis.format],
            'pipe:1',
          ],
          { stdio: ['pipe', 'pipe', 'ignore'] },
        );
        processes.push(encoder);
        speaker.stdout.pipe(encoder.stdin);
        // A client that leaves mid-answer closes the encoder's input early: not an error.
        encoder.stdin.on('error', () => undefined);
        output = encoder.stdout;
      }
      const stop = () => processes.forEach((child) => child.kill());
      synthesis.signal?.addEventListener('abort', stop, { once: true });
      const failed = new Promise<never>((_, reject) => {
        for (const child of processes) child.once('error', reject);
      });
      failed.catch(() => undefined);
      try {
        for await (const chunk of output) yield chunk as Buffer;
        await Promise.race([failed, Promise.resolve()]);
      } finally {
        synthesis.signal?.removeEventListener('abort', stop);
        stop();
      }
    },
  };
}
