import { speechStatusSchema, v1TranscriptionSchema, type SpeechStatus } from '@threadline/shared';
import { endpoints } from '../config/api.js';
import { requestJson } from './http.js';

let status: Promise<SpeechStatus> | undefined;

/** What the server offers (asked once per page): a microphone needs transcription, Read aloud speech. */
export function speechStatus(): Promise<SpeechStatus> {
  status ??= requestJson(endpoints().speech(), speechStatusSchema).catch((error: unknown) => {
    status = undefined;
    throw error;
  });
  return status;
}

/** Asks again on the next call (tests; a server that got its models). */
export function forgetSpeechStatus(): void {
  status = undefined;
}

/** A recording, transcribed by the server's `/v1/audio/transcriptions` (Whisper unless forwarded). */
export async function transcribeRecording(recording: Blob): Promise<string> {
  const form = new FormData();
  const extension = recording.type.includes('ogg') ? 'ogg' : recording.type.includes('mp4') ? 'm4a' : 'webm';
  form.append('file', recording, `question.${extension}`);
  form.append('model', 'whisper-1');
  const { text } = await requestJson(endpoints().audioTranscriptions(), v1TranscriptionSchema, {
    method: 'POST',
    body: form,
  });
  return text;
}

/**
 * An answer spoken by the server's `/v1/audio/speech` (citation markers and code are not read):
 * the response, whose mp3 arrives sentence by sentence, for playResponse to play as it comes.
 */
export async function speakAnswer(text: string, signal: AbortSignal): Promise<Response> {
  const response = await fetch(endpoints().audioSpeech(), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'tts-1',
      voice: 'alloy',
      input: text.slice(0, 4096),
      response_format: 'mp3',
    }),
    signal,
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(
      body?.error?.message ?? `The server could not read the answer aloud (${response.status}).`,
    );
  }
  return response;
}
