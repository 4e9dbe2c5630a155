import { parseAssistantStreamEvent, type AssistantStreamEvent, type Run } from '@threadline/shared';
import type { AssistantStream } from 'openai/lib/AssistantStream';
import type { ActiveRuns } from '../upstream/index.js';
import { untilAborted } from '../../common/index.js';
import { isAbortError } from '../upstream/index.js';
import { RelayTracker } from './relay-tracker.js';

export type RelayDependencies = {
  runs: ActiveRuns;
  /** Asks the server to cancel and resolves with the run once it is terminal. */
  cancelAndWait: (threadId: string, runId: string) => Promise<Run>;
  mapError: (error: unknown) => unknown;
  /** How long to keep relaying after a cancel, waiting for the server's own cancellation events. */
  graceMs: number;
  logger?: { warn: (details: object, message: string) => void } | undefined;
};

const now = () => Math.floor(Date.now() / 1000);

/**
 * Relays one run's stream. On abort it asks the server to cancel and keeps relaying until
 * the server reports the run's end, for at most `cancelGraceMs`; after that (or if the
 * stream breaks) it closes what is open itself, from the server's view of the run.
 */
export async function* relayUpstreamRun(
  dependencies: RelayDependencies,
  threadId: string,
  signal: AbortSignal,
  knownRunId: string | undefined,
  open: (requestSignal: AbortSignal) => Promise<AssistantStream>,
): AsyncGenerator<AssistantStreamEvent> {
  const { runs, cancelAndWait, mapError, graceMs, logger } = dependencies;
  const { run: active, end } = runs.start(threadId, signal);
  const reading = new AbortController();
  const tracker = new RelayTracker();
  let grace: NodeJS.Timeout | undefined;
  let cancelRequest: Promise<Run | undefined> | undefined;
  const requestCancel = () => {
    const runId = tracker.run?.id ?? knownRunId;
    if (runId && !cancelRequest) cancelRequest = cancelAndWait(threadId, runId).catch(() => undefined);
  };
  const onAbort = () => {
    requestCancel();
    grace = setTimeout(() => reading.abort(), graceMs);
  };
  if (active.controller.signal.aborted) onAbort();
  else active.controller.signal.addEventListener('abort', onAbort, { once: true });
  try {
    let stream: AssistantStream;
    try {
      stream = await open(reading.signal);
    } catch (error) {
      throw mapError(error);
    }
    try {
      for await (const raw of untilAborted(stream, reading.signal)) {
        const parsed = parseAssistantStreamEvent(raw);
        if (!parsed.success) {
          logger?.warn(
            { event: raw.event, issues: parsed.error.issues },
            'skipped an invalid Assistants event',
          );
          continue;
        }
        tracker.observe(parsed.data);
        if (active.controller.signal.aborted) requestCancel();
        yield parsed.data;
        if (tracker.isEnded) return;
      }
    } catch (error) {
      if (!active.controller.signal.aborted && !isAbortError(error)) {
        if (!tracker.run) throw mapError(error);
        logger?.warn({ err: error }, 'Assistants stream broke mid-run');
        return yield* tracker.closing('failed', now());
      }
    }
    if (tracker.isEnded) return;
    if (!active.controller.signal.aborted) return yield* tracker.closing('failed', now());
    requestCancel();
    const finalRun = await cancelRequest;
    if (!tracker.run && !finalRun) return;
    if (!tracker.run && finalRun) yield { event: 'thread.run.created', data: finalRun };
    yield* tracker.closing('cancelled', now(), finalRun);
  } finally {
    clearTimeout(grace);
    active.controller.signal.removeEventListener('abort', onAbort);
    end();
  }
}
