import {
  FramingError,
  lastEventIdHeader,
  legacyThreadCreatedSchema,
  threadCancelResultSchema,
  threadIdHeader,
} from '@threadline/shared';
import {
  apiConfig,
  chatStreamRequest,
  endpoints,
  framingAccept,
  threadCreationRequest,
  type ApiConfig,
  type BackendType,
  type ChatInput,
  type StreamFraming,
} from '../config/api.js';
import { describeError, isAbortError, toApiError } from './api-error.js';
import { requestJson } from './http.js';
import { initialRunState, runReducer, type RunAction, type RunState } from './run-outcome.js';
import { readIdentifiedEventStream } from './stream-client.js';

/** Times a dropped stream is picked up again (with its last event id) before it counts as dropped. */
const resumeAttempts = 3;
const resumeDelayMs = 400;

export type RunQuestionOptions = {
  backend: BackendType;
  content: string;
  threadId?: string | null;
  vectorStoreIds?: readonly string[];
  origin?: ChatInput['origin'];
  signal: AbortSignal;
  /** Called with every new state, so a UI can render the answer as it streams. */
  onState?: (state: RunState) => void;
  config?: ApiConfig;
  now?: () => number;
};

/**
 * Sends one question to either backend and follows its stream to the end. It never throws:
 * every way a run can end (including a stop, a refused request or a dropped connection) is
 * folded into the returned state, so callers always get their input back.
 */
export async function runQuestion(options: RunQuestionOptions): Promise<RunState> {
  const now = options.now ?? (() => performance.now());
  const config = options.config ?? apiConfig;
  let state = initialRunState;
  const dispatch = (action: RunAction) => {
    state = runReducer(state, action);
    options.onState?.(state);
  };
  dispatch({ type: 'start', at: now(), threadId: options.threadId ?? null });
  try {
    let threadId = options.threadId ?? null;
    const creation = threadId ? null : threadCreationRequest(options.backend, config);
    if (creation) {
      const created = await requestJson(creation.url, legacyThreadCreatedSchema, {
        ...creation.init,
        signal: options.signal,
      });
      threadId = created.threadId;
      dispatch({ type: 'thread', threadId });
    }
    const prepared = chatStreamRequest(
      options.backend,
      {
        threadId,
        content: options.content,
        ...(options.vectorStoreIds ? { vectorStoreIds: options.vectorStoreIds } : {}),
        ...(options.origin ? { origin: options.origin } : {}),
      },
      config,
    );
    const response = await fetch(prepared.url, { ...prepared.init, signal: options.signal });
    if (!response.ok) throw await toApiError(response);
    const announced = response.headers.get(threadIdHeader);
    if (announced) dispatch({ type: 'thread', threadId: announced });
    await followResponse(response, prepared.framing, options, dispatch, () => state, config);
  } catch (error) {
    failWith(error, options.signal, dispatch, now);
  }
  return state;
}

/** Folds a failure into the run's state: a stop, a protocol mismatch, a network or HTTP failure. */
function failWith(
  error: unknown,
  signal: AbortSignal,
  dispatch: (action: RunAction) => void,
  now: () => number,
): void {
  if (signal.aborted || isAbortError(error)) {
    dispatch({ type: 'aborted', at: now() });
  } else if (error instanceof FramingError) {
    dispatch({
      type: 'failed',
      kind: 'protocol',
      message: `${error.message}. Reload the page; the server may be newer than this app.`,
      at: now(),
    });
  } else {
    const kind = error instanceof TypeError ? 'network' : 'http';
    dispatch({ type: 'failed', kind, message: describeError(error), at: now() });
  }
}

type FollowContext = { signal: AbortSignal; now?: () => number };

/**
 * Reads a run's stream to its end. Threadline names every event (run and position): if the
 * connection drops mid-run (a network change, a proxy timeout), the stream is picked up again
 * from the last event with `Last-Event-ID`, a few times, before the run counts as dropped.
 */
async function followResponse(
  first: Response,
  framing: StreamFraming,
  options: FollowContext,
  dispatch: (action: RunAction) => void,
  current: () => RunState,
  config: ApiConfig,
): Promise<void> {
  const now = options.now ?? (() => performance.now());
  let response = first;
  let lastEventId: string | null = null;
  for (let attempt = 0; ; attempt += 1) {
    let dropped: Error | null = null;
    try {
      if (!response.body) throw new TypeError('the response has no body');
      for await (const { event, id } of readIdentifiedEventStream(response.body, framing, options.signal)) {
        if (id) lastEventId = id;
        dispatch({ type: 'event', event, at: now() });
      }
    } catch (error) {
      if (options.signal.aborted || isAbortError(error) || error instanceof FramingError) throw error;
      dropped = error instanceof Error ? error : new TypeError('the stream broke off');
    }
    const threadId = current().threadId;
    if (
      options.signal.aborted ||
      lastEventId === null ||
      threadId === null ||
      current().phase === 'finished' ||
      attempt >= resumeAttempts
    ) {
      if (dropped) throw dropped;
      dispatch(options.signal.aborted ? { type: 'aborted', at: now() } : { type: 'stream-ended', at: now() });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, resumeDelayMs * (attempt + 1)));
    try {
      response = await fetch(endpoints(config).threadStream(threadId), {
        headers: { accept: framingAccept[framing], [lastEventIdHeader]: lastEventId },
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal.aborted || isAbortError(error)) throw error;
      continue;
    }
    // The run ended while we were away and nothing is left to replay: the history has the answer.
    if (response.status === 204) return dispatch({ type: 'stream-ended', at: now() });
    if (!response.ok) throw await toApiError(response);
  }
}

export type FollowThreadOptions = {
  threadId: string;
  signal: AbortSignal;
  onState?: (state: RunState) => void;
  config?: ApiConfig;
  now?: () => number;
};

/**
 * Follows the run in progress on a Threadline thread, from its start (after a reload, in a second
 * tab, back on a thread left while it answered). `null` when the thread has no run in progress
 * (204); otherwise, like runQuestion, the final state, never a throw.
 */
export async function followThreadRun(options: FollowThreadOptions): Promise<RunState | null> {
  const now = options.now ?? (() => performance.now());
  const config = options.config ?? apiConfig;
  let state = initialRunState;
  const dispatch = (action: RunAction) => {
    state = runReducer(state, action);
    options.onState?.(state);
  };
  let response: Response;
  try {
    response = await fetch(endpoints(config).threadStream(options.threadId), {
      headers: { accept: framingAccept.sse },
      signal: options.signal,
    });
    if (response.status === 204) return null;
    if (!response.ok) throw await toApiError(response);
  } catch {
    // Nothing to show for a thread that cannot be followed now; its history is on screen.
    return null;
  }
  dispatch({ type: 'start', at: now(), threadId: options.threadId });
  try {
    await followResponse(response, 'sse', options, dispatch, () => state, config);
  } catch (error) {
    failWith(error, options.signal, dispatch, now);
  }
  return state;
}

/** Asks the server to stop the thread's run; every reader's stream then ends cancelled. */
export async function cancelThreadRun(threadId: string, config: ApiConfig = apiConfig): Promise<void> {
  await requestJson(endpoints(config).threadCancel(threadId), threadCancelResultSchema, { method: 'POST' });
}
