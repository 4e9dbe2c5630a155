import type { Redis } from 'ioredis';
import type { RunLog } from '../run-log.js';
import { keys, mirrorBatch, quietCheckMs } from './keys.js';

/** Connections that read the streams of every run this instance mirrors. */
export const mirrorPoolSize = 2;
/** The name the pool's connections give themselves (CLIENT SETNAME), so CLIENT LIST tells them apart. */
export const mirrorConnectionName = 'threadline-run-mirror';

/** One mirrored run: where it has read to, and what to do with what arrives. */
type Mirror = {
  log: RunLog;
  key: string;
  cursor: string;
  onEntry: (id: string) => void;
  /** Settles when the mirror stops (its run ended, was trimmed, or its instance is gone). */
  stop: () => void;
  /** Waiting for a slow reader of the mirror to make room (not read meanwhile). */
  isPaused: boolean;
  lastEntryAt: number;
  isChecking: boolean;
};

type Reader = {
  connection: Redis;
  mirrors: Set<Mirror>;
  /** The connection's CLIENT ID while it is connected, to unblock its XREAD when a run is added. */
  clientId: number | null;
  isBlocked: boolean;
  /** Counts the reader's XREADs: an unblock is retried until a read after the change has begun. */
  generation: number;
  wake: () => void;
};

export type MirrorReaderDependencies = {
  /** A new blocking connection (no command timeout), named `mirrorConnectionName`. */
  connect: () => Redis;
  /** A connection for CLIENT UNBLOCK (the instance's command connection). */
  commands: Redis;
  /** Whether the run still counts as running (its instance keeps renewing it). */
  isAlive: (log: RunLog) => Promise<boolean>;
  warn: (error: unknown) => void;
};

/**
 * A small pool of blocking connections, each reading the streams of many mirrored runs in one
 * XREAD, instead of a connection per run: a follower's first event no longer waits for a
 * connection to open, and 1,000 mirrored runs cost Redis `size` connections, not 1,000. A run
 * joins the least-busy reader, whose XREAD is unblocked (CLIENT UNBLOCK) so the new stream is read
 * at once. A mirror whose readers lag stops being read until it has room (backpressure per run,
 * not for the whole pool).
 */
export class MirrorReaders {
  private readonly readers: Reader[] = [];
  private isClosed = false;

  constructor(
    private readonly dependencies: MirrorReaderDependencies,
    private readonly size = mirrorPoolSize,
  ) {}

  /** Connections opened so far (at most `size`). */
  get connections(): number {
    return this.readers.length;
  }

  /**
   * Copies the run's stream from `from` into `log` until its end marker, a gap (trimmed before it
   * was read), its instance going away, or close. Resolves then.
   */
  feed(log: RunLog, from: string, onEntry: (id: string) => void): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    const reader = this.leastBusy();
    return new Promise<void>((resolve) => {
      const mirror: Mirror = {
        log,
        key: keys.log(log.id),
        cursor: from,
        onEntry,
        isPaused: false,
        lastEntryAt: Date.now(),
        isChecking: false,
        stop: () => {
          reader.mirrors.delete(mirror);
          resolve();
        },
      };
      reader.mirrors.add(mirror);
      this.interrupt(reader);
    });
  }

  close(): void {
    this.isClosed = true;
    for (const reader of this.readers) {
      for (const mirror of reader.mirrors) mirror.stop();
      reader.connection.disconnect();
      reader.wake();
    }
  }

  private leastBusy(): Reader {
    if (this.readers.length < this.size) {
      const reader = this.open();
      this.readers.push(reader);
      return reader;
    }
    return this.readers.reduce((best, reader) => (reader.mirrors.size < best.mirrors.size ? reader : best));
  }

  private open(): Reader {
    const connection = this.dependencies.connect();
    const reader: Reader = {
      connection,
      mirrors: new Set(),
      clientId: null,
      isBlocked: false,
      generation: 0,
      wake: () => {},
    };
    // A reconnected connection has a new id: learnt again before its next read.
    connection.on('close', () => (reader.clientId = null));
    void this.loop(reader);
    return reader;
  }

  /** Makes the reader's loop pick up a change of its mirrors now rather than after its block. */
  private interrupt(reader: Reader): void {
    reader.wake();
    const generation = reader.generation;
    const unblock = (attempt: number) => {
      if (!reader.isBlocked || reader.generation !== generation || reader.clientId === null) return;
      void this.dependencies.commands.client('UNBLOCK', reader.clientId).then(
        // 0: the XREAD has not reached Redis yet (it travels on another connection); try again.
        (unblocked) => {
          if (Number(unblocked) === 0 && attempt < 50) setTimeout(() => unblock(attempt + 1), 1);
        },
        () => undefined,
      );
    };
    unblock(0);
  }

  private async loop(reader: Reader): Promise<void> {
    while (!this.isClosed) {
      for (const mirror of reader.mirrors) if (mirror.log.isEnded) this.finish(mirror);
      if (![...reader.mirrors].some((mirror) => !mirror.isPaused)) {
        await new Promise<void>((resolve) => (reader.wake = resolve));
        continue;
      }
      if (reader.clientId === null) {
        try {
          reader.clientId = Number(await reader.connection.client('ID'));
        } catch (error) {
          if (!this.isClosed) this.dependencies.warn(error);
          for (const mirror of reader.mirrors) this.finish(mirror);
          continue;
        }
      }
      const reading = [...reader.mirrors].filter((mirror) => !mirror.isPaused);
      if (reading.length === 0) continue;
      let reply: [string, [string, string[]][]][] | null;
      try {
        reader.isBlocked = true;
        reader.generation += 1;
        reply = await reader.connection.xread(
          'COUNT',
          mirrorBatch,
          'BLOCK',
          quietCheckMs,
          'STREAMS',
          ...reading.map((mirror) => mirror.key),
          ...reading.map((mirror) => mirror.cursor),
        );
      } catch (error) {
        // As with a connection per run: the mirrors read on it end (their readers resume by id).
        if (!this.isClosed) this.dependencies.warn(error);
        for (const mirror of reading) this.finish(mirror);
        continue;
      } finally {
        reader.isBlocked = false;
      }
      const byKey = new Map(reading.map((mirror) => [mirror.key, mirror]));
      for (const [key, entries] of reply ?? []) {
        const mirror = byKey.get(key);
        if (mirror && reader.mirrors.has(mirror)) this.deliver(reader, mirror, entries);
      }
      const now = Date.now();
      for (const mirror of reading)
        if (now - mirror.lastEntryAt >= quietCheckMs && !mirror.isChecking) this.checkAlive(mirror);
    }
  }

  private deliver(reader: Reader, mirror: Mirror, entries: [string, string[]][]): void {
    mirror.lastEntryAt = Date.now();
    for (const [id, fields] of entries) {
      mirror.cursor = id;
      const [position, sequence] = id.split('-').map(Number);
      if (sequence === 1) {
        mirror.log.end({ isClean: fields[1] === 'clean' });
      } else if (position !== mirror.log.lastPosition + 1) {
        // Trimmed before this instance read it: readers end, and a resume gets a 410.
        return this.finish(mirror);
      } else {
        const full = mirror.log.appendEncoded(fields[1] ?? '', fields[3] ?? '');
        if (full) {
          // The rest of the batch is read again once a slow reader has made room.
          mirror.onEntry(id);
          mirror.isPaused = true;
          void full.then(() => {
            mirror.isPaused = false;
            mirror.lastEntryAt = Date.now();
            this.interrupt(reader);
          });
          return;
        }
      }
      mirror.onEntry(id);
      if (mirror.log.isEnded) return this.finish(mirror);
    }
  }

  private checkAlive(mirror: Mirror): void {
    mirror.isChecking = true;
    void this.dependencies
      .isAlive(mirror.log)
      .catch(() => false)
      .then((isAlive) => {
        mirror.isChecking = false;
        mirror.lastEntryAt = Date.now();
        if (!isAlive) this.finish(mirror);
      });
  }

  private finish(mirror: Mirror): void {
    mirror.stop();
  }
}
