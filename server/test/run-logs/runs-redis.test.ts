import {
  apiPaths,
  errorBodySchema,
  threadCancelResultSchema,
  threadIdHeader,
  type IdentifiedEvent,
} from '@threadline/shared';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { liveTtlMs, runRedisNamespace } from '../../src/run-logs/redis/keys.js';
import { mirrorConnectionName, mirrorPoolSize } from '../../src/run-logs/redis/mirror-readers.js';
import { createChatHarness, eventually, postJson, readIdentifiedEvents } from '../helpers/chat-harness.js';
import { slowModel, startConformanceLlm } from '../helpers/conformance-llm.js';
import { announceRedisSkip, redisServerPath, startRedisServer } from '../helpers/redis-server.js';

announceRedisSkip('runs in Redis');

const alice = { authorization: 'Bearer alice-token-1' };

/** Everything a test started, stopped in reverse order whatever the outcome. */
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function read(response: Response) {
  const events: IdentifiedEvent[] = [];
  for await (const event of readIdentifiedEvents(response)) events.push(event);
  return events;
}
const names = (events: IdentifiedEvent[]) => events.map((item) => item.event.event);

/**
 * Two apps sharing one real redis-server, each with its own embedded engine: what only Redis can
 * do, since neither engine knows the other's runs — a Stop reaching B stops a run executing on A
 * (control channel), B's readers follow A's stream, and what Redis keeps is bounded.
 */
describe.skipIf(redisServerPath === undefined)('runs in Redis (real redis-server, two apps)', () => {
  async function start() {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const llm = await startConformanceLlm();
    cleanups.push(() => llm.close());
    const environment = {
      REDIS_URL: redis.url,
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: slowModel,
      AUTH_TOKENS: 'alice-token-1=alice',
      HEARTBEAT_MS: '200',
      RUN_LOG_MAX_EVENTS: '100',
    };
    const [first, second] = [
      await createChatHarness(environment, 'alice'),
      await createChatHarness(environment, 'alice'),
    ];
    cleanups.push(
      () => first.close(),
      () => second.close(),
    );
    return { redis, first, a: await first.listen(), b: await second.listen() };
  }

  it('Stop on B stops a run only A’s engine knows, and B’s reader of it ends cancelled too', async () => {
    const { first, a, b } = await start();
    const response = await postJson(
      `${a}${apiPaths.chatStream}`,
      { content: 'How much are meals reimbursed?', vectorStoreIds: [first.vectorStoreId] },
      { headers: alice },
    );
    const threadId = String(response.headers.get(threadIdHeader));
    const onA = read(response);
    const followed = await eventually(
      async () => {
        const attempt = await fetch(`${b}${apiPaths.threadStream(threadId)}`, { headers: alice });
        if (attempt.status === 200) return attempt;
        await attempt.body?.cancel();
        return undefined;
      },
      5_000,
      'the run to be followable on B',
    );
    const onB = read(followed);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const stopped = await fetch(`${b}${apiPaths.threadCancel(threadId)}`, { method: 'POST', headers: alice });
    expect(stopped.status).toBe(200);
    expect(threadCancelResultSchema.parse(await stopped.json())).toEqual({ threadId, cancelled: true });
    const [eventsOnA, eventsOnB] = [await onA, await onB];
    expect(names(eventsOnA).slice(-2)).toEqual(['thread.run.cancelled', 'done']);
    expect(eventsOnB).toEqual(eventsOnA);
  });

  it('follows many runs of another instance over a small pool of connections, not one per run', async () => {
    const { redis, first, a, b } = await start();
    const inspector = new Redis(redis.url);
    cleanups.push(() => inspector.disconnect());
    const clients = async () => {
      const list = String(await inspector.client('LIST'))
        .trim()
        .split('\n');
      return {
        total: list.length,
        mirrors: list.filter((line) => line.includes(` name=${mirrorConnectionName} `)).length,
      };
    };
    const runs = mirrorPoolSize * 3;
    const started = await Promise.all(
      Array.from({ length: runs }, async (_, index) => {
        const response = await postJson(
          `${a}${apiPaths.chatStream}`,
          { content: `How much are meals reimbursed? (${index})`, vectorStoreIds: [first.vectorStoreId] },
          { headers: alice },
        );
        return { threadId: String(response.headers.get(threadIdHeader)), onA: read(response) };
      }),
    );
    const before = await clients();
    const onB = await Promise.all(
      started.map(async ({ threadId }) => {
        const followed = await eventually(
          async () => {
            const attempt = await fetch(`${b}${apiPaths.threadStream(threadId)}`, { headers: alice });
            if (attempt.status === 200) return attempt;
            await attempt.body?.cancel();
            return undefined;
          },
          5_000,
          'the run to be followable on B',
        );
        // Wrapped, so awaiting the follow does not wait for its stream to end.
        return { events: read(followed) };
      }),
    );
    // Every run is being mirrored on B now (each follow got its 200 from a primed mirror).
    const during = await clients();
    // One connection per mirrored run would add `runs`.
    expect(during.total - before.total).toBeLessThanOrEqual(mirrorPoolSize);
    expect(during.mirrors).toBeGreaterThanOrEqual(1);
    expect(during.mirrors).toBeLessThanOrEqual(mirrorPoolSize);
    for (const [index, events] of (await Promise.all(onB.map((follow) => follow.events))).entries()) {
      const eventsOnA = await started[index]?.onA;
      expect(names(events).at(-1)).toBe('done');
      expect(events).toEqual(eventsOnA);
    }
  });

  it('keeps the stream bounded (about RUN_LOG_MAX_EVENTS), registers the run while it runs, and expires both after it', async () => {
    const { redis, first, a } = await start();
    const response = await postJson(
      `${a}${apiPaths.chatStream}`,
      { content: 'How much are meals reimbursed?', vectorStoreIds: [first.vectorStoreId] },
      { headers: alice },
    );
    const threadId = String(response.headers.get(threadIdHeader));
    const inspector = new Redis(redis.url);
    cleanups.push(() => inspector.disconnect());
    const registered = await inspector.get(`${runRedisNamespace}thread:${threadId}`);
    expect(registered).toMatch(/^rs_[\w-]+ running alice$/);
    expect(await inspector.pttl(`${runRedisNamespace}thread:${threadId}`)).toBeLessThanOrEqual(liveTtlMs);
    // The stream expires even while running, should its instance die before renewing it.
    const runningTtl = await inspector.pttl(`${runRedisNamespace}log:${String(registered?.split(' ')[0])}`);
    expect(runningTtl).toBeGreaterThan(0);
    expect(runningTtl).toBeLessThanOrEqual(liveTtlMs + 60_000);
    const events = await read(response);
    expect(events.length).toBeGreaterThan(300);
    const logId = String(registered?.split(' ')[0]);
    // MAXLEN ~ trims whole nodes: about the bound, never the whole run.
    const length = await inspector.xlen(`${runRedisNamespace}log:${logId}`);
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(events.length);
    expect(await inspector.get(`${runRedisNamespace}thread:${threadId}`)).toBe(`${logId} ended alice`);
    const ttl = await inspector.pttl(`${runRedisNamespace}log:${logId}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('answers 503 in the error shape while Redis is away, rather than act without the other instances', async () => {
    const { redis, first, a, b } = await start();
    await redis.kill();
    const followed = await fetch(`${b}${apiPaths.threadStream('thread_anything')}`, { headers: alice });
    expect(followed.status).toBe(503);
    expect(errorBodySchema.parse(await followed.json())).toMatchObject({
      statusCode: 503,
      code: 'coordination_unavailable',
    });
    const sent = await postJson(
      `${a}${apiPaths.chatStream}`,
      { content: 'Meals?', vectorStoreIds: [first.vectorStoreId] },
      { headers: alice },
    );
    expect(sent.status).toBe(503);
    expect(sent.headers.get('retry-after')).toBe('2');
    expect(errorBodySchema.parse(await sent.json()).code).toBe('coordination_unavailable');
  });
});
