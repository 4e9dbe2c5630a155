import { threadMessagesSchema } from '@threadline/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import { endpoints, type BackendType } from '../../config/api.js';
import { describeError } from '../../lib/api-error.js';
import { requestJson } from '../../lib/http.js';
import { cancelThreadRun, followThreadRun, runQuestion } from '../../lib/run-question.js';
import type { RunState } from '../../lib/run-outcome.js';
import { answerFromRun, emptyAnswer, type Answer } from '../../components/answer/answer.js';
import { turnsFromTranscript, type Turn } from './turn.js';

type ChatOptions = {
  backend: BackendType;
  threadId: string | null;
  vectorStoreIds: readonly string[];
  /** A new thread was created by the first answer: the page records it (URL, history). */
  onThreadCreated: (threadId: string) => void;
  /** A run ended, however it ended (history order and previews change). */
  onRunEnded?: () => void;
};

export type TranscriptLoad = { state: 'idle' | 'loading' | 'loaded' } | { state: 'error'; message: string };

let turnCounter = 0;
const newTurnId = () => `turn_${Date.now()}_${(turnCounter += 1)}`;

/** Tells this browser's other tabs that a run started on a thread, so they follow it too. */
const runsChannelName = 'threadline.runs';
const openRunsChannel = (): BroadcastChannel | null =>
  typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(runsChannelName);
type RunStartedMessage = { type: 'run-started'; threadId: string };

/** A question waiting for its answer (the last one, after a reload mid-answer) takes the live run. */
const isAwaitingAnswer = (turn: Turn | undefined) =>
  turn !== undefined && turn.answer.text === '' && (turn.answer.outcome ?? 'in_progress') === 'in_progress';

export function useChat({ backend, threadId, vectorStoreIds, onThreadCreated, onRunEnded }: ChatOptions) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [isBusy, setIsBusy] = useState(false);
  const [load, setLoad] = useState<TranscriptLoad>({ state: 'idle' });
  // Aborting it stops this tab reading the run; the run itself goes on (Stop cancels it).
  const controller = useRef<AbortController | null>(null);
  // The thread this hook itself created or is streaming into: no transcript reload for it.
  const liveThread = useRef<string | null>(threadId);
  const turnsNow = useRef<Turn[]>(turns);
  turnsNow.current = turns;
  /** Stop was pressed before the server named the new thread: cancel as soon as it does. */
  const isStopPending = useRef(false);
  const channel = useRef<BroadcastChannel | null>(null);
  const latest = useRef({ backend, threadId, vectorStoreIds, onThreadCreated, onRunEnded });
  latest.current = { backend, threadId, vectorStoreIds, onThreadCreated, onRunEnded };

  const setAnswer = (turnId: string, answer: Answer) =>
    setTurns((current) => current.map((turn) => (turn.id === turnId ? { ...turn, answer } : turn)));

  const runEnded = useCallback((abort: AbortController) => {
    if (controller.current !== abort) return;
    controller.current = null;
    setIsBusy(false);
    latest.current.onRunEnded?.();
  }, []);

  /**
   * Follows the thread's run in progress, if it has one, into the turn awaiting its answer (or a
   * new one): after a reload, back on a thread left while it answered, or in a second tab.
   */
  const follow = useCallback(
    async (followed: string) => {
      if (latest.current.backend !== 'threadline' || controller.current) return;
      const abort = new AbortController();
      controller.current = abort;
      let turnId: string | null = null;
      const final = await followThreadRun({
        threadId: followed,
        signal: abort.signal,
        onState: (state: RunState) => {
          if (liveThread.current !== followed) return;
          if (turnId === null) {
            const last = turnsNow.current.at(-1);
            if (isAwaitingAnswer(last) && last) turnId = last.id;
            else {
              const id = newTurnId();
              turnId = id;
              setTurns((current) => [...current, { id, question: '', answer: emptyAnswer }]);
            }
            setIsBusy(true);
          }
          setAnswer(turnId, answerFromRun(state));
        },
      });
      if (final === null) {
        if (controller.current === abort) controller.current = null;
        return;
      }
      runEnded(abort);
    },
    [runEnded],
  );

  /** Loads the thread's transcript, then follows its run in progress (if any). */
  const open = useCallback(
    (opened: string, signal: AbortSignal) => {
      setLoad({ state: 'loading' });
      requestJson(endpoints().threadMessages(opened), threadMessagesSchema, { signal }).then(
        (transcript) => {
          setTurns(turnsFromTranscript(transcript.data));
          turnsNow.current = turnsFromTranscript(transcript.data);
          setLoad({ state: 'loaded' });
          void follow(opened);
        },
        (error: unknown) => {
          if (!signal.aborted) setLoad({ state: 'error', message: describeError(error) });
        },
      );
    },
    [follow],
  );

  useEffect(() => {
    if (threadId === liveThread.current && (threadId === null || turns.length > 0 || isBusy)) return;
    // Leaving a thread stops reading its run, not the run: coming back picks it up again.
    controller.current?.abort();
    controller.current = null;
    setIsBusy(false);
    liveThread.current = threadId;
    setTurns([]);
    if (threadId === null) {
      setLoad({ state: 'idle' });
      return;
    }
    const abort = new AbortController();
    open(threadId, abort.signal);
    return () => abort.abort();
    // Only a change of thread reloads; turns/isBusy are read to recognise our own thread.
  }, [threadId]);

  // Another tab started a run on the thread shown here: show it too (with its question).
  useEffect(() => {
    const runs = openRunsChannel();
    channel.current = runs;
    if (!runs) return;
    let abort: AbortController | null = null;
    runs.onmessage = (message: MessageEvent<RunStartedMessage>) => {
      const followed = message.data.threadId;
      if (message.data.type !== 'run-started' || followed !== liveThread.current || controller.current)
        return;
      abort?.abort();
      abort = new AbortController();
      open(followed, abort.signal);
    };
    return () => {
      abort?.abort();
      runs.close();
      channel.current = null;
    };
  }, [open]);

  const runTurn = useCallback(
    async (turnId: string, question: string) => {
      const abort = new AbortController();
      controller.current = abort;
      isStopPending.current = false;
      setIsBusy(true);
      const options = latest.current;
      let isAnnounced = false;
      const final = await runQuestion({
        backend: options.backend,
        content: question,
        threadId: liveThread.current,
        vectorStoreIds: options.vectorStoreIds,
        signal: abort.signal,
        onState: (state) => {
          if (state.threadId && state.threadId !== liveThread.current && controller.current === abort) {
            liveThread.current = state.threadId;
            latest.current.onThreadCreated(state.threadId);
          }
          if (state.threadId && isStopPending.current) {
            isStopPending.current = false;
            void cancelThreadRun(state.threadId).catch(() => abort.abort());
          }
          if (
            !isAnnounced &&
            state.threadId &&
            state.phase === 'streaming' &&
            options.backend === 'threadline'
          ) {
            isAnnounced = true;
            const started: RunStartedMessage = { type: 'run-started', threadId: state.threadId };
            channel.current?.postMessage(started);
          }
          setAnswer(turnId, answerFromRun(state));
        },
      });
      setAnswer(turnId, answerFromRun(final));
      runEnded(abort);
      return final;
    },
    [runEnded],
  );

  const send = useCallback(
    async (question: string) => {
      const id = newTurnId();
      setTurns((current) => [...current, { id, question, answer: emptyAnswer }]);
      return runTurn(id, question);
    },
    [runTurn],
  );

  const retry = useCallback(
    (turnId: string) => {
      const turn = turns.find((item) => item.id === turnId);
      if (!turn || isBusy) return;
      setTurns((current) =>
        current.map((item) => (item.id === turnId ? { ...item, answer: emptyAnswer } : item)),
      );
      void runTurn(turnId, turn.question);
    },
    [turns, isBusy, runTurn],
  );

  /**
   * Stop: Threadline's run belongs to the thread, so ask the server to cancel it (every tab
   * following it sees it end cancelled); the legacy route's run ends with its request.
   */
  const stop = useCallback(() => {
    const running = controller.current;
    if (!running) return;
    const stopped = liveThread.current;
    if (latest.current.backend !== 'threadline') return running.abort();
    if (stopped === null) {
      isStopPending.current = true;
      return;
    }
    void cancelThreadRun(stopped).catch(() => running.abort());
  }, []);

  // Leaving the page (or the component) stops reading; the run finishes on the server.
  useEffect(() => () => controller.current?.abort(), []);

  return { turns, isBusy, load, send, retry, stop };
}
