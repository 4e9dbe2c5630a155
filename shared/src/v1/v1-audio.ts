import { z } from 'zod';

/** OpenAI's upload limit for `/v1/audio/transcriptions` (25 MB). */
export const maxAudioUploadBytes = 25 * 1024 * 1024;
/** OpenAI's limit for `/v1/audio/speech` input. */
export const maxSpeechInputCharacters = 4096;

export const transcriptionFormats = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;
export type TranscriptionFormat = (typeof transcriptionFormats)[number];

/** `POST /v1/audio/speech`, as OpenAI documents it (`instructions` accepted, not used). */
export const v1SpeechRequestSchema = z.object({
  model: z.string().min(1).max(128),
  input: z
    .string()
    .max(maxSpeechInputCharacters, `input is at most ${maxSpeechInputCharacters} characters`)
    .refine((text) => text.trim().length > 0, 'input must not be empty'),
  voice: z.string().min(1).max(64),
  response_format: z.enum(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm']).default('mp3'),
  speed: z.number().min(0.25).max(4).default(1),
  instructions: z.string().max(maxSpeechInputCharacters).optional(),
});
export type V1SpeechRequest = z.infer<typeof v1SpeechRequestSchema>;

export const v1TranscriptionSegmentSchema = z.object({
  id: z.number().int(),
  start: z.number(),
  end: z.number(),
  text: z.string(),
});

export const v1TranscriptionSchema = z.object({ text: z.string() });
export const v1VerboseTranscriptionSchema = z.object({
  task: z.literal('transcribe'),
  language: z.string(),
  duration: z.number(),
  text: z.string(),
  segments: z.array(v1TranscriptionSegmentSchema),
});

/** `GET /speech`: what the web app may offer (a microphone, "Read aloud"). */
export const speechStatusSchema = z.object({
  transcription: z.object({ available: z.boolean(), via: z.string() }),
  speech: z.object({ available: z.boolean(), via: z.string() }),
});
export type SpeechStatus = z.infer<typeof speechStatusSchema>;
