import { maxAudioUploadBytes } from '@threadline/shared';
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

/**
 * A multipart audio upload over the 25 MB limit is a 413 with OpenAI's own message: OpenAI's
 * /v1/audio/transcriptions answers `413 {"error": {"message": "Maximum content size limit
 * (26214400) exceeded (26306794 bytes read)", …}}` (seen in client bug reports from 2023 to 2025,
 * e.g. StanGirard/speechdigest#1, murtaza-nasir/speakr#42), and the voice routes say the same.
 */
export function asBadAudio(error: unknown): never {
  if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
    throw new AppError(
      'payload_too_large',
      413,
      `Maximum content size limit (${maxAudioUploadBytes}) exceeded: audio files are at most 25 MB.`,
    );
  }
  throw error;
}

/**
 * A multipart request's parts, with the size limit as the one 413 however it surfaces: from the
 * part's buffer or from the parts iterator itself (multipart's 'limit' event), whichever settles
 * first.
 */
export async function* audioParts<Part>(parts: AsyncIterable<Part>): AsyncGenerator<Part> {
  try {
    yield* parts;
  } catch (error) {
    asBadAudio(error);
  }
}
