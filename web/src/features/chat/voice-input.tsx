import { useEffect, useRef, useState } from 'react';
import { speechStatus, transcribeRecording } from '../../lib/speech.js';

type State =
  | { kind: 'idle' }
  | { kind: 'recording' }
  | { kind: 'transcribing' }
  | { kind: 'unavailable'; message: string }
  | { kind: 'failed'; message: string };

type Recording = {
  recorder: MediaRecorder;
  stream: MediaStream;
  context: AudioContext;
  isCancelled: boolean;
  frame: number;
};

/** A press this long or longer is press-to-talk (release sends); shorter is a tap that toggles. */
const holdMs = 350;

const deniedMessage =
  'The browser did not allow the microphone. Allow it for this site (the icon beside the address) to ask by voice.';

/**
 * The microphone button: press and hold to talk, or tap to start and tap to stop (phones); Esc
 * cancels. A level meter shows it hears you; the transcript goes to `onTranscript` (the composer,
 * to edit before sending).
 */
export function VoiceInput({
  isDisabled,
  onTranscript,
}: {
  isDisabled: boolean;
  onTranscript: (text: string) => void;
}) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [level, setLevel] = useState(0);
  const recording = useRef<Recording | null>(null);
  const pressedAt = useRef(0);

  useEffect(() => {
    let isCurrent = true;
    speechStatus().then(
      ({ transcription }) => {
        if (isCurrent && !transcription.available)
          setState({ kind: 'unavailable', message: `Voice questions are off: ${transcription.via}` });
      },
      () => undefined,
    );
    return () => {
      isCurrent = false;
      finish(true);
    };
  }, []);

  useEffect(() => {
    if (state.kind !== 'recording') return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        finish(true);
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [state.kind]);

  function finish(isCancelled: boolean) {
    const current = recording.current;
    if (!current) return;
    current.isCancelled = isCancelled;
    cancelAnimationFrame(current.frame);
    if (current.recorder.state !== 'inactive') current.recorder.stop();
    current.stream.getTracks().forEach((track) => track.stop());
    void current.context.close();
    recording.current = null;
    setLevel(0);
    if (isCancelled) setState({ kind: 'idle' });
  }

  async function start() {
    if (recording.current) return;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      const name = (error as { name?: string }).name;
      setState({
        kind: 'failed',
        message:
          name === 'NotAllowedError' || name === 'SecurityError'
            ? deniedMessage
            : `No microphone could be opened (${name ?? String(error)}).`,
      });
      return;
    }
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    const recorder = new MediaRecorder(stream);
    const chunks: Blob[] = [];
    const current: Recording = { recorder, stream, context, isCancelled: false, frame: 0 };
    recorder.addEventListener('dataavailable', (event) => chunks.push(event.data));
    recorder.addEventListener('stop', () => {
      if (current.isCancelled) return;
      setState({ kind: 'transcribing' });
      transcribeRecording(new Blob(chunks, { type: recorder.mimeType || 'audio/webm' })).then(
        (text) => {
          setState({ kind: 'idle' });
          if (text.trim()) onTranscript(text.trim());
          else
            setState({
              kind: 'failed',
              message: 'No speech was heard. Try again, closer to the microphone.',
            });
        },
        (error: unknown) =>
          setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
      );
    });
    const meter = () => {
      analyser.getByteTimeDomainData(samples);
      let peak = 0;
      for (const sample of samples) peak = Math.max(peak, Math.abs(sample - 128));
      setLevel(Math.min(1, peak / 64));
      current.frame = requestAnimationFrame(meter);
    };
    current.frame = requestAnimationFrame(meter);
    recorder.start();
    recording.current = current;
    setState({ kind: 'recording' });
  }

  // A tap starts, the next tap stops; a press held past holdMs stops on release (press to talk).
  const stopOnRelease = useRef(false);
  const onPointerDown = () => {
    if (recording.current) {
      stopOnRelease.current = true;
      return;
    }
    pressedAt.current = Date.now();
    void start();
  };
  const onPointerUp = () => {
    const isHeld = pressedAt.current !== 0 && Date.now() - pressedAt.current >= holdMs;
    if (stopOnRelease.current || isHeld) finish(false);
    stopOnRelease.current = false;
    pressedAt.current = 0;
  };

  const isRecording = state.kind === 'recording';
  const isUnavailable = state.kind === 'unavailable';
  const note =
    state.kind === 'failed' || state.kind === 'unavailable'
      ? state.message
      : state.kind === 'transcribing'
        ? 'Transcribing…'
        : isRecording
          ? 'Listening… tap to stop, Esc to cancel'
          : '';
  return (
    <div className="voice-input">
      <button
        type="button"
        className={`button voice${isRecording ? ' recording' : ''}`}
        aria-label={isRecording ? 'Stop recording' : 'Ask by voice'}
        aria-pressed={isRecording}
        disabled={isDisabled || isUnavailable || state.kind === 'transcribing'}
        title={isUnavailable ? state.message : 'Press and hold to talk, or tap to start and stop'}
        onPointerDown={onPointerDown}
        onPointerUp={onPointerUp}
        onKeyDown={(event) => {
          if (event.key !== 'Enter' && event.key !== ' ') return;
          event.preventDefault();
          if (recording.current) finish(false);
          else void start();
        }}
      >
        🎤
      </button>
      {isRecording && (
        <span
          className="voice-level"
          role="meter"
          aria-label="Microphone level"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(level * 100)}
        >
          <span style={{ width: `${Math.round(level * 100)}%` }} />
        </span>
      )}
      {note && (
        <span
          className={`voice-note${state.kind === 'failed' || isUnavailable ? ' problem' : ''}`}
          role="status"
        >
          {note}
        </span>
      )}
    </div>
  );
}
