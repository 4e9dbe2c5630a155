import type { FastifyInstance, FastifyRequest } from 'fastify';
import { maxAudioUploadBytes } from '@threadline/shared';
import { AppError } from '../../http/index.js';

/**
 * A multipart legacy message — an `audio` file and, optionally, `language` — as the JSON body the
 * route validates: the transcript as `content`. Bad audio, or none, is a 400 in the one error
 * shape, as on `/chat/stream` and `/v1/audio/transcriptions`.
 */
export async function spokenMessage(
  app: FastifyInstance,
  request: FastifyRequest,
): Promise<{ content: string }> {
  let audio: Buffer | null = null;
  let language: string | undefined;
  try {
    for await (const part of request.parts({ limits: { fileSize: maxAudioUploadBytes, files: 1 } })) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (part.fieldname === 'audio') audio = bytes;
      } else if (part.fieldname === 'language' && typeof part.value === 'string') {
        language = part.value.trim() || undefined;
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
      throw new AppError('bad_request', 400, 'The audio is over 25 MB.');
    throw error;
  }
  if (!audio)
    throw new AppError('bad_request', 400, "A voice message sends its audio in the multipart field 'audio'.");
  const transcription = await app.speech.transcribe(audio, { language });
  if (!transcription.text) throw new AppError('bad_request', 400, 'No speech was heard in the audio.');
  return { content: transcription.text };
}
