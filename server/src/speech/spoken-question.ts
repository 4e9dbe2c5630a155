import { AppError } from '../http/index.js';
import type { Speech } from './speech-service.js';

/**
 * The text of a question sent as audio (`/chat/stream`, the legacy messages route): the
 * transcript, or a 400 when no speech was heard, so an empty message is never sent on.
 */
export async function transcribeQuestion(
  speech: Speech,
  audio: Buffer,
  options: { language?: string | undefined },
): Promise<string> {
  const transcription = await speech.transcribe(audio, { language: options.language });
  if (!transcription.text) throw new AppError('bad_request', 400, 'No speech was heard in the audio.');
  return transcription.text;
}

/** A multipart audio upload over the 25 MB limit is bad audio (400), as on /v1/audio/transcriptions. */
export function asBadAudio(error: unknown): never {
  if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
    throw new AppError('bad_request', 400, 'The audio is over 25 MB.');
  throw error;
}
