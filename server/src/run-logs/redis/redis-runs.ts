import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../../http/index.js';
import {
  newRunLogId,
  parseEventId,
  pickUp,
  RunLog,
  RunLogs,
  type RunDirectory,
  type RunLogSink,
  type RunTarget,
} from '../run-log.js';
import type { ThreadLocks } from '../thread-locks.js';

/**
 * Every key and channel Threadline's runs use in Redis (docs/deployment.md lists them):
 * - `log:<logId>`: the run's events, a stream; entry `<position>-0` holds an event (`e` its name,
 *   `d` its data as JSON text), entry `<last position>-1` marks the end (`end`: clean|failed).
 *   Trimmed to about RUN_LOG_MAX_EVENTS; expires RUN_LOG_RETENTION_MS after the run ends.
 * - `meta:<logId>`: `<threadId> <ownerId>`, as long as the stream.
 * - `thread:<threadId>`: the thread's latest run, `<logId> running|ended <ownerId>`; expires
 *   `liveTtlMs` after its instance last renewed it (a crashed instance's run stops counting),
 *   RUN_LOG_RETENTION_MS after the run ended.
 * - `turn:<threadId>` (lock, the holder's fencing token) and `fence:<threadId>` (the counter).
 * - channel `control`: stop / supersede / released messages between instances.
 */
export const runRedisNamespace = 'threadline:run:';
const keys = {
  log: (logId: string) => `${runRedisNamespace}log:${logId}`,
  meta: (logId: string) => `${runRedisNamespace}meta:${logId}`,
  thread: (threadId: string) => `${runRedisNamespace}thread:${threadId}`,
  turn: (threadId: string) => `${runRedisNamespace}turn:${threadId}`,
  fence: (threadId: string) => `${runRedisNamespace}fence:${threadId}`,
  control: `${runRedisNamespace}control`,
};

/** How long a running run's registration and a turn lock outlive their instance's last renewal. */
export const liveTtlMs = 15_000;
const renewEveryMs = liveTtlMs / 3;
/** How long a follower blocks on a quiet stream before it checks the run's instance is alive. */
const quietCheckMs = 5_000;
/** How long a resume waits for an event another instance has sent but not yet stored. */
const catchUpMs = 5_000;
const mirrorBatch = 512;

/**
 * Commands fail fast when Redis is away (no offline queue, one retry), and the connection keeps
 * coming back in the background: a request needing Redis then gets a 503, never a hang.
 */
const commandOptions: RedisOptions = {
  connectTimeout: 1_000,
  commandTimeout: 2_000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
};
/** A follower's connection blocks in XREAD: no command timeout shorter than the block. */
const blockingOptions: RedisOptions = {
  ...commandOptions,
  commandTimeout: undefined,
  enableOfflineQueue: true,
};

export const coordinationUnavailable = (cause: unknown) =>
  new AppError(
    'coordination_unavailable',
    503,
    'The instances cannot coordinate runs right now (Redis is unavailable); try again shortly',
    { cause, headers: { 'retry-after': '2' } },
  );

/** Runs a Redis command a request depends on; a failure becomes a 503 in the error shape. */
async function coordinated<T>(command: Promise<T>): Promise<T> {
  try {
    return await command;
  } catch (error) {
    throw coordinationUnavailable(error);
  }
}

/** `<a> <b> <rest>` → [a, b, rest]: the registry's values (an owner id may hold spaces). */
function splitValue(value: string): [string, string, string] {
  const first = value.indexOf(' ');
  const second = value.indexOf(' ', first + 1);
  return [value.slice(0, first), value.slice(first + 1, second), value.slice(second + 1)];
}

// Updates the thread's registration only while it still names this run.
const renewRunScript = `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, #ARGV[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return 1`;
const endRunScript = `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, #ARGV[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;
const renewLockScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const releaseLockScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type ControlMessage =
  | { type: 'stop'; threadId: string; from: string }
  | { type: 'supersede'; threadId: string; token: number; from: string }
  | { type: 'released'; threadId: string; from: string };

/**
 * The connections one instance keeps to Redis for runs: one for commands (in order, so a run's
 * events, its end and its lock release reach Redis in the order they happened), one subscribed
 * to the control channel, and one per run this instance follows for another instance.
 */
export class RunRedis {
  readonly instanceId = randomBytes(6).toString('base64url');
  readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Set<(message: ControlMessage) => void>();
  private isWarned = false;

  constructor(
    readonly url: string,
    readonly log: FastifyBaseLogger,
  ) {
    this.commands = new Redis(url, { ...commandOptions, lazyConnect: true });
    this.subscriber = new Redis(url, { ...blockingOptions, lazyConnect: true });
    for (const connection of [this.commands, this.subscriber]) {
      connection.on('error', (error: Error) => this.warn(error));
      connection.on('ready', () => {
        if (this.isWarned) log.info('runs: Redis is back');
        this.isWarned = false;
      });
    }
    this.subscriber.on('message', (_channel: string, text: string) => {
      const message = JSON.parse(text) as ControlMessage;
      if (message.from === this.instanceId) return;
      for (const listener of this.listeners) listener(message);
    });
  }

  /** Connects; a Redis away at start-up is logged, and the connections keep retrying. */
  async connect(): Promise<void> {
    // Queued until the subscriber is connected, then renewed by ioredis on every reconnection.
    void this.subscriber.subscribe(keys.control).catch((error: unknown) => this.warn(error));
    await Promise.all([
      this.commands.connect().catch(() => undefined),
      this.subscriber.connect().catch(() => undefined),
    ]);
  }

  warn(error: unknown): void {
    if (this.isWarned) return;
    this.isWarned = true;
    this.log.warn(
      { err: error },
      'runs: Redis unavailable; runs are not shared between instances until it is back',
    );
  }

  publish(
    message: ControlMessage extends infer M ? (M extends ControlMessage ? Omit<M, 'from'> : never) : never,
  ): Promise<unknown> {
    return this.commands.publish(keys.control, JSON.stringify({ ...message, from: this.instanceId }));
  }

  onControl(listener: (message: ControlMessage) => void): void {
    this.listeners.add(listener);
  }

  /** A connection of its own, for a follower blocking on a stream. */
  blocking(): Redis {
    const connection = new Redis(this.url, blockingOptions);
    connection.on('error', (error: Error) => this.warn(error));
    return connection;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    for (const connection of [this.subscriber, this.commands]) {
      if (connection.status === 'ready') await connection.quit().catch(() => connection.disconnect());
      else connection.disconnect();
    }
  }
}

/**
 * Runs across instances. A run executing here keeps its in-memory log (readers here follow it
 * directly) and writes every event to its Redis stream as it is appended. A reader here of a run
 * executing elsewhere follows a mirror: an in-memory log with that run's id, fed by one blocking
 * XREAD loop per run and instance — 1,000 readers of one run on an instance cost Redis one
 * connection and one read per batch, not 1,000; the mirror fans out in memory, with the same
 * backpressure and bounds as a local log.
 */
export class RedisRunLogs implements RunDirectory {
  private readonly local: RunLogs;
  private readonly mirrors = new Map<string, Promise<{ log: RunLog; primed: Promise<void> } | undefined>>();
  private readonly followers = new Set<Redis>();
  private readonly renewals = new Set<NodeJS.Timeout>();
  private isClosed = false;

  constructor(
    private readonly redis: RunRedis,
    private readonly options: { maxEvents: number; retentionMs: number },
  ) {
    this.local = new RunLogs(options);
  }

  open(threadId: string, ownerId: string): RunLog {
    const id = newRunLogId();
    const commands = this.redis.commands;
    const retentionMs = Math.max(1, this.options.retentionMs);
    const [streamKey, metaKey, threadKey] = [keys.log(id), keys.meta(id), keys.thread(threadId)];
    const failed = (error: unknown) => this.redis.warn(error);
    commands
      .multi()
      .set(threadKey, `${id} running ${ownerId}`, 'PX', liveTtlMs)
      .set(metaKey, `${threadId} ${ownerId}`, 'PX', liveTtlMs + retentionMs)
      .exec()
      .catch(failed);
    const renewal = setInterval(() => {
      commands
        .eval(renewRunScript, 3, threadKey, streamKey, metaKey, `${id} `, liveTtlMs, liveTtlMs + retentionMs)
        .catch(failed);
    }, renewEveryMs);
    renewal.unref();
    this.renewals.add(renewal);
    const maxLength = String(this.options.maxEvents);
    let isFresh = true;
    const sink: RunLogSink = {
      append: (position, name, data) => {
        void commands
          .xadd(streamKey, 'MAXLEN', '~', maxLength, `${position}-0`, 'e', name, 'd', data)
          .catch(failed);
        if (!isFresh) return;
        // The stream exists from its first event on: expiring from then, a run whose instance dies
        // before the first renewal leaves nothing behind either.
        isFresh = false;
        void commands.pexpire(streamKey, liveTtlMs + retentionMs).catch(failed);
      },
      end: (lastPosition, isClean) => {
        clearInterval(renewal);
        this.renewals.delete(renewal);
        commands
          .multi()
          .xadd(streamKey, `${lastPosition}-1`, 'end', isClean ? 'clean' : 'failed')
          .pexpire(streamKey, retentionMs)
          .pexpire(metaKey, retentionMs)
          .eval(endRunScript, 1, threadKey, `${id} `, `${id} ended ${ownerId}`, retentionMs)
          .exec()
          .catch(failed);
      },
    };
    return this.local.open(threadId, ownerId, { id, sink });
  }

  async find(threadId: string, cursor: string | undefined): Promise<RunTarget | undefined> {
    if (cursor === undefined) {
      const running = await this.inProgress(threadId);
      return running ? { log: running, after: 0 } : undefined;
    }
    const { logId, position } = parseEventId(cursor);
    const log = this.local.get(logId) ?? (await this.follow(logId));
    if (log && !log.isEnded && position > log.lastPosition) await caughtUp(log, position);
    const picked = pickUp(log, threadId, position);
    if (picked !== 'next') return picked;
    const running = await this.inProgress(threadId);
    return running && running.id !== logId ? { log: running, after: 0 } : undefined;
  }

  async inProgress(threadId: string): Promise<RunLog | undefined> {
    const latest = await this.registered(threadId);
    if (latest?.state !== 'running') return undefined;
    const log = this.local.get(latest.logId) ?? (await this.follow(latest.logId));
    return log && !log.isEnded ? log : undefined;
  }

  async ownerOf(threadId: string): Promise<string | undefined> {
    return (await this.registered(threadId))?.ownerId ?? this.local.latest(threadId)?.ownerId;
  }

  async close(): Promise<void> {
    this.isClosed = true;
    for (const renewal of this.renewals) clearInterval(renewal);
    for (const follower of this.followers) follower.disconnect();
    await this.local.close();
  }

  private async registered(threadId: string) {
    const value = await coordinated(this.redis.commands.get(keys.thread(threadId)));
    if (value === null) return undefined;
    const [logId, state, ownerId] = splitValue(value);
    return { logId, state, ownerId };
  }

  /** The mirror of a run executing elsewhere, once it holds what Redis held when it was asked for. */
  private async follow(logId: string): Promise<RunLog | undefined> {
    let mirror = this.mirrors.get(logId);
    if (!mirror) {
      mirror = this.startMirror(logId);
      this.mirrors.set(logId, mirror);
      void mirror.then(
        (started) => {
          if (started) this.local.forgetAfterRetention(started.log, () => this.mirrors.delete(logId));
          else this.mirrors.delete(logId);
        },
        () => this.mirrors.delete(logId),
      );
    }
    const started = await mirror;
    if (!started) return undefined;
    await started.primed;
    return started.log;
  }

  private async startMirror(logId: string) {
    const commands = this.redis.commands;
    const [meta, first, last] = await coordinated(
      Promise.all([
        commands.get(keys.meta(logId)),
        commands.xrange(keys.log(logId), '-', '+', 'COUNT', 1),
        commands.xrevrange(keys.log(logId), '+', '-', 'COUNT', 1),
      ]),
    );
    if (meta === null) return undefined;
    const separator = meta.indexOf(' ');
    const threadId = meta.slice(0, separator);
    const firstPosition = first[0] ? Number(first[0][0].split('-')[0]) : 1;
    const log = new RunLog(threadId, meta.slice(separator + 1), this.options.maxEvents, {
      id: logId,
      firstPosition,
    });
    const primedAt = last[0]?.[0];
    let markPrimed = () => {};
    const primed =
      primedAt === undefined ? Promise.resolve() : new Promise<void>((resolve) => (markPrimed = resolve));
    void this.feed(log, `${firstPosition - 1}-1`, (id) => {
      if (id === primedAt) markPrimed();
    }).finally(() => {
      markPrimed();
      if (!log.isEnded) log.end({ isClean: false });
    });
    return { log, primed };
  }

  /** Copies the run's stream into its mirror until its end marker (or its instance is gone). */
  private async feed(log: RunLog, from: string, onEntry: (id: string) => void): Promise<void> {
    const connection = this.redis.blocking();
    this.followers.add(connection);
    const key = keys.log(log.id);
    let cursor = from;
    try {
      while (!log.isEnded && !this.isClosed) {
        const reply = await connection.xread(
          'COUNT',
          mirrorBatch,
          'BLOCK',
          quietCheckMs,
          'STREAMS',
          key,
          cursor,
        );
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) {
          if (!(await this.isAlive(log))) return;
          continue;
        }
        for (const [id, fields] of entries) {
          cursor = id;
          const [position, sequence] = id.split('-').map(Number);
          if (sequence === 1) {
            log.end({ isClean: fields[1] === 'clean' });
          } else if (position !== log.lastPosition + 1) {
            // Trimmed before this instance read it: readers end, and a resume gets a 410.
            return;
          } else {
            const full = log.appendEncoded(fields[1] ?? '', fields[3] ?? '');
            if (full) await full;
          }
          onEntry(id);
          if (log.isEnded) return;
        }
      }
    } catch (error) {
      if (!this.isClosed) this.redis.warn(error);
    } finally {
      this.followers.delete(connection);
      connection.disconnect();
    }
  }

  /** Whether the run still counts as running: its instance keeps its registration alive. */
  private async isAlive(log: RunLog): Promise<boolean> {
    const latest = await this.registered(log.threadId);
    return latest?.logId === log.id && latest.state === 'running';
  }
}

/** Resolves once the log has the event at `position` (sent elsewhere, maybe not stored yet). */
async function caughtUp(log: RunLog, position: number): Promise<void> {
  const deadline = Date.now() + catchUpMs;
  while (log.lastPosition < position && !log.isEnded && Date.now() < deadline) {
    const probe = { position: log.lastPosition, isCut: false };
    await Promise.race([log.whenReadable(probe), new Promise((resolve) => setTimeout(resolve, 100))]);
  }
}

/**
 * A thread's turn across instances: `SET turn:<thread> <token> NX PX` with a fencing token from
 * `INCR fence:<thread>` (newer sends get higher tokens), renewed while held, released only by its
 * holder (compare-and-delete), and expiring `liveTtlMs` after a crashed holder's last renewal. A
 * send that finds the thread held tells the other instances to supersede older turns (their runs
 * end cancelled, as a newer send does in one process) and waits for the release.
 */
export class RedisThreadLocks implements ThreadLocks {
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly redis: RunRedis) {
    redis.onControl((message) => {
      if (message.type === 'released') this.wake(message.threadId);
    });
  }

  private wake(threadId: string): void {
    for (const wake of this.waiters.get(threadId) ?? []) wake();
  }

  async hold(
    threadId: string,
    turn: { onToken: (token: number) => void; onLost: () => void },
  ): Promise<() => void> {
    const commands = this.redis.commands;
    const lockKey = keys.turn(threadId);
    const token = await coordinated(commands.incr(keys.fence(threadId)));
    void commands.pexpire(keys.fence(threadId), 86_400_000).catch(() => undefined);
    turn.onToken(token);
    let isAsked = false;
    for (;;) {
      const taken = await coordinated(commands.set(lockKey, String(token), 'PX', liveTtlMs, 'NX'));
      if (taken === 'OK') break;
      if (!isAsked) {
        isAsked = true;
        await coordinated(this.redis.publish({ type: 'supersede', threadId, token }));
      }
      await this.released(threadId);
    }
    const renewal = setInterval(() => {
      commands.eval(renewLockScript, 1, lockKey, String(token), liveTtlMs).then(
        (renewed) => {
          if (renewed === 1) return;
          clearInterval(renewal);
          turn.onLost();
        },
        (error: unknown) => this.redis.warn(error),
      );
    }, renewEveryMs);
    renewal.unref();
    return () => {
      clearInterval(renewal);
      commands
        .eval(releaseLockScript, 1, lockKey, String(token))
        .then(() => {
          this.wake(threadId);
          return this.redis.publish({ type: 'released', threadId });
        })
        .catch((error: unknown) => this.redis.warn(error));
    };
  }

  async stopElsewhere(threadId: string): Promise<void> {
    await coordinated(this.redis.publish({ type: 'stop', threadId }));
  }

  listen(handlers: {
    stop: (threadId: string) => void;
    supersede: (threadId: string, token: number) => void;
  }): void {
    this.redis.onControl((message) => {
      if (message.type === 'stop') handlers.stop(message.threadId);
      else if (message.type === 'supersede') handlers.supersede(message.threadId, message.token);
    });
  }

  /** Resolves when the thread's lock is released here or elsewhere, or after a while (a crashed holder's lock expires). */
  private released(threadId: string): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.waiters.get(threadId) ?? new Set();
      this.waiters.set(threadId, waiters);
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0) this.waiters.delete(threadId);
        resolve();
      };
      const timer = setTimeout(wake, 250);
      waiters.add(wake);
    });
  }
}
