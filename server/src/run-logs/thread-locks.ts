/**
 * Serialises a thread's turns across instances (RedisThreadLocks, redis/locks.ts); in one
 * process the ThreadSerialiser alone does (soloThreadLocks).
 */
export interface ThreadLocks {
  /**
   * Resolves, with its release, once this instance holds the thread across instances. The turn
   * gets a token at once (newer sends get higher ones) and is told if the hold is lost.
   */
  hold(threadId: string, turn: { onToken: (token: number) => void; onLost: () => void }): Promise<() => void>;
  /** Asks the other instances to stop the thread's turns (a Stop reaching this one). */
  stopElsewhere(threadId: string): Promise<void>;
  /** What this instance does when another asks it to stop the thread's turns, or those older than `token`. */
  listen(handlers: {
    stop: (threadId: string) => void;
    supersede: (threadId: string, token: number) => void;
  }): void;
}

/** One instance: nothing to hold beyond this process, no one else to tell. */
export const soloThreadLocks: ThreadLocks = {
  hold: () => Promise.resolve(() => {}),
  stopElsewhere: () => Promise.resolve(),
  listen: () => {},
};
