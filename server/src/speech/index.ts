/**
 * @module speech
 * Speech in and out: Whisper in a Python worker process (faster-whisper over CTranslate2 weights)
 * or any OpenAI-compatible transcription server (STT_BASE_URL); a Piper voice on onnxruntime-node
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
