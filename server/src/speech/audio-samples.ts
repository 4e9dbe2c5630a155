import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../http/index.js';
import { sampleRate } from './whisper-mel.js';

/**
 * An upload as Whisper hears it: 16 kHz mono float samples. ffmpeg (Debian's, the one that also
 * encodes spoken answers) decodes webm/opus, ogg, mp3, m4a/mp4, flac and wav; it reads a file, not
 * a pipe, because an m4a's index may sit at its end. ffmpeg failing is a 400 (not audio, truncated
 * past use); a file with no samples is a 400 too. Without ffmpeg the server says at start-up that
 * local transcription needs it (speech-service.ts), and transcription is a 503 with that message.
 */
export async function audioSamples(bytes: Buffer, ffmpeg: string): Promise<Float32Array<ArrayBuffer>> {
  const directory = await mkdtemp(join(tmpdir(), 'threadline-stt-'));
  try {
    const path = join(directory, 'upload');
    await writeFile(path, bytes);
    const pcm = await new Promise<Buffer>((resolve, reject) => {
      execFile(
        ffmpeg,
        [
          '-nostdin',
          '-hide_banner',
          '-loglevel',
          'error',
          '-i',
          path,
          '-vn',
          '-ac',
          '1',
          '-ar',
          String(sampleRate),
          '-f',
          'f32le',
          'pipe:1',
        ],
        { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          const reason = stderr.toString('utf8').trim().split('\n').at(-1) || error.message;
          reject(new AppError('bad_request', 400, `The audio could not be decoded: ${reason}`));
        },
      );
    });
    if (pcm.length < 4)
      throw new AppError(
        'bad_request',
        400,
        'The audio could not be decoded: the file holds no audio samples.',
      );
    // A copy into its own buffer: aligned for Float32Array, and transferable to the worker.
    const samples = new Float32Array(Math.floor(pcm.length / 4));
    new Uint8Array(samples.buffer).set(pcm.subarray(0, samples.length * 4));
    return samples;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
