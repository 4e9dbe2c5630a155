import type { AssistantStreamEvent } from '@threadline/shared';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chatCompletionStream } from '../../helpers/chat-completion-sse.js';
import { createEngineFixture, type EngineFixture } from '../../helpers/local-engine-fixture.js';

const llmUrl = 'http://llm.test/v1';
const requestSchema = z.looseObject({
  model: z.string(),
  messages: z.array(z.looseObject({ role: z.string() })),
});

const collect = async (events: AsyncIterable<AssistantStreamEvent>) => {
  const collected: AssistantStreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
};

describe('LocalEngine with an LLM endpoint', () => {
  const requests: Array<z.infer<typeof requestSchema>> = [];
  const replies: Array<() => Response> = [];
  const server = setupServer(
    // The window, asked as of llama-server (tools/server GET /props).
    http.get('http://llm.test/props', () =>
      HttpResponse.json({ default_generation_settings: { n_ctx: 8192 }, total_slots: 1 }),
    ),
    http.post(`${llmUrl}/chat/completions`, async ({ request }) => {
      requests.push(requestSchema.parse(await request.json()));
      const reply = replies.shift();
      if (!reply) throw new Error('unexpected model call');
      return reply();
    }),
  );
  let fixture: EngineFixture;
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(async () => {
    fixture = await createEngineFixture({ LLM_BASE_URL: llmUrl, LLM_MODEL: 'local-model' });
  });
  afterEach(async () => {
    requests.length = 0;
    replies.length = 0;
    await fixture.close();
    fixture.cleanup();
  });
  afterAll(() => server.close());

  const ask = async (question: string) => {
    const thread = await fixture.engine.createThread({ vectorStoreIds: [fixture.vectorStoreId] });
    await fixture.engine.appendMessage(thread.id, { content: question });
    return thread;
  };

  it('streams the model’s tokens and turns [n] into file_citation markers with exact indices', async () => {
    replies.push(() =>
      chatCompletionStream([
        { content: 'Meals are capped at 60 euros' },
        { content: ' per day [' },
        { content: '1].' },
      ]),
    );
    const thread = await ask('How much are meals reimbursed per day?');
    const events = await collect(fixture.engine.streamRun(thread.id, {}, new AbortController().signal));
    expect(requests[0]?.model).toBe('local-model');
    const deltas = events.filter((event) => event.event === 'thread.message.delta');
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    const withAnnotation = deltas.find((event) => event.data.delta.content[0]?.text?.annotations);
    expect(withAnnotation?.data.delta.content[0]?.text?.value).toMatch(/^【\d+:0†travel\.md】$/);
    const completed = events.find((event) => event.event === 'thread.message.completed');
    const text =
      completed?.event === 'thread.message.completed' && completed.data.content[0]?.type === 'text'
        ? completed.data.content[0].text
        : null;
    expect(text?.value).toMatch(/^Meals are capped at 60 euros per day 【\d+:0†travel\.md】\.$/);
    const [annotation] = text?.annotations ?? [];
    expect(annotation && text?.value.slice(annotation.start_index, annotation.end_index)).toBe(
      annotation?.text,
    );
    expect(annotation?.type === 'file_citation' && annotation.file_citation.quote).toContain('60 euros');
    const run = events.at(-1);
    expect(run?.event === 'thread.run.completed' && run.data.usage).toEqual({
      prompt_tokens: 321,
      completion_tokens: 12,
      total_tokens: 333,
    });
  });

  it('pauses in requires_action on a function call and continues after tool outputs', async () => {
    replies.push(() =>
      chatCompletionStream(
        [
          {
            tool_calls: [
              {
                index: 0,
                id: 'call_w1',
                type: 'function',
                function: { name: 'lookup_policy', arguments: '{"topic":"meals"}' },
              },
            ],
          },
        ],
        'tool_calls',
      ),
    );
    const thread = await ask('Look up the meals policy');
    const tools = [
      { type: 'function' as const, function: { name: 'lookup_policy', parameters: { type: 'object' } } },
    ];
    const first = await collect(fixture.engine.streamRun(thread.id, { tools }, new AbortController().signal));
    const paused = first.at(-1);
    expect(paused?.event).toBe('thread.run.requires_action');
    if (paused?.event !== 'thread.run.requires_action') throw new Error('not paused');
    expect(paused.data.required_action?.submit_tool_outputs.tool_calls).toEqual([
      {
        id: 'call_w1',
        type: 'function',
        function: { name: 'lookup_policy', arguments: '{"topic":"meals"}' },
      },
    ]);
    await expect(fixture.engine.appendMessage(thread.id, { content: 'x' })).rejects.toMatchObject({
      code: 'thread_busy',
    });

    replies.push(() => chatCompletionStream([{ content: 'The policy says 60 euros [1].' }]));
    const second = await collect(
      fixture.engine.submitToolOutputs(
        thread.id,
        paused.data.id,
        [{ tool_call_id: 'call_w1', output: '60 euros' }],
        new AbortController().signal,
      ),
    );
    expect(second.map((event) => event.event).slice(0, 3)).toEqual([
      'thread.run.step.completed',
      'thread.run.queued',
      'thread.run.in_progress',
    ]);
    expect(second.at(-1)?.event).toBe('thread.run.completed');
    expect(requests[1]?.messages.slice(-2)).toMatchObject([
      { role: 'assistant', tool_calls: [{ id: 'call_w1' }] },
      { role: 'tool', tool_call_id: 'call_w1', content: '60 euros' },
    ]);
    const steps = (await fixture.engine.listSteps(thread.id, paused.data.id, { limit: 10, order: 'asc' }))
      .data;
    expect(steps.map((step) => `${step.type}:${step.status}`)).toEqual([
      'tool_calls:completed',
      'tool_calls:completed',
      'message_creation:completed',
    ]);
  });

  it('expires an idle requires_action run past expires_at and frees the thread', async () => {
    replies.push(() =>
      chatCompletionStream(
        [
          {
            tool_calls: [
              { index: 0, id: 'call_x', type: 'function', function: { name: 'f', arguments: '{}' } },
            ],
          },
        ],
        'tool_calls',
      ),
    );
    const thread = await ask('Call the tool');
    const tools = [{ type: 'function' as const, function: { name: 'f' } }];
    const events = await collect(
      fixture.engine.streamRun(thread.id, { tools }, new AbortController().signal),
    );
    const run = events.at(-1);
    if (run?.event !== 'thread.run.requires_action') throw new Error('not paused');
    await fixture.engine.store.runs.update({ ...run.data, expires_at: Math.floor(Date.now() / 1000) - 1 });
    expect((await fixture.engine.getRun(thread.id, run.data.id)).status).toBe('expired');
    await expect(fixture.engine.appendMessage(thread.id, { content: 'next' })).resolves.toBeTruthy();
    await expect(
      fixture.engine.startToolOutputs(
        thread.id,
        run.data.id,
        [{ tool_call_id: 'call_x', output: '' }],
        false,
      ),
    ).rejects.toThrow('Runs in status "expired" do not accept tool outputs.');
  });

  it('checkpoints the partial answer while streaming, so a crash cannot lose all of it', async () => {
    const encoder = new TextEncoder();
    replies.push(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              for (let index = 0; index < 20; index += 1) {
                const chunk = {
                  id: 'c',
                  object: 'chat.completion.chunk',
                  created: 1,
                  model: 'm',
                  choices: [{ index: 0, delta: { content: `w${index} ` }, finish_reason: null }],
                };
                controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
              }
              // …and then the model stalls: the stream stays open until the run is cancelled.
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    );
    const thread = await ask('How much are meals reimbursed per day?');
    const controller = new AbortController();
    let stored = '';
    let deltas = 0;
    for await (const event of fixture.engine.streamRun(thread.id, {}, controller.signal)) {
      if (event.event !== 'thread.message.delta') continue;
      deltas += 1;
      if (deltas === 20) {
        const message = await fixture.engine.store.messages.get(event.data.id);
        stored = message?.content[0]?.type === 'text' ? message.content[0].text.value : '';
        controller.abort();
      }
    }
    expect(stored).toMatch(/^w0 w1 .*w15 $/);
    const [answer] = await fixture.engine.listMessages(thread.id, { limit: 1 });
    expect(answer?.status).toBe('incomplete');
  });
});
