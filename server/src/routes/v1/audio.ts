import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import {
  maxAudioUploadBytes,
  transcriptionFormats,
  v1SpeechRequestSchema,
  type TranscriptionFormat,
} from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError, uploadFileName } from '../../http/index.js';
import {
  asBadAudio,
  audioParts,
  toSrt,
  toVtt,
  type SpeechFormat,
  type Transcription,
} from '../../speech/index.js';

/** The content types OpenAI answers `/v1/audio/speech` with. */
const speechContentTypes: Record<SpeechFormat, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

/** Whisper's language codes as OpenAI's verbose_json names them ("english"). */
const languageNames: Record<string, string> = {
  en: 'english',
  de: 'german',
  fr: 'french',
  es: 'spanish',
  it: 'italian',
  pt: 'portuguese',
  nl: 'dutch',
  pl: 'polish',
  ru: 'russian',
  uk: 'ukrainian',
  ja: 'japanese',
  zh: 'chinese',
  ko: 'korean',
  ar: 'arabic',
  hi: 'hindi',
  tr: 'turkish',
  sv: 'swedish',
};

function formatOf(value: string | undefined): TranscriptionFormat {
  if (value === undefined) return 'json';
  const known: readonly string[] = transcriptionFormats;
  if (!known.includes(value)) {
    throw new AppError(
      'bad_request',
      400,
      `'${value}' is not one of ${transcriptionFormats.map((item) => `'${item}'`).join(', ')} - 'response_format'`,
    );
  }
  return value as TranscriptionFormat;
}

function replyBody(transcription: Transcription, format: TranscriptionFormat) {
  switch (format) {
    case 'json':
      return { type: 'application/json', body: { text: transcription.text } };
    case 'text':
      return { type: 'text/plain; charset=utf-8', body: `${transcription.text}\n` };
    case 'srt':
      return { type: 'text/plain; charset=utf-8', body: toSrt(transcription.segments) };
    case 'vtt':
      return { type: 'text/vtt; charset=utf-8', body: toVtt(transcription.segments) };
    case 'verbose_json':
      return {
        type: 'application/json',
        body: {
          task: 'transcribe',
          language: languageNames[transcription.language] ?? transcription.language,
          duration: transcription.duration,
          text: transcription.text,
          segments: transcription.segments,
        },
      };
  }
}

/**
 * `/v1/audio/transcriptions` and `/v1/audio/speech` as openai-python's and openai-node's
 * `audio.*` calls send them, over `app.speech` (in-process models or STT_/TTS_BASE_URL).
 */
export const v1AudioRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(multipart, {
    limits: { fileSize: maxAudioUploadBytes, files: 1, fields: 10, parts: 12 },
  });

  app.post('/audio/transcriptions', async (request, reply) => {
    if (!request.isMultipart())
      throw new AppError('bad_request', 400, 'Send multipart/form-data with "file" and "model".');
    const fields: Record<string, string> = {};
    let upload: { fileName: string; bytes: Buffer } | undefined;
    for await (const part of audioParts(request.parts())) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw new AppError('bad_request', 400, `Unexpected file field '${part.fieldname}'; use 'file'.`);
        }
        const bytes = await part.toBuffer().catch(asBadAudio);
        upload = { fileName: uploadFileName(part.filename), bytes };
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
    if (!upload) throw new AppError('bad_request', 400, "'file' is a required property");
    if (!fields.model) throw new AppError('bad_request', 400, "'model' is a required property");
    const format = formatOf(fields.response_format);
    const transcription = await app.speech.transcribe(upload.bytes, {
      language: fields.language || undefined,
      prompt: fields.prompt || undefined,
      fileName: upload.fileName,
    });
    const { type, body } = replyBody(transcription, format);
    return reply.type(type).send(typeof body === 'string' ? body : JSON.stringify(body));
  });

  app.post('/audio/speech', { schema: { body: v1SpeechRequestSchema } }, async (request, reply) => {
    const { input, voice, response_format: format, speed } = request.body;
    const controller = new AbortController();
    reply.raw.on('close', () => controller.abort());
    const audio = app.speech.synthesize(input, { voice, format, speed, signal: controller.signal });
    // The first chunk is awaited before the headers go, so a refusal (unknown voice, no ffmpeg)
    // is still a 400 in the error shape; the rest streams as it is spoken.
    const iterator = audio[Symbol.asyncIterator]();
    const first = await iterator.next();
    async function* rest() {
      if (!first.done) yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    }
    return reply.type(speechContentTypes[format]).send(Readable.from(rest()));
  });
};
