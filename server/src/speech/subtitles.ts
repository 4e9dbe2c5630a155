import type { TranscriptSegment } from './speech-types.js';

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `00:01:02,345` (SubRip) or `00:01:02.345` (WebVTT). */
export function timestamp(seconds: number, separator: ',' | '.'): string {
  const milliseconds = Math.max(0, Math.round(seconds * 1000));
  const hours = Math.floor(milliseconds / 3_600_000);
  const minutes = Math.floor((milliseconds % 3_600_000) / 60_000);
  const wholeSeconds = Math.floor((milliseconds % 60_000) / 1000);
  return `${pad(hours)}:${pad(minutes)}:${pad(wholeSeconds)}${separator}${pad(milliseconds % 1000, 3)}`;
}

/** A transcript as OpenAI's `response_format: "srt"` gives it. */
export function toSrt(segments: TranscriptSegment[]): string {
  return segments
    .map(
      (segment, index) =>
        `${index + 1}\n${timestamp(segment.start, ',')} --> ${timestamp(segment.end, ',')}\n${segment.text.trim()}\n`,
    )
    .join('\n');
}

/** A transcript as OpenAI's `response_format: "vtt"` gives it. */
export function toVtt(segments: TranscriptSegment[]): string {
  const cues = segments.map(
    (segment) =>
      `${timestamp(segment.start, '.')} --> ${timestamp(segment.end, '.')}\n${segment.text.trim()}\n`,
  );
  return ['WEBVTT\n', ...cues].join('\n');
}
