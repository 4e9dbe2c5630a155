import type { ThreadLocks } from '../thread-locks.js';
import { coordinated, type RunRedis } from './connection.js';
import { keys, liveTtlMs, renewEveryMs } from './keys.js';

const renewLockScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const releaseLockScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

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
