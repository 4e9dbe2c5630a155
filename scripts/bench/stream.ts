import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiPaths, healthSchema, threadIdHeader } from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.js';
import { listenBacklog } from '../../server/src/http/listen-options.js';
import { logDestination } from '../../server/src/http/logging/logger.js';
import { loadConfig, type Config } from '../../server/src/config.js';
import { redisServerPath, startRedisServer } from '../../server/test/helpers/redis-server.js';
import { SyntheticEngine } from './synthetic-engine.js';

/**
 * Relay overhead of /chat/stream, against a direct in-process call of the same synthetic engine
 * measured in the same run with the same arrival pattern (callers started 10 ms apart, not all at
 * once). The server runs in a child process (its own core), the clients here, over loopback. The
 * server does not log, as in earlier runs of this bench, so figures stay comparable;
 * BENCH_LOG_LEVEL=info logs as users run it by default (to /dev/null through the server's own
 * batched destination, logDestination).
 * Usage: [BENCH_LOG_LEVEL=info] npm run bench:stream [-- rounds]
 *   1. time to first event at 100 concurrent streams (added p50 ≤ 1 ms, p99 ≤ 5 ms), measured with a
 *      lean HTTP client (wrk-like) and, for comparison, with node:http's client, each against a
 *      bare node:http server too, in alternating blocks
 *   2. relay rate of one long burst (≥ 100k events/s)
 *   3. 1,000 concurrent paced streams (p99 gap between events ≤ 100 ms; ≤ 32 KB per stream, in a
 *      second run because the memory sample forces a full GC)
 *   4. with a real redis-server (skipped without one): two more servers sharing it (REDIS_URL); a
 *      run on A is followed at once on A (its own instance: the single-instance path) and on B
 *      (through Redis), by clients in this process, so both see the same clock: time to first
 *      event of the follow on B against A (ratio), and how much later each event reaches B
 */
const rounds = Number(process.argv.slice(2).find((arg) => arg !== '--serve') ?? 6);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) {
  console.error('usage: npm run bench:stream [-- rounds], rounds a whole number from 1 to 100 (default 6)');
  process.exit(2);
}
/**
 * BENCH_STREAM_PHASES=3,4 runs only those phases (iterating on one target); all four by default.
 * Without phase 1 the warm-up is shortened to a few rounds.
 */
const phases = new Set((process.env.BENCH_STREAM_PHASES ?? '1,2,3,4').split(',').map((item) => item.trim()));
/** Rounds of 100 short streams per server before anything is measured (see the warm-up below). */
const warmupRounds = 30;
/** Phase 1 alternates Threadline and the bare server in blocks of this many rounds. */
const blockRounds = 2;
const concurrency = 100;
const burstEvents = 200_000;
const manyStreams = 1000;
const pacedEvents = 40;
const paceMs = 50;

/** Child: the real app with the synthetic engine; reports its port and, on request, its memory. */
async function serve(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-stream-'));
  const config = loadConfig({
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    LOG_FORMAT: 'json',
    DATA_DIR: dataDir,
    RATE_LIMIT_MAX: '1000000',
    ...(process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL } : {}),
  });
  const app = await buildBenchApp(config);
  // The same accept backlog as server.ts: with Node's default (511) a burst of 1,000 connections
  // overflows the accept queue and the kernel drops SYNs, retried by clients after 1 s and 3 s.
  await app.listen({ port: 0, host: '127.0.0.1', backlog: listenBacklog });
  const floor = createFloorServer();
  floor.listen({ port: 0, host: '127.0.0.1', backlog: listenBacklog });
  await once(floor, 'listening');
  process.send?.({
    port: (app.server.address() as AddressInfo).port,
    floorPort: (floor.address() as AddressInfo).port,
  });
  process.on('message', (message) => {
    if (message === 'memory') {
      globalThis.gc?.();
      const usage = process.memoryUsage();
      // Live JS heap + native buffers after a full GC: RSS alone keeps pages freed by earlier
      // phases, so its difference can even come out negative.
      process.send?.({ rss: usage.rss, live: usage.heapUsed + usage.external });
    } else if (message === 'stop') {
      floor.close();
      void app.close().finally(() => {
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  });
}

/**
 * The HTTP floor: a bare node:http server that answers `paced:N:MS` with the same SSE framing and
 * pace but nothing else (no Fastify, no thread, no journal, no engine), so the report can say how
 * much of the added time is the HTTP exchange itself.
 */
function createFloorServer(): Server {
  const frame = (event: string, data: string) => `event: ${event}\ndata: ${data}\n\n`;
  // Fastify's keep-alive timeout (72 s), not node:http's 5 s: the clients' sockets idle while the
  // other server takes its turn.
  return createServer({ keepAliveTimeout: 72_000 }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { content } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { content: string };
      const [, count = '10', pace = '0'] = content.split(':');
      response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      response.write(frame('thread.created', '{"id":"thread_floor","object":"thread"}'));
      let sent = 0;
      const next = () => {
        if (sent++ >= Number(count)) return void response.end(frame('done', '[DONE]'));
        response.write(frame('thread.message.delta', '{"delta":{"content":[{"index":0,"type":"text"}]}}'));
        setTimeout(next, Number(pace));
      };
      next();
    });
  });
}

/** The whole app with the synthetic engine: the chat path measured as users get it. */
async function buildBenchApp(config: Config): Promise<FastifyInstance> {
  const isLogging = config.LOG_LEVEL !== 'silent';
  return buildApp(config, {
    engine: new SyntheticEngine(),
    ...(isLogging ? { logStream: logDestination('/dev/null') } : {}),
  });
}

type StreamResult = { firstEventMs: number; events: number; gaps: number[]; totalMs: number };

function stream(port: number, agent: Agent, content: string, onOpen?: () => void): Promise<StreamResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const body = JSON.stringify({ content });
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path: apiPaths.chatStream,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        onOpen?.();
        let firstEventMs = -1;
        let events = 0;
        let last = 0;
        const gaps: number[] = [];
        let carry = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const at = performance.now();
          const text = carry + chunk;
          let frames = 0;
          for (let index = text.indexOf('\n\n'); index !== -1; index = text.indexOf('\n\n', index + 2))
            frames += 1;
          carry = text.slice(text.lastIndexOf('\n\n') + 2);
          if (frames === 0) return;
          if (firstEventMs < 0) firstEventMs = at - started;
          else gaps.push(at - last);
          last = at;
          events += frames;
        });
        response.on('end', () =>
          resolve({ firstEventMs, events, gaps, totalMs: performance.now() - started }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * The lean client: one keep-alive socket, a request written as one string, the response scanned
 * as text (the head up to the blank line, then the body until chunked encoding's last chunk), no
 * header objects. Like wrk, it costs the exchange next to nothing of its own, so what it measures
 * is the server and the loopback; node:http's client adds 0.2–0.5 ms of its own parsing here.
 */
class LeanClient {
  private socket: Socket | undefined;

  constructor(private readonly port: number) {}

  /** Sends one chat message; resolves with the time to the first whole event, in ms. */
  async firstEvent(content: string): Promise<number> {
    const body = JSON.stringify({ content });
    const request = `POST ${apiPaths.chatStream} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const socket = await this.connected();
    return new Promise((resolve, reject) => {
      let text = '';
      let bodyStart = -1;
      let firstEventMs = -1;
      const onData = (chunk: Buffer) => {
        const at = performance.now();
        text += chunk.toString('latin1');
        if (bodyStart < 0) {
          const headEnd = text.indexOf('\r\n\r\n');
          if (headEnd < 0) return;
          if (!text.startsWith('HTTP/1.1 200')) return fail(new Error(text.slice(0, text.indexOf('\r\n'))));
          bodyStart = headEnd + 4;
        }
        if (firstEventMs < 0 && text.includes('\n\n', bodyStart)) firstEventMs = at - started;
        // The zero-length chunk that ends a chunked body (SSE data never holds a CR).
        if (text.endsWith('\r\n0\r\n\r\n')) {
          socket.off('data', onData).off('error', fail);
          resolve(firstEventMs);
        }
      };
      const fail = (error: Error) => {
        socket.off('data', onData).off('error', fail);
        socket.destroy();
        reject(error);
      };
      socket.on('data', onData).on('error', fail);
      const started = performance.now();
      socket.write(request);
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private async connected(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const socket = connect({ port: this.port, host: '127.0.0.1', noDelay: true });
    await once(socket, 'connect');
    this.socket = socket;
    return socket;
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (value: number) => `${value.toFixed(3)} ms`;

/**
 * Waits until the server's background writer has stored everything the previous phase recorded,
 * so one phase's persistence (phase 2's answer is 1.2 MB of text) does not land in the next.
 */
async function settle(port: number): Promise<void> {
  for (;;) {
    const response = await fetch(`http://127.0.0.1:${port}${apiPaths.health}`);
    const { queue } = healthSchema.parse(await response.json());
    if (queue.depth === 0 && queue.outbox === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const verdict = (isMet: boolean) => (isMet ? 'MET' : 'NOT MET');

/**
 * The baseline: the same engine called in-process (no HTTP, no framing, no persistence), with
 * `parallel` callers each making `repeats` calls one after another, as the HTTP clients do.
 */
async function direct(content: string, parallel: number, repeats = 1, staggerMs = 0) {
  const engine = new SyntheticEngine();
  const firsts: number[] = [];
  let events = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async (_, index) => {
      // Staggered like the HTTP clients: callers started in one instant would queue behind each
      // other's first steps, and that wait (milliseconds for 100) is not the engine's.
      if (staggerMs > 0) await new Promise((resolve) => setTimeout(resolve, index * staggerMs));
      for (let repeat = 0; repeat < repeats; repeat += 1) {
        const t0 = performance.now();
        const thread = await engine.createThread();
        await engine.appendMessage(thread.id, { content });
        let isFirst = true;
        for await (const _event of engine.streamRun(thread.id, {}, new AbortController().signal)) {
          if (isFirst) firsts.push(performance.now() - t0);
          isFirst = false;
          events += 1;
        }
      }
    }),
  );
  return { firsts, eventsPerSecond: events / ((performance.now() - started) / 1000) };
}

/** A server child (this script with `--serve`); resolves with it and its ports once it listens. */
async function startServerChild(env: Record<string, string> = {}) {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], {
    // BENCH_SERVER_NODE_ARGS (e.g. `--cpu-prof`) profiles the server side on its own.
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ') ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const [{ port, floorPort }] = (await once(child, 'message')) as [{ port: number; floorPort: number }];
  return { child, port, floorPort };
}

async function stopServerChild(child: ChildProcess): Promise<void> {
  child.send('stop');
  await once(child, 'exit');
}

/** Follows a thread's run (`GET /threads/:id/stream`): the time to its first event and each event's arrival. */
function follow(
  port: number,
  agent: Agent,
  threadId: string,
): Promise<{ firstEventMs: number; arrivals: number[] }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const outgoing = request(
      { host: '127.0.0.1', port, path: apiPaths.threadStream(threadId), agent },
      (response) => {
        const arrivals: number[] = [];
        let carry = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const at = performance.now();
          const text = carry + chunk;
          for (let index = text.indexOf('\n\n'); index !== -1; index = text.indexOf('\n\n', index + 2))
            arrivals.push(at);
          carry = text.slice(text.lastIndexOf('\n\n') + 2);
        });
        response.on('end', () => resolve({ firstEventMs: (arrivals[0] ?? NaN) - started, arrivals }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Phase 4: a run on A followed at once on A and through Redis on B. */
async function acrossInstances(agent: Agent): Promise<void> {
  const runs = rounds * 10;
  console.log(
    `\n4. Through a second instance (REDIS_URL, real redis-server): ${runs} runs of 20 events ${paceMs} ms apart on A, each followed at once on A and on B`,
  );
  if (redisServerPath === undefined) {
    console.log('   SKIPPED: redis-server is not installed (apt-get install -y redis-server)');
    return;
  }
  const redis = await startRedisServer();
  const servers = [
    await startServerChild({ BENCH_REDIS_URL: redis.url }),
    await startServerChild({ BENCH_REDIS_URL: redis.url }),
  ];
  try {
    const [a, b] = servers.map((server) => server.port) as [number, number];
    const firsts = { a: [] as number[], b: [] as number[] };
    const lags: number[] = [];
    for (let run = 0; run < runs + 3; run += 1) {
      const threadId = await new Promise<string>((resolve, reject) => {
        const body = JSON.stringify({ content: `paced:20:${paceMs}` });
        const outgoing = request(
          {
            host: '127.0.0.1',
            port: a,
            path: apiPaths.chatStream,
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (response) => {
            resolve(String(response.headers[threadIdHeader]));
            response.resume();
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      });
      const [onA, onB] = await Promise.all([follow(a, agent, threadId), follow(b, agent, threadId)]);
      if (onA.arrivals.length !== onB.arrivals.length || onA.arrivals.length < 20)
        throw new Error(`B saw ${onB.arrivals.length} events, A ${onA.arrivals.length}`);
      // The first runs warm both servers up (JIT, connections).
      if (run < 3) continue;
      firsts.a.push(onA.firstEventMs);
      firsts.b.push(onB.firstEventMs);
      onB.arrivals.forEach((at, index) => lags.push(at - (onA.arrivals[index] ?? at)));
    }
    const [aP50, bP50] = [percentile(firsts.a, 50), percentile(firsts.b, 50)];
    console.log(
      `   follow on A (the run's own instance): first event p50 ${ms(aP50)}  p99 ${ms(percentile(firsts.a, 99))}`,
    );
    console.log(
      `   follow on B (through Redis):          first event p50 ${ms(bP50)}  p99 ${ms(percentile(firsts.b, 99))} = ${(bP50 / aP50).toFixed(2)}× A's p50`,
    );
    console.log(
      `   each event reaches B later than A by: p50 ${ms(percentile(lags, 50))}  p99 ${ms(percentile(lags, 99))}  max ${ms(Math.max(...lags))}`,
    );
  } finally {
    for (const server of servers) await stopServerChild(server.child);
    await redis.stop();
  }
}

/** The targets hold on an idle machine: each run says how idle it was. */
const loadAverage = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  console.log(`load average at start: ${loadAverage()}`);
  const { child, port, floorPort } = await startServerChild();
  const agent = new Agent({ keepAlive: true, maxSockets: manyStreams + 10 });
  const memory = async () => {
    child.send('memory');
    const [sample] = (await once(child, 'message')) as [{ rss: number; live: number }];
    return sample;
  };
  try {
    type Client = 'lean' | 'node:http';
    const leanClients = new Map<number, LeanClient[]>(
      [port, floorPort].map((target) => [
        target,
        Array.from({ length: concurrency }, () => new LeanClient(target)),
      ]),
    );
    // Warm-up to the steady state of a server that has been running a while: JIT, SQLite
    // statements, every client's socket. The request path keeps getting faster for the first few
    // thousand requests (V8 optimises it in stages): Threadline's own share of the added p50 read
    // 0.69 ms after 300 requests, 0.47–0.57 after 3,000 and no lower after 15,000.
    for (let index = 0; index < (phases.has('1') ? warmupRounds : 3); index += 1)
      for (const target of [port, floorPort]) {
        if (index < 3)
          await Promise.all(Array.from({ length: concurrency }, () => stream(target, agent, 'burst:10')));
        await Promise.all((leanClients.get(target) ?? []).map((client) => client.firstEvent('burst:10')));
      }

    if (phases.has('1')) {
      // 100 clients, each opening one ~1 s stream after another, so 100 streams are always in
      // flight and new ones keep arriving, as in a busy chat service.
      const ttfeContent = `paced:20:${paceMs}`;
      console.log(
        `\n1. Time to first event with ${concurrency} concurrent streams (${concurrency} clients × ${rounds} streams of 20 events ${paceMs} ms apart)`,
      );
      // Clients start this far apart, so that 100 streams of ~1 s are always in flight.
      const staggerMs = (paceMs * 20) / concurrency;
      await direct('burst:10', concurrency, warmupRounds);
      const baseline = await direct(ttfeContent, concurrency, rounds, staggerMs);
      await settle(port);
      const firstEvents = async (target: number, client: Client, count: number, firsts: number[]) => {
        await Promise.all(
          Array.from({ length: concurrency }, async (_, index) => {
            // Staggered starts: real clients do not arrive in one instant.
            await new Promise((resolve) => setTimeout(resolve, index * staggerMs));
            const lean = leanClients.get(target)?.[index];
            for (let round = 0; round < count; round += 1)
              firsts.push(
                client === 'lean' && lean
                  ? await lean.firstEvent(ttfeContent)
                  : (await stream(target, agent, ttfeContent)).firstEventMs,
              );
          }),
        );
      };
      // Threadline and the bare server take turns in blocks of a few seconds, so both see the
      // machine in the same state (its speed drifts by half from one minute to the next here).
      const samples = new Map<string, number[]>();
      const sample = (target: number, client: Client) => {
        const key = `${target}:${client}`;
        return samples.get(key) ?? samples.set(key, []).get(key) ?? [];
      };
      for (let done = 0; done < rounds; done += blockRounds) {
        const count = Math.min(blockRounds, rounds - done);
        for (const client of ['lean', 'node:http'] as const)
          for (const target of [port, floorPort])
            await firstEvents(target, client, count, sample(target, client));
      }
      const [baseP50, baseP99] = [percentile(baseline.firsts, 50), percentile(baseline.firsts, 99)];
      console.log(`   direct in-process call: p50 ${ms(baseP50)}  p99 ${ms(baseP99)}`);
      for (const client of ['lean', 'node:http'] as const) {
        const relayed = sample(port, client);
        const [relayP50, relayP99] = [percentile(relayed, 50), percentile(relayed, 99)];
        const floorP50 = percentile(sample(floorPort, client), 50);
        const isVerdict = client === 'lean';
        console.log(
          `   via /chat/stream, ${client === 'lean' ? 'lean HTTP client (the measure)' : 'node:http client'}: p50 ${ms(relayP50)}  p99 ${ms(relayP99)}`,
        );
        console.log(
          `     added: p50 ${ms(relayP50 - baseP50)}${isVerdict ? ` (target ≤ 1 ms: ${verdict(relayP50 - baseP50 <= 1)})` : ''}  p99 ${ms(relayP99 - baseP99)}${isVerdict ? ` (target ≤ 5 ms: ${verdict(relayP99 - baseP99 <= 5)})` : ''}`,
        );
        console.log(
          `     a bare node:http server, same client and pace: p50 ${ms(floorP50)} → Threadline's own share of the added p50: ${ms(relayP50 - floorP50)}`,
        );
      }
    }
    for (const clients of leanClients.values()) for (const client of clients) client.close();
    if (phases.has('2')) {
      console.log(`\n2. Relay rate, one stream of ${burstEvents.toLocaleString('en')} events`);
      const directRate = (await direct(`burst:${burstEvents}`, 1)).eventsPerSecond;
      await settle(port);
      const burst = await stream(port, agent, `burst:${burstEvents}`);
      const relayRate = burst.events / (burst.totalMs / 1000);
      console.log(`   direct in-process iteration: ${Math.round(directRate).toLocaleString('en')} events/s`);
      console.log(
        `   via /chat/stream (SSE):      ${Math.round(relayRate).toLocaleString('en')} events/s = ${(relayRate / directRate).toFixed(3)} of the baseline (target ≥ 100,000/s: ${verdict(relayRate >= 100_000)})`,
      );
    }
    if (phases.has('3')) {
      console.log(
        `\n3. ${manyStreams.toLocaleString('en')} concurrent streams, ${pacedEvents} events ${paceMs} ms apart`,
      );
      // Two runs: the gaps are measured undisturbed; the memory sample forces a full GC in the
      // server (a stall of 100+ ms with 1,000 streams open) so it gets a run of its own.
      const openMany = () => {
        let open = 0;
        let resolveAllOpen = () => {};
        const allOpen = new Promise<void>((resolve) => (resolveAllOpen = resolve));
        const pending = Array.from({ length: manyStreams }, () =>
          stream(port, agent, `paced:${pacedEvents}:${paceMs}`, () => {
            open += 1;
            if (open === manyStreams) resolveAllOpen();
          }),
        );
        return { allOpen, results: Promise.all(pending) };
      };
      await settle(port);
      const results = await openMany().results;
      const gaps = results.flatMap((result) => result.gaps);
      const complete = results.filter((result) => result.events >= pacedEvents + 4).length;
      console.log(`   streams complete: ${complete}/${manyStreams}`);
      console.log(
        `   gap between events: p50 ${ms(percentile(gaps, 50))}  p99 ${ms(percentile(gaps, 99))}  max ${ms(Math.max(...gaps))}  (engine pace ${paceMs} ms = the baseline; p99 ${(percentile(gaps, 99) / paceMs).toFixed(2)}× it; target p99 ≤ 100 ms: ${verdict(percentile(gaps, 99) <= 100)})`,
      );

      await settle(port);
      const idle = await memory();
      const second = openMany();
      await second.allOpen;
      const busy = await memory();
      await second.results;
      const perStreamKb = (busy.live - idle.live) / manyStreams / 1024;
      const perStreamRssKb = (busy.rss - idle.rss) / manyStreams / 1024;
      console.log(
        `   server live memory (heap + buffers after GC): ${(idle.live / 1048576).toFixed(1)} MB idle → ${(busy.live / 1048576).toFixed(1)} MB with ${manyStreams} open = ${perStreamKb.toFixed(1)} KB per stream (target ≤ 32 KB: ${verdict(perStreamKb <= 32)}); RSS ${(idle.rss / 1048576).toFixed(1)} → ${(busy.rss / 1048576).toFixed(1)} MB = ${perStreamRssKb.toFixed(1)} KB per stream`,
      );
    }
  } finally {
    await stopServerChild(child);
  }
  try {
    if (phases.has('4')) await acrossInstances(agent);
    console.log(`\nload average at the end: ${loadAverage()}`);
  } finally {
    agent.destroy();
  }
}

// Last, so every constant above is initialised before either role runs.
if (process.argv.includes('--serve')) await serve();
else await main();
