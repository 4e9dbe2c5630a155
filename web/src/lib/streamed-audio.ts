/** An audio element playing a server's response, and how to let it go. */
export type StreamedAudio = {
  audio: HTMLAudioElement;
  /** Whether it plays while the rest is still arriving (MediaSource) or only once it all came. */
  isStreamed: boolean;
  release(): void;
};

const streamType = 'audio/mpeg';

/** MediaSource with mp3: Chromium, Firefox, Safari 17+ (ManagedMediaSource on iPhone is not used). */
export const canStreamAudio = (): boolean =>
  typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(streamType);

/**
 * Plays an mp3 response as it arrives, so a long answer starts within a second instead of after
 * the server has spoken all of it: its chunks are appended to a MediaSource buffer as they come.
 * Without MediaSource (older Safari, jsdom) the whole file is awaited and played from a blob.
 */
export async function playResponse(response: Response, signal: AbortSignal): Promise<StreamedAudio> {
  if (!response.body || !canStreamAudio()) {
    const url = URL.createObjectURL(await response.blob());
    const audio = new Audio(url);
    return { audio, isStreamed: false, release: () => URL.revokeObjectURL(url) };
  }
  const body = response.body;
  const source = new MediaSource();
  const url = URL.createObjectURL(source);
  const audio = new Audio(url);
  source.addEventListener('sourceopen', () => void appendAll(source, body, signal), { once: true });
  return {
    audio,
    isStreamed: true,
    release: () => {
      void body.cancel().catch(() => undefined);
      URL.revokeObjectURL(url);
    },
  };
}

async function appendAll(source: MediaSource, body: ReadableStream<Uint8Array>, signal: AbortSignal) {
  const buffer = source.addSourceBuffer(streamType);
  const reader = body.getReader();
  const appended = () =>
    new Promise<void>((resolve, reject) => {
      buffer.addEventListener('updateend', () => resolve(), { once: true });
      buffer.addEventListener('error', () => reject(new Error('the audio could not be decoded')), {
        once: true,
      });
    });
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      if (signal.aborted || source.readyState !== 'open') return;
      const done = appended();
      buffer.appendBuffer(next.value as Uint8Array<ArrayBuffer>);
      await done;
    }
    if (source.readyState === 'open') source.endOfStream();
  } catch {
    // A stop (the reader cancelled) or a broken stream: end what was heard so far.
    if (source.readyState === 'open' && !buffer.updating) source.endOfStream();
  }
}
