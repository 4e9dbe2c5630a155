import OpenAI, { toFile } from 'openai';
import { AppError } from '../http/index.js';
import type { Synthesizer, Transcriber, Transcription } from './speech-types.js';

/**
 * The upstream's 400 (bad audio, unknown voice) is the caller's mistake: a 400 here too, with the
 * upstream's words. Anything else stays an upstream failure (502/503/429 by the error handler).
 */
const refusedAsBadRequest = (what: string) => (error: unknown) => {
  if (error instanceof OpenAI.BadRequestError)
    throw new AppError('bad_request', 400, `The ${what} server refused the request: ${error.message}`);
  throw error;
};

export type RemoteSpeechOptions = { baseURL: string; apiKey: string | undefined; model: string };

const clientOf = (options: RemoteSpeechOptions) =>
  // A local server (faster-whisper-server, whisper.cpp) takes any key; the SDK insists on one.
  new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey ?? 'none', maxRetries: 1 });

/** STT_BASE_URL: any OpenAI-compatible `/audio/transcriptions` (OpenAI, faster-whisper-server, whisper.cpp). */
export function createRemoteTranscriber(options: RemoteSpeechOptions): Transcriber {
  const client = clientOf(options);
  return {
    description: `forwarded to ${new URL(options.baseURL).origin} (${options.model})`,
    async transcribe(bytes, request): Promise<Transcription> {
      const result = await client.audio.transcriptions
        .create({
          file: await toFile(bytes, request.fileName ?? 'audio.wav'),
          model: options.model,
          response_format: 'verbose_json',
          ...(request.language ? { language: request.language } : {}),
          ...(request.prompt ? { prompt: request.prompt } : {}),
        })
        .catch(refusedAsBadRequest('transcription'));
      return {
        text: result.text.trim(),
        language: result.language,
        duration: result.duration,
        segments: (result.segments ?? []).map((segment) => ({
          id: segment.id,
          start: segment.start,
          end: segment.end,
          text: segment.text,
        })),
      };
    },
    close: () => Promise.resolve(),
  };
}

/** TTS_BASE_URL: any OpenAI-compatible `/audio/speech`, its audio relayed as it arrives. */
export function createRemoteSynthesizer(options: RemoteSpeechOptions): Synthesizer {
  const client = clientOf(options);
  return {
    description: `forwarded to ${new URL(options.baseURL).origin} (${options.model})`,
    async *synthesize(text, synthesis) {
      const response = await client.audio.speech
        .create(
          {
            model: options.model,
            input: text,
            voice: synthesis.voice,
            response_format: synthesis.format,
            speed: synthesis.speed,
          },
          { signal: synthesis.signal },
        )
        .catch(refusedAsBadRequest('speech'));
      if (!response.body) return;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
        yield Buffer.from(chunk);
    },
  };
}
