import type { FastifyInstance, FastifyRequest } from 'fastify';
import { maxAudioUploadBytes } from '@threadline/shared';
import { AppError } from '../../http/index.js';
import { asBadAudio, audioParts, transcribeQuestion } from '../../speech/index.js';

/**
 * A multipart legacy message — an `audio` file and, optionally, `language` — as the JSON body the
 * route validates: the transcript as `content`. Bad audio, or none, is a 400 in the one error
 * shape (over 25 MB: a 413), as on `/chat/stream` and `/v1/audio/transcriptions`.
 */
export async function spokenMessage(
  app: FastifyInstance,
  request: FastifyRequest,
): Promise<{ content: string }> {
  let audio: Buffer | null = null;
  let language: string | undefined;
  for await (const part of audioParts(
    request.parts({ limits: { fileSize: maxAudioUploadBytes, files: 1 } }),
  )) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer().catch(asBadAudio);
      if (part.fieldname === 'audio') audio = bytes;
    } else if (part.fieldname === 'language' && typeof part.value === 'string') {
      language = part.value.trim() || undefined;
    }
  }
  if (!audio)
    throw new AppError('bad_request', 400, "A voice message sends its audio in the multipart field 'audio'.");
  return { content: await transcribeQuestion(app.speech, audio, { language }) };
}
