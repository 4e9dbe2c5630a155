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
import { coordinated, type RunRedis } from './connection.js';
import { keys, liveTtlMs, renewEveryMs, catchUpMs, mirrorBatch } from './keys.js';
import { MirrorReaders, mirrorConnectionName } from './mirror-readers.js';

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
/**
 * Runs across instances. A run executing here keeps its in-memory log (readers here follow it
 * directly) and writes every event to its Redis stream as it is appended. A reader here of a run
 * executing elsewhere follows a mirror: an in-memory log with that run's id, fed by the
 * instance's small pool of blocking readers (mirror-readers.ts), each reading many runs' streams
 * in one XREAD — 1,000 readers of one run cost Redis one read per batch, and 1,000 mirrored runs
 * a couple of connections, not 1,000; the mirror fans out in memory, with the same backpressure
 * and bounds as a local log.
 */
export class RedisRunLogs implements RunDirectory {
  private readonly local: RunLogs;
  private readonly mirrors = new Map<string, Promise<{ log: RunLog; primed: Promise<void> } | undefined>>();
  private readonly readers: MirrorReaders;
  private readonly renewals = new Set<NodeJS.Timeout>();
  private isClosed = false;

  constructor(
    private readonly redis: RunRedis,
    private readonly options: { maxEvents: number; retentionMs: number },
  ) {
    this.local = new RunLogs(options);
    this.readers = new MirrorReaders({
      connect: () => redis.blocking(mirrorConnectionName),
      commands: redis.commands,
      isAlive: (log) => this.isAlive(log),
      warn: (error) => redis.warn(error),
    });
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
    this.readers.close();
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
    // What Redis holds already (up to a batch) comes with the first round trip and goes into the
    // mirror at once: the first reader does not wait for the pool's blocking read to take the run.
    const [meta, head, last] = await coordinated(
      Promise.all([
        commands.get(keys.meta(logId)),
        commands.xrange(keys.log(logId), '-', '+', 'COUNT', mirrorBatch),
        commands.xrevrange(keys.log(logId), '+', '-', 'COUNT', 1),
      ]),
    );
    if (meta === null) return undefined;
    const separator = meta.indexOf(' ');
    const threadId = meta.slice(0, separator);
    const firstPosition = head[0] ? Number(head[0][0].split('-')[0]) : 1;
    const log = new RunLog(threadId, meta.slice(separator + 1), this.options.maxEvents, {
      id: logId,
      firstPosition,
    });
    let cursor = `${firstPosition - 1}-1`;
    for (const [id, fields] of head) {
      const [position, sequence] = id.split('-').map(Number);
      if (sequence === 1) log.end({ isClean: fields[1] === 'clean' });
      // One XRANGE has no gap; should it, the pool's reader meets it again and ends the mirror.
      else if (position !== log.lastPosition + 1) break;
      // No reader is attached yet, so the log never makes the run wait here.
      else void log.appendEncoded(fields[1] ?? '', fields[3] ?? '');
      cursor = id;
      if (log.isEnded) break;
    }
    const primedAt = last[0]?.[0];
    const isPrimedBy = (id: string) => primedAt === undefined || compareStreamIds(id, primedAt) >= 0;
    if (log.isEnded) return { log, primed: Promise.resolve() };
    let markPrimed = () => {};
    const primed = isPrimedBy(cursor)
      ? Promise.resolve()
      : new Promise<void>((resolve) => (markPrimed = resolve));
    void this.readers
      .feed(log, cursor, (id) => {
        if (isPrimedBy(id)) markPrimed();
      })
      .finally(() => {
        markPrimed();
        if (!log.isEnded) log.end({ isClean: false });
      });
    return { log, primed };
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

/** Orders two stream entry ids (`<ms>-<seq>`; here `<position>-<0|1>`). */
function compareStreamIds(left: string, right: string): number {
  const [leftFirst = 0, leftSecond = 0] = left.split('-').map(Number);
  const [rightFirst = 0, rightSecond = 0] = right.split('-').map(Number);
  return leftFirst - rightFirst || leftSecond - rightSecond;
}
