import { useEffect, useRef, useState } from 'react';
import { speakAnswer, speechStatus } from '../../lib/speech.js';
import { playResponse, type StreamedAudio } from '../../lib/streamed-audio.js';

type State =
  { kind: 'idle' } | { kind: 'loading' } | { kind: 'playing' } | { kind: 'failed'; message: string };

/**
 * "Read aloud" under an answer: the server speaks it, sentence by sentence, and it plays as it
 * arrives (playResponse); the same button stops it.
 */
export function ReadAloudButton({ text }: { text: () => string }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [isStreamed, setStreamed] = useState(false);
  const playing = useRef<{ player?: StreamedAudio; controller: AbortController } | null>(null);

  const stop = () => {
    const current = playing.current;
    playing.current = null;
    current?.controller.abort();
    current?.player?.audio.pause();
    current?.player?.release();
    setState({ kind: 'idle' });
  };
  useEffect(() => stop, []);

  const start = async () => {
    const controller = new AbortController();
    playing.current = { controller };
    setState({ kind: 'loading' });
    try {
      const { speech } = await speechStatus();
      if (!speech.available) throw new Error(`This server cannot read answers aloud: ${speech.via}`);
      const response = await speakAnswer(text(), controller.signal);
      if (playing.current?.controller !== controller) return;
      const player = await playResponse(response, controller.signal);
      if (playing.current?.controller !== controller) return player.release();
      playing.current = { player, controller };
      setStreamed(player.isStreamed);
      player.audio.addEventListener('ended', stop);
      await player.audio.play();
      if (playing.current?.controller === controller) setState({ kind: 'playing' });
    } catch (error) {
      if (controller.signal.aborted) return;
      playing.current = null;
      setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  };

  const isActive = state.kind === 'loading' || state.kind === 'playing';
  return (
    <>
      <button
        type="button"
        className="action-button"
        aria-label={isActive ? 'Stop reading aloud' : 'Read answer aloud'}
        aria-pressed={isActive}
        data-state={state.kind}
        data-streamed={isStreamed}
        onClick={() => (isActive ? stop() : void start())}
      >
        {state.kind === 'loading'
          ? 'Stop (preparing…)'
          : state.kind === 'playing'
            ? 'Stop reading'
            : 'Read aloud'}
      </button>
      {state.kind === 'failed' && (
        <span className="action-note" role="status">
          {state.message}
        </span>
      )}
    </>
  );
}
