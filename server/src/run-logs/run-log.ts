import { randomBytes } from 'node:crypto';
import type { AssistantStreamEvent, EncodedEvent } from '@threadline/shared';
import { AppError } from '../http/index.js';

/** A reader's place in a log: the position of the last event it has read (0: none yet). */
export type LogReader = {
  position: number;
  isCut: boolean;
  /** Ends the reader's `whenReadable` wait, while it waits. */
  wake?: (() => void) | undefined;
};

export const cursorExpired = () =>
  new AppError(
    'cursor_expired',
    410,
    'The events after this id are no longer kept; reload the thread and follow its run without an id',
  );

/** A new run's log id (`rs_…`); an event's id is the log id, a colon and its position. */
export const newRunLogId = () => `rs_${randomBytes(9).toString('base64url')}`;

/** Splits an event id (`rs_…:17`) into its log id and position. */
export function parseEventId(eventId: string): { logId: string; position: number } {
  const separator = eventId.lastIndexOf(':');
  return { logId: eventId.slice(0, separator), position: Number(eventId.slice(separator + 1)) };
}

/**
 * Where a log's events also go as they are appended: the Redis stream other instances follow
 * (see redis/log-mirror.ts). Called synchronously, in order; must not throw.
 */
export type RunLogSink = {
  append(position: number, name: string, data: string): void;
  end(lastPosition: number, isClean: boolean): void;
};

export type RunLogOptions = {
  /** A mirror of a run executing elsewhere keeps that run's id… */
  id?: string;
  /** …and starts where the kept part of its events starts (1 unless older ones were dropped). */
  firstPosition?: number;
  sink?: RunLogSink;
};

/** How long a full log waits for a reader that stopped reading before it drops that reader. */
const stallMs = 30_000;

/**
 * The events of one run, in order, each with a position (1, 2, …) and an id naming the run and
 * the position (`rs_…:17`). The run appends; any number of readers follow, each at its own pace.
 * Memory is bounded: beyond `maxEvents` the oldest events are dropped, but never one an attached
 * reader has not read yet. Then the run waits for that reader (backpressure, as a socket gives),
 * and drops it if it reads nothing for 30 s or the run is stopped, so a stalled client cannot
 * hold the run. Events are kept serialised (data as JSON text): encoded once, written to every
 * reader as SSE or NDJSON without another JSON pass.
 */
export class RunLog {
  readonly id: string;
  private names: string[] = [];
  private datas: string[] = [];
  /** Characters of data kept: bounded too, so a few huge events cannot take the memory. */
  private chars = 0;
  private readonly maxChars: number;
  /** Index of the oldest kept event in `names`/`datas` (dropped ones are compacted away in bulk). */
  private head = 0;
  /** Position of names[head]. */
  private firstPosition = 1;
  private position = 0;
  private ending: { isClean: boolean } | null = null;
  private readonly readers = new Set<LogReader>();
  /** Readers waiting in `whenReadable`: one set, so waking them allocates nothing per event. */
  private readonly waiting = new Set<LogReader>();
  private roomWaiter: (() => void) | null = null;
  private readonly endedPromise: Promise<void>;
  private markEnded = () => {};

  constructor(
    readonly threadId: string,
    /** The user whose request started the run: only they (and the thread's owner) may follow it. */
    readonly ownerId: string,
    private readonly maxEvents: number,
    private readonly options: RunLogOptions = {},
  ) {
    this.id = options.id ?? newRunLogId();
    this.firstPosition = options.firstPosition ?? 1;
    this.position = this.firstPosition - 1;
    this.maxChars = maxEvents * 1024;
    this.endedPromise = new Promise((resolve) => (this.markEnded = resolve));
  }

  get lastPosition(): number {
    return this.position;
  }
  get isEnded(): boolean {
    return this.ending !== null;
  }
  /** Whether the run ended normally (readers then end with `done`) rather than with an error. */
  get isClean(): boolean {
    return this.ending?.isClean ?? true;
  }
  /** Resolves once the run has ended. */
  get ended(): Promise<void> {
    return this.endedPromise;
  }

  idOf(position: number): string {
    return `${this.id}:${position}`;
  }

  /**
   * Adds an event and wakes the readers. Returns a promise only when the log is full and a reader
   * still needs its oldest event: the run then waits for room (or for `signal` to abort).
   */
  append(event: AssistantStreamEvent, signal?: AbortSignal): Promise<void> | undefined {
    return this.appendEncoded(
      event.event,
      event.event === 'done' ? '[DONE]' : JSON.stringify(event.data),
      signal,
    );
  }

  /** `append` for an event already serialised (a mirror relaying another instance's run). */
  appendEncoded(name: string, data: string, signal?: AbortSignal): Promise<void> | undefined {
    if (this.ending) return undefined;
    this.names.push(name);
    this.datas.push(data);
    this.chars += data.length;
    this.position += 1;
    this.options.sink?.append(this.position, name, data);
    this.wake();
    if (!this.isOverfull || this.trim()) return undefined;
    return this.makeRoom(signal);
  }

  end(options: { isClean: boolean }): void {
    if (this.ending) return;
    this.ending = options;
    this.options.sink?.end(this.position, options.isClean);
    this.wake();
    this.roomWaiter?.();
    this.markEnded();
  }

  /**
   * A reader that has read up to `after` (0 for the start). Throws when events after it are no
   * longer kept, or when `after` names an event that was never sent.
   */
  attach(after: number): LogReader {
    if (after > this.position)
      throw new AppError('bad_request', 400, 'The event id names an event this run has not sent');
    if (after + 1 < this.firstPosition) throw cursorExpired();
    const reader: LogReader = { position: after, isCut: false };
    this.readers.add(reader);
    return reader;
  }

  detach(reader: LogReader): void {
    this.readers.delete(reader);
    this.interrupt(reader);
    this.roomWaiter?.();
  }

  /** The events after the reader's position, up to `limit`; advances it. Throws if it was cut. */
  read(reader: LogReader, limit = Number.POSITIVE_INFINITY): EncodedEvent[] {
    if (reader.isCut || reader.position + 1 < this.firstPosition) throw cursorExpired();
    const from = this.head + reader.position + 1 - this.firstPosition;
    const to = Math.min(this.names.length, from + limit);
    const events: EncodedEvent[] = [];
    for (let index = from; index < to; index += 1) {
      const position = index - this.head + this.firstPosition;
      events.push({ id: this.idOf(position), event: this.names[index] ?? '', data: this.datas[index] ?? '' });
    }
    reader.position += events.length;
    if (events.length > 0) this.roomWaiter?.();
    return events;
  }

  /** Whether the reader has read everything and the run has ended. */
  isFinishedFor(reader: LogReader): boolean {
    return this.ending !== null && reader.position >= this.position;
  }

  /**
   * Resolves when there is something after the reader's position, the run has ended, or
   * `interrupt` is called for the reader (its client left): a reader needs no second promise to
   * race against, which cost a promise and a reaction per event and kept every one of them
   * until the client left.
   */
  whenReadable(reader: LogReader): Promise<void> {
    if (reader.position < this.position || this.ending) return Promise.resolve();
    return new Promise((resolve) => {
      reader.wake = resolve;
      this.waiting.add(reader);
    });
  }

  /** Ends the reader's wait now, if it waits. */
  interrupt(reader: LogReader): void {
    const wake = reader.wake;
    if (!wake) return;
    reader.wake = undefined;
    this.waiting.delete(reader);
    wake();
  }

  private wake(): void {
    if (this.waiting.size === 0) return;
    for (const reader of this.waiting) {
      const wake = reader.wake;
      reader.wake = undefined;
      wake?.();
    }
    this.waiting.clear();
  }

  private get isOverfull(): boolean {
    return this.names.length - this.head > this.maxEvents || this.chars > this.maxChars;
  }

  /** Drops the oldest events every attached reader has read; the rest waits for the slowest. */
  private trim(): boolean {
    let slowest = this.position;
    for (const reader of this.readers) slowest = Math.min(slowest, reader.position);
    let droppable = 0;
    let chars = this.chars;
    const readByAll = slowest - this.firstPosition + 1;
    while (
      droppable < readByAll &&
      (this.names.length - this.head - droppable > this.maxEvents || chars > this.maxChars)
    ) {
      chars -= this.datas[this.head + droppable]?.length ?? 0;
      droppable += 1;
    }
    if (droppable > 0) {
      this.head += droppable;
      this.chars = chars;
      this.firstPosition += droppable;
      // Dropping one event at a time would shift the whole array each time: compact in bulk.
      if (this.head >= 1024 && this.head * 2 >= this.names.length) {
        this.names.splice(0, this.head);
        this.datas.splice(0, this.head);
        this.head = 0;
      }
    }
    return !this.isOverfull;
  }

  private async makeRoom(signal: AbortSignal | undefined): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort = () => {};
    const giveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, stallMs);
      timer.unref();
      onAbort = () => resolve();
      if (signal?.aborted) resolve();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      while (!this.trim() && !this.ending) {
        const progressed = new Promise<void>((resolve) => (this.roomWaiter = resolve));
        if ((await Promise.race([progressed.then(() => true), giveUp.then(() => false)])) === false) {
          do this.cutSlowestReaders();
          while (!this.trim());
          return;
        }
      }
    } finally {
      this.roomWaiter = null;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Drops the readers holding the oldest event: their streams end and a resume gets a 410. */
  private cutSlowestReaders(): void {
    for (const reader of this.readers) {
      if (reader.position >= this.firstPosition) continue;
      reader.isCut = true;
      this.readers.delete(reader);
    }
    this.wake();
  }
}

export type RunTarget = { log: RunLog; after: number };

/**
 * The runs an instance can follow and where their readers pick up. In memory (RunLogs) without
 * REDIS_URL; with it, every instance's runs through Redis (RedisRunLogs, redis/log-mirror.ts).
 */
export interface RunDirectory {
  /** A new log for a run starting on this instance, from now on the thread's latest. */
  open(threadId: string, ownerId: string): RunLog;
  /**
   * Where a reader of the thread picks up: after `cursor` (`rs_…:17`) or, without one, at the
   * start of the run in progress. `undefined` when there is nothing to follow (no run in
   * progress and nothing after the cursor). A cursor of a run no longer kept is a 410.
   */
  find(threadId: string, cursor: string | undefined): Promise<RunTarget | undefined>;
  /** The thread's run in progress, wherever it executes. */
  inProgress(threadId: string): Promise<RunLog | undefined>;
  /** The user who started the thread's latest run, while it is kept. */
  ownerOf(threadId: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * Where a reader that has read `log` up to `after` picks up: in that log, or `next` when it has
 * read the whole of an ended run (then the thread's next run follows, from its start).
 */
export function pickUp(log: RunLog | undefined, threadId: string, after: number): RunTarget | 'next' {
  if (!log || log.threadId !== threadId) throw cursorExpired();
  if (after < log.lastPosition || !log.isEnded) return { log, after };
  if (after > log.lastPosition)
    throw new AppError('bad_request', 400, 'The event id names an event this run has not sent');
  return 'next';
}

/**
 * The runs' logs this process keeps: every thread's latest, and each log by id until
 * `retentionMs` after its run ended (a reader that lost its connection near the end can still
 * resume), then forgotten.
 */
export class RunLogs implements RunDirectory {
  private readonly byId = new Map<string, RunLog>();
  private readonly latestByThread = new Map<string, RunLog>();
  /** Ended logs, oldest first, each with when to forget it; `expiringHead` is the next one. */
  private expiring: { at: number; forget: () => void }[] = [];
  private expiringHead = 0;
  private sweepTimer: NodeJS.Timeout | undefined;
  private isClosed = false;

  constructor(private readonly options: { maxEvents: number; retentionMs: number }) {}

  /** Logs kept (running and retained), for health and tests. */
  get size(): number {
    return this.byId.size;
  }

  /** A new log, from now on the thread's latest; `logOptions` for one other instances follow. */
  open(threadId: string, ownerId: string, logOptions: RunLogOptions = {}): RunLog {
    const log = new RunLog(threadId, ownerId, this.options.maxEvents, logOptions);
    this.byId.set(log.id, log);
    this.latestByThread.set(threadId, log);
    this.forgetAfterRetention(log, () => this.forget(log));
    return log;
  }

  /**
   * Runs `forget` `retentionMs` after the log's run ended (unless closed first). Runs end in
   * order and retention is one length, so the ended logs form a queue swept by one timer rather
   * than a timer each (1,000 streams ending a minute ago were 1,000 timers).
   */
  forgetAfterRetention(log: RunLog, forget: () => void): void {
    void log.ended.then(() => {
      if (this.isClosed) return;
      this.expiring.push({ at: Date.now() + this.options.retentionMs, forget });
      if (!this.sweepTimer) this.armSweep();
    });
  }

  private armSweep(): void {
    const next = this.expiring[this.expiringHead];
    if (!next) return;
    this.sweepTimer = setTimeout(() => this.sweep(), Math.max(0, next.at - Date.now()));
    this.sweepTimer.unref();
  }

  private sweep(): void {
    this.sweepTimer = undefined;
    const now = Date.now();
    while (this.expiringHead < this.expiring.length) {
      const next = this.expiring[this.expiringHead];
      if (!next || next.at > now) break;
      this.expiringHead += 1;
      next.forget();
    }
    if (this.expiringHead >= 1024 && this.expiringHead * 2 >= this.expiring.length) {
      this.expiring.splice(0, this.expiringHead);
      this.expiringHead = 0;
    }
    this.armSweep();
  }

  get(logId: string): RunLog | undefined {
    return this.byId.get(logId);
  }

  latest(threadId: string): RunLog | undefined {
    return this.latestByThread.get(threadId);
  }

  /** The thread's run in progress, if any. */
  running(threadId: string): RunLog | undefined {
    const latest = this.latestByThread.get(threadId);
    return latest && !latest.isEnded ? latest : undefined;
  }

  /** `find`, synchronously: everything is in this process. */
  resolve(threadId: string, cursor: string | undefined): RunTarget | undefined {
    const running = this.running(threadId);
    if (cursor === undefined) return running ? { log: running, after: 0 } : undefined;
    const { logId, position } = parseEventId(cursor);
    const log = this.byId.get(logId);
    const picked = pickUp(log, threadId, position);
    if (picked !== 'next') return picked;
    return running && running !== log ? { log: running, after: 0 } : undefined;
  }

  find(threadId: string, cursor: string | undefined): Promise<RunTarget | undefined> {
    return Promise.resolve(this.resolve(threadId, cursor));
  }

  inProgress(threadId: string): Promise<RunLog | undefined> {
    return Promise.resolve(this.running(threadId));
  }

  ownerOf(threadId: string): Promise<string | undefined> {
    return Promise.resolve(this.latest(threadId)?.ownerId);
  }

  close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.expiring = [];
    this.expiringHead = 0;
    return Promise.resolve();
  }

  private forget(log: RunLog): void {
    if (this.byId.get(log.id) === log) this.byId.delete(log.id);
    if (this.latestByThread.get(log.threadId) === log) this.latestByThread.delete(log.threadId);
  }
}
