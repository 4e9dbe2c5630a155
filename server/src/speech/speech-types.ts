export type TranscriptSegment = { id: number; start: number; end: number; text: string };

export type Transcription = {
  text: string;
  /** Whisper's language code ("en"), detected unless one was given. */
  language: string;
  /** Seconds of audio. */
  duration: number;
  segments: TranscriptSegment[];
};

export type TranscribeOptions = {
  /** ISO-639-1; unset: detected. */
  language?: string | undefined;
  /** Words that steer spelling (names, jargon), as OpenAI's `prompt`. */
  prompt?: string | undefined;
  /** The uploaded file's name; a forwarding server may read the format from it. */
  fileName?: string | undefined;
};

export type Transcriber = {
  /** `local (whisper-base at …)` or `forwarded to …`, for logs and the status endpoint. */
  readonly description: string;
  transcribe(bytes: Buffer, options: TranscribeOptions): Promise<Transcription>;
  close(): Promise<void>;
};

/** OpenAI's `/v1/audio/speech` output formats. */
export const speechFormats = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
export type SpeechFormat = (typeof speechFormats)[number];

export type SynthesizeOptions = {
  voice: string;
  format: SpeechFormat;
  /** 0.25–4, as OpenAI's `speed`. */
  speed: number;
  signal?: AbortSignal | undefined;
};

export type Synthesizer = {
  readonly description: string;
  /** Audio bytes as they are made: the first arrive before the whole text is spoken. */
  synthesize(text: string, options: SynthesizeOptions): AsyncIterable<Buffer>;
};
