import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../../http/index.js';
import { keys } from './keys.js';

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
export async function coordinated<T>(command: Promise<T>): Promise<T> {
  try {
    return await command;
  } catch (error) {
    throw coordinationUnavailable(error);
  }
}

export type ControlMessage =
  | { type: 'stop'; threadId: string; from: string }
  | { type: 'supersede'; threadId: string; token: number; from: string }
  | { type: 'released'; threadId: string; from: string };

/**
 * The connections one instance keeps to Redis for runs: one for commands (in order, so a run's
 * events, its end and its lock release reach Redis in the order they happened), one subscribed
 * to the control channel, and a small pool reading the streams of the runs this instance follows
 * for other instances (mirror-readers.ts).
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

  /** A connection of its own, for readers blocking on streams (named for CLIENT LIST). */
  blocking(connectionName?: string): Redis {
    const connection = new Redis(this.url, {
      ...blockingOptions,
      ...(connectionName ? { connectionName } : {}),
    });
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
