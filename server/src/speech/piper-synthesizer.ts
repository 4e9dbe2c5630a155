import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { AppError } from '../http/index.js';
import { encoderArguments, isEspeakVoiceName, openAiVoiceNames } from './espeak-synthesizer.js';
import { endMarkOf, piperPhonemeIds } from './piper-phonemes.js';
import type { PiperVoice } from './piper-voice.js';
import type { SynthesizeOptions, Synthesizer } from './speech-types.js';
import { spokenSentences } from './spoken-sentences.js';

export type PiperSynthesizerOptions = {
  voice: PiperVoice;
  /** eSpeak NG: Piper's phonemizer (its IPA), and the voice for eSpeak voice names (`en-gb`). */
  espeak: string;
  espeakSynthesizer: Synthesizer;
  /** Unset: no ffmpeg on this machine; only WAV can be made. */
  ffmpeg: string | undefined;
};

/** Seconds of silence after a sentence, and after a first piece cut at a comma (Piper's own is 0.2 s). */
const sentencePause = 0.2;
const clausePause = 0.05;

/** eSpeak NG's IPA for a piece of text, one line per clause. */
function phonemize(espeak: string, voice: string, text: string, signal?: AbortSignal): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(espeak, ['-q', '--ipa', '-v', voice, '--stdin'], {
      stdio: ['pipe', 'pipe', 'ignore'],
      signal,
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(chunks).toString('utf8').split('\n'));
      else reject(new Error(`espeak-ng could not phonemize (exit code ${code})`));
    });
    child.stdin.end(text);
  });
}

/** A WAV header for a stream of unknown length (sizes at their maximum, as streaming encoders write). */
function streamingWavHeader(sampleRate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(0xffffffff, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(0xffffffff - 36, 40);
  return header;
}

/**
 * Neural text to speech with a Piper voice on onnxruntime-node (worker thread), sentence by
 * sentence: the first short piece is synthesised, encoded and sent while the next is being made,
 * so a long answer starts to sound within about a second. eSpeak NG gives Piper its phonemes
 * (as Piper's own phonemizer does) and still speaks when an eSpeak voice name is asked for.
 */
export function createPiperSynthesizer(options: PiperSynthesizerOptions): Synthesizer {
  const { voice } = options;
  const sampleRate = voice.config.audio.sample_rate;
  return {
    description: `Piper ${basename(voice.modelPath, '.onnx')} on onnxruntime-node, sentence by sentence${options.ffmpeg ? ', encoded by ffmpeg' : ', WAV only (no ffmpeg)'}; eSpeak NG for eSpeak voice names`,
    async *synthesize(text, synthesis: SynthesizeOptions) {
      const name = synthesis.voice.toLowerCase();
      if (!openAiVoiceNames.includes(name) && isEspeakVoiceName(name)) {
        yield* options.espeakSynthesizer.synthesize(text, synthesis);
        return;
      }
      if (!openAiVoiceNames.includes(name)) {
        throw new AppError(
          'bad_request',
          400,
          `Voice '${synthesis.voice}' is not one of ${openAiVoiceNames.join(', ')}.`,
        );
      }
      if (synthesis.format !== 'wav' && !options.ffmpeg) {
        throw new AppError(
          'bad_request',
          400,
          `response_format '${synthesis.format}' needs ffmpeg on the server; 'wav' works without it.`,
        );
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      synthesis.signal?.addEventListener('abort', stop, { once: true });
      let input: Writable;
      let output: NodeJS.ReadableStream;
      if (synthesis.format === 'wav' || !options.ffmpeg) {
        const passThrough = new PassThrough();
        passThrough.write(streamingWavHeader(sampleRate));
        input = passThrough;
        output = passThrough;
      } else {
        const encoder = spawn(
          options.ffmpeg,
          [
            '-hide_banner',
            '-loglevel',
            'error',
            '-f',
            's16le',
            '-ar',
            String(sampleRate),
            '-ac',
            '1',
            '-i',
            'pipe:0',
            ...encoderArguments[synthesis.format],
            '-flush_packets',
            '1',
            'pipe:1',
          ],
          { stdio: ['pipe', 'pipe', 'ignore'], signal: controller.signal },
        );
        encoder.once('error', () => undefined);
        // A client that leaves mid-answer closes the encoder's input early: not an error.
        encoder.stdin.on('error', () => undefined);
        input = encoder.stdin;
        output = encoder.stdout;
      }
      const write = (bytes: Buffer) =>
        new Promise<void>((resolve) => (input.write(bytes) ? resolve() : input.once('drain', resolve)));
      const speak = async () => {
        try {
          for (const piece of spokenSentences(text)) {
            if (controller.signal.aborted) break;
            const clauses = await phonemize(
              options.espeak,
              voice.config.espeak.voice,
              piece,
              controller.signal,
            );
            const mark = endMarkOf(piece);
            const pcm = await voice.synthesize(
              piperPhonemeIds(clauses, mark, voice.config.phoneme_id_map),
              voice.config.inference.length_scale / synthesis.speed,
            );
            await write(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
            const pause = Math.round((mark === ',' ? clausePause : sentencePause) * sampleRate);
            await write(Buffer.alloc(pause * 2));
          }
        } finally {
          input.end();
        }
      };
      const spoken = speak();
      spoken.catch(() => undefined);
      try {
        for await (const chunk of output) yield chunk as Buffer;
        await spoken;
      } finally {
        synthesis.signal?.removeEventListener('abort', stop);
        controller.abort();
      }
    },
  };
}
