/**
 * @module speech
 * Speech in and out: Whisper as ONNX on onnxruntime-node in a worker thread (log-mel, greedy
 * decoding, byte-level BPE in TypeScript; ffmpeg decodes the uploads), or faster-whisper in a
 * Python worker process (STT_ENGINE=faster-whisper), or any OpenAI-compatible transcription
 * server (STT_BASE_URL); a Piper voice on onnxruntime-node
 * in a worker thread, sentence by sentence, or eSpeak NG (+ ffmpeg to encode), or any
 * OpenAI-compatible speech server (TTS_BASE_URL); answers made speakable; SRT and WebVTT.
 */
export { speechPlugin } from './speech-plugin.js';
export { createSpeech, defaultSpeechPython, defaultWhisperDir } from './speech-service.js';
export type { Speech, SpeechConfig } from './speech-service.js';
export { asBadAudio, audioParts, transcribeQuestion } from './spoken-question.js';
export { toSrt, toVtt } from './subtitles.js';
export { speechFormats } from './speech-types.js';
export type { SpeechFormat, Transcription } from './speech-types.js';
