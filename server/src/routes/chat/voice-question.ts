import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../http/index.js';
import { transcribeQuestion } from '../../speech/index.js';

/** The multipart fields besides `audio` a voice question may carry, as text. */
const textOf = (value: unknown): string | undefined => {
  const field = value as { value?: unknown } | undefined;
  const text = typeof value === 'string' ? value : typeof field?.value === 'string' ? field.value : undefined;
  return text && text.trim() ? text.trim() : undefined;
};

/** `vectorStoreIds` as a JSON array or a comma-separated list. */
const idsOf = (value: string | undefined): string[] | undefined => {
  if (value === undefined) return undefined;
  if (value.startsWith('[')) {
    const parsed: unknown = JSON.parse(value);
    if (!Array.isArray(parsed)) throw new AppError('bad_request', 400, 'vectorStoreIds must be a list.');
    return parsed.map(String);
  }
  return value.split(',').map((id) => id.trim());
};

/**
 * A multipart `/chat/stream` request with an `audio` question becomes the JSON body the route
 * validates: its transcript as `content` (the other fields as they are). Returns whether the
 * request was spoken. Runs before validation, so a voice question is checked like a typed one.
 */
export async function transcribeVoiceQuestion(
  app: FastifyInstance,
  request: FastifyRequest,
): Promise<boolean> {
  if (!request.isMultipart()) return false;
  const fields = (request.body ?? {}) as Record<string, unknown>;
  const audio = fields.audio as { toBuffer?: () => Promise<Buffer>; type?: string } | undefined;
  if (audio?.type !== 'file' || !audio.toBuffer)
    throw new AppError(
      'bad_request',
      400,
      "A voice question sends its audio in the multipart field 'audio'.",
    );
  const bytes = await audio.toBuffer();
  const content = await transcribeQuestion(app.speech, bytes, { language: textOf(fields.language) });
  const threadId = textOf(fields.threadId);
  const model = textOf(fields.model);
  const vectorStoreIds = idsOf(textOf(fields.vectorStoreIds));
  request.body = {
    content,
    ...(threadId ? { threadId } : {}),
    ...(model ? { model } : {}),
    ...(vectorStoreIds ? { vectorStoreIds } : {}),
  };
  return true;
}
