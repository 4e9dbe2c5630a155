import { FramingError, legacyThreadCreatedSchema, threadIdHeader } from '@threadline/shared';
import {
  apiConfig,
  chatStreamRequest,
  threadCreationRequest,
  type ApiConfig,
  type BackendType,
  type ChatInput,
} from '../config/api.js';
import { describeError, isAbortError, toApiError } from './api-error.js';
import { requestJson } from './http.js';
import { initialRunState, runReducer, type RunAction, type RunState } from './run-outcome.js';
import { readEventStream } from './stream-client.js';

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
    if (!response.body) throw new TypeError('the response has no body');
    for await (const event of readEventStream(response.body, prepared.framing, options.signal)) {
      dispatch({ type: 'event', event, at: now() });
    }
    dispatch(options.signal.aborted ? { type: 'aborted', at: now() } : { type: 'stream-ended', at: now() });
  } catch (error) {
    if (options.signal.aborted || isAbortError(error)) {
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
  return state;
}
