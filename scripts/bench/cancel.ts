import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SseDecoder, threadSchema, runSchema, type AssistantStreamEvent } from '@threadline/shared';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { LocalEngine } from '../../server/src/engines/local/local-engine.js';

/**
 * Cancel latency over /v1: for each run, once the first answer token has streamed, POST
 * /cancel and time until `thread.run.cancelled` arrives on the run's own stream. The baseline,
 * measured on the same runs, is the time from POST /runs to the run's first event.
 * The model is a stand-in chat-completions server (a child process) that keeps typing, so
 * every run is genuinely mid-answer when it is cancelled. Usage: npm run bench:cancel [-- runs]
 */
const runs = Number(process.argv[2] ?? 200);
const targetP99Ms = 50;
/** About 50 tokens per second, a typical local model's pace. */
const tokenIntervalMs = 20;

/** Runs in its own process so the model's timers don't share the measured server's event loop. */
const typingModelSource = `
const { createServer } = require('node:http');
const server = createServer((request, response) => {
  request.resume();
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  let index = 0;
  const timer = setInterval(() => {
    const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'typist',
      choices: [{ index: 0, delta: { content: 'token' + index + ' ' }, finish_reason: null }] };
    response.write('data: ' + JSON.stringify(chunk) + '\\n\\n');
    index += 1;
    if (index === 1000) { clearInterval(timer); response.end('data: [DONE]\\n\\n'); }
  }, ${tokenIntervalMs});
  response.on('close', () => clearInterval(timer));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function startTypingModel(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', typingModelSource], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) =>
    child.stdout.once('data', (line: Buffer) => resolve(Number(line.toString().trim()))),
  );
  return { port, stop: () => child.kill() };
}

const percentile = (values: number[], fraction: number) => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
};

async function main() {
  const model = await startTypingModel();
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-cancel-'));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    LLM_BASE_URL: `http://127.0.0.1:${model.port}/v1`,
    LLM_MODEL: 'typist',
    RATE_LIMIT_MAX: '1000000',
  });
  const app = await buildApp(config, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`;
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const cancelMs: number[] = [];
  const firstEventMs: number[] = [];
  const cancelRoundTripMs: number[] = [];
  let notCancelled = 0;
  for (let index = 0; index < runs; index += 1) {
    const thread = threadSchema.parse(
      await (await post('/threads', { messages: [{ role: 'user', content: `Question ${index}?` }] })).json(),
    );
    const startedAt = performance.now();
    const response = await post(`/threads/${thread.id}/runs`, {
      assistant_id: 'asst_threadline',
      model: 'typist',
      stream: true,
      // A function tool makes the run consult the model even with no knowledge base attached.
      tools: [{ type: 'function', function: { name: 'noop' } }],
    });
    if (!response.body) throw new Error('no stream');
    const decoder = new SseDecoder();
    const textDecoder = new TextDecoder();
    let cancelSentAt: number | null = null;
    let cancelReply: Promise<unknown> = Promise.resolve();
    let runId = '';
    let outcome: AssistantStreamEvent['event'] | null = null;
    const reader = response.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const bytes: unknown = read.value;
      if (!(bytes instanceof Uint8Array)) continue;
      for (const event of decoder.push(textDecoder.decode(bytes, { stream: true }))) {
        if (event.event === 'thread.run.created') {
          firstEventMs.push(performance.now() - startedAt);
          runId = runSchema.parse(event.data).id;
        }
        if (event.event === 'thread.message.delta' && cancelSentAt === null) {
          cancelSentAt = performance.now();
          const sentAt = cancelSentAt;
          cancelReply = post(`/threads/${thread.id}/runs/${runId}/cancel`, {})
            .then((reply) => reply.arrayBuffer())
            .then(() => cancelRoundTripMs.push(performance.now() - sentAt));
        }
        if (event.event === 'thread.run.cancelled' && cancelSentAt !== null)
          cancelMs.push(performance.now() - cancelSentAt);
        if (event.event === 'thread.run.cancelled' || event.event === 'thread.run.completed')
          outcome = event.event;
      }
    }
    await cancelReply;
    if (outcome !== 'thread.run.cancelled') notCancelled += 1;
  }

  // The engine's own share, without HTTP: cancel() → the cancelled event reaching a reader.
  const engineMs: number[] = [];
  const engine = app.engine;
  if (engine instanceof LocalEngine) {
    for (let index = 0; index < runs; index += 1) {
      const thread = await engine.createThread({ messages: [{ content: `Question ${index}?` }] });
      const tools = [{ type: 'function' as const, function: { name: 'noop' } }];
      const { events, run } = await engine.startRun(thread.id, { model: 'typist', tools }, true);
      let cancelledAt: number | null = null;
      for await (const event of events ?? []) {
        if (event.event === 'thread.message.delta' && cancelledAt === null) {
          cancelledAt = performance.now();
          void engine.cancelRun(thread.id, run.id);
        }
        if (event.event === 'thread.run.cancelled' && cancelledAt !== null)
          engineMs.push(performance.now() - cancelledAt);
      }
    }
  }
  await app.close();
  model.stop();
  rmSync(dataDir, { recursive: true, force: true });

  const row = (name: string, values: number[]) =>
    `${name.padEnd(34)} p50 ${percentile(values, 0.5).toFixed(2).padStart(7)} ms   p99 ${percentile(values, 0.99).toFixed(2).padStart(7)} ms`;
  console.log(
    `cancel benchmark: ${runs} runs over /v1 (SSE), ${cancelMs.length} cancelled mid-answer, ${notCancelled} not cancelled`,
  );
  console.log(row('cancel → thread.run.cancelled', cancelMs));
  console.log(row('baseline: POST /runs → first event', firstEventMs));
  console.log(row('reference: POST /cancel round trip', cancelRoundTripMs));
  console.log(row('engine only: cancelRun → cancelled', engineMs));
  console.log(
    `ratio cancel/baseline            p50 ${(percentile(cancelMs, 0.5) / percentile(firstEventMs, 0.5)).toFixed(2)}x   p99 ${(percentile(cancelMs, 0.99) / percentile(firstEventMs, 0.99)).toFixed(2)}x`,
  );
  const p99 = percentile(cancelMs, 0.99);
  console.log(
    `target p99 ≤ ${targetP99Ms} ms: ${p99 <= targetP99Ms && notCancelled === 0 ? 'met' : 'NOT met'}`,
  );
  if (p99 > targetP99Ms || notCancelled > 0) process.exitCode = 1;
}

await main();
