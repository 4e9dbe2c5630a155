import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AssistantStreamEvent, Message } from '@threadline/shared';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { noRelevantInformationText } from '../../../src/engines/local/answer/no-answer.js';
import { chatCompletionStream } from '../../helpers/chat-completion-sse.js';
import { createEngineFixture, type EngineFixture } from '../../helpers/local-engine-fixture.js';
import { createModelServerDouble, type RecordedRequest } from '../../helpers/model-server-double.js';
import type { RunParameters } from '../../../src/engines/local/runs/run-objects.js';

/**
 * Written answers from the model servers people run, against doubles that behave as llama-server
 * and Ollama do with a 2,048-token window (see model-server-double.ts for what each copies and
 * from where). A real llama-server runs in llama-server.test.ts.
 */

const collect = async (events: AsyncIterable<AssistantStreamEvent>) => {
  const collected: AssistantStreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
};

/** 30 sections of ~700 tokens, each about calibration: a question about it retrieves 20 whole chunks. */
const manual = Array.from({ length: 30 }, (_, section) => {
  const sentences = Array.from(
    { length: 28 },
    (_, index) =>
      `Calibration step ${section}.${index} adjusts the ${['valve', 'sensor', 'gauge', 'motor'][index % 4]} of unit ${section * 7 + index} before the weekly calibration report is filed with the plant office.`,
  );
  return `## Calibration section ${section}\n\n${sentences.join(' ')}`;
}).join('\n\n');

const answerText = (events: AssistantStreamEvent[]) => {
  const completed = events.find((event) => event.event === 'thread.message.completed');
  const content = completed?.event === 'thread.message.completed' ? completed.data.content[0] : undefined;
  return content?.type === 'text' ? content.text : { value: '', annotations: [] };
};

async function addManual(fixture: EngineFixture): Promise<string> {
  const store = await fixture.engine.vectorStores.create({ name: 'Plant manual' });
  await fixture.engine.vectorStores.addFile(store.id, { fileName: 'manual.md', bytes: Buffer.from(manual) });
  await fixture.engine.knowledge.waitForIngestion(store.id);
  return store.id;
}

const host = (kind: string) => `${kind.replace('.', '')}.test`;

describe.each(['llama.cpp', 'ollama'] as const)('a 2,048-token window on %s', (kind) => {
  const double = createModelServerDouble({
    kind,
    host: host(kind),
    windowTokens: 2048,
    models: ['llama3.2'],
  });
  const server = setupServer(...double.handlers);
  let fixture: EngineFixture;
  let vectorStoreId = '';
  const model = kind === 'ollama' ? 'llama3.2' : 'gemma-3-270m';

  beforeAll(async () => {
    server.listen({ onUnhandledRequest: 'error' });
    fixture = await createEngineFixture({ LLM_BASE_URL: double.baseURL, LLM_MODEL: model });
    vectorStoreId = await addManual(fixture);
  });
  afterEach(() => {
    double.requests.length = 0;
  });
  afterAll(async () => {
    server.close();
    await fixture.close();
    fixture.cleanup();
  });

  const withinWindow = (request: RecordedRequest | undefined) => {
    expect(request?.outcome).toBe('answered');
    expect((request?.promptTokens ?? Infinity) + (request?.maxTokens ?? Infinity)).toBeLessThanOrEqual(2048);
  };

  it('never overflows nor is truncated with 20 retrieved chunks and a 30-turn history; a follow-up fits', async () => {
    const thread = await fixture.engine.createThread({ vectorStoreIds: [vectorStoreId] });
    for (let turn = 0; turn < 30; turn += 1) {
      await fixture.engine.appendMessage(thread.id, {
        content: `Earlier question ${turn}: what does calibration step ${turn}.1 adjust, and when is the report filed?`,
      });
      await fixture.engine.appendMessage(thread.id, {
        role: 'assistant',
        content:
          `Step ${turn}.1 adjusts the sensor of unit ${turn * 7 + 1}, before the weekly calibration report is filed. `.repeat(
            3,
          ),
      });
    }
    await fixture.engine.appendMessage(thread.id, {
      content: 'Which calibration steps need a torque wrench?',
    });
    double.reply({ content: ['The manual does not name a torque wrench', ' for any calibration step [1].'] });
    const first = await collect(fixture.engine.streamRun(thread.id, {}, new AbortController().signal));
    expect(first.at(-1)?.event).toBe('thread.run.completed');
    const search = first.find(
      (event) =>
        event.event === 'thread.run.step.completed' &&
        event.data.step_details.type === 'tool_calls' &&
        event.data.step_details.tool_calls[0]?.type === 'file_search',
    );
    const results =
      search?.event === 'thread.run.step.completed' && search.data.step_details.type === 'tool_calls'
        ? search.data.step_details.tool_calls[0]
        : undefined;
    expect(results?.type === 'file_search' && results.file_search.results?.length).toBe(20);
    withinWindow(double.requests[0]);
    const sent = double.requests[0]?.messages ?? [];
    expect(sent[0]?.role).toBe('system');
    expect(String(sent[0]?.content)).toContain('Cite every statement');
    expect(String(sent[0]?.content)).toContain('[1] (file: manual.md)');
    expect(sent.at(-1)).toEqual({ role: 'user', content: 'Which calibration steps need a torque wrench?' });
    expect(first.at(-1)?.event === 'thread.run.completed' && first.at(-1)?.data).toMatchObject({
      usage: { prompt_tokens: double.requests[0]?.promptTokens },
    });

    await fixture.engine.appendMessage(thread.id, { content: 'And which of them are done weekly?' });
    double.reply({ content: ['All of them are filed weekly [2].'] });
    const second = await collect(fixture.engine.streamRun(thread.id, {}, new AbortController().signal));
    expect(second.at(-1)?.event).toBe('thread.run.completed');
    withinWindow(double.requests[1]);
    const followUp = double.requests[1]?.messages ?? [];
    // The turn it follows is in the prompt: the previous question and its answer.
    expect(followUp.slice(-3).map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(followUp.at(-3)?.content).toBe('Which calibration steps need a torque wrench?');
  });

  it('honours max_prompt_tokens: the prompt stays under it, and a run that cannot fit one passage ends incomplete', async () => {
    const thread = await fixture.engine.createThread({ vectorStoreIds: [vectorStoreId] });
    await fixture.engine.appendMessage(thread.id, {
      content: 'Which calibration steps need a torque wrench?',
    });
    double.reply({ content: ['None is named [1].'] });
    const capped = await collect(
      fixture.engine.streamRun(
        thread.id,
        { parameters: { max_prompt_tokens: 700 } },
        new AbortController().signal,
      ),
    );
    expect(capped.at(-1)?.event).toBe('thread.run.completed');
    expect(double.requests[0]?.promptTokens).toBeLessThanOrEqual(700);
    expect(double.requests[0]?.outcome).toBe('answered');

    await fixture.engine.appendMessage(thread.id, { content: 'And the weekly ones?' });
    const starved = await collect(
      fixture.engine.streamRun(
        thread.id,
        { parameters: { max_prompt_tokens: 120 } },
        new AbortController().signal,
      ),
    );
    const end = starved.at(-1);
    expect(end?.event).toBe('thread.run.incomplete');
    expect(end?.event === 'thread.run.incomplete' && end.data.incomplete_details).toEqual({
      reason: 'max_prompt_tokens',
    });
    expect(double.requests).toHaveLength(1);
  });
});

describe('a prompt the server counts higher than the estimate', () => {
  // A tokenizer that splits this text 1.7× finer than o200k: past the margin of a first request.
  const double = createModelServerDouble({
    kind: 'llama.cpp',
    host: 'finer.test',
    windowTokens: 2048,
    tokenizerRatio: 1.7,
  });
  const server = setupServer(...double.handlers);
  let fixture: EngineFixture;
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(async () => {
    double.requests.length = 0;
    await fixture.close();
    fixture.cleanup();
  });
  afterAll(() => server.close());

  it('is refitted after llama-server’s exceed_context_size_error, with its count learned', async () => {
    fixture = await createEngineFixture({ LLM_BASE_URL: double.baseURL, LLM_MODEL: 'gemma' });
    const thread = await fixture.engine.createThread({ vectorStoreIds: [await addManual(fixture)] });
    await fixture.engine.appendMessage(thread.id, {
      content: 'Which calibration steps need a torque wrench?',
    });
    double.reply({ content: ['None [1].'] });
    const events = await collect(fixture.engine.streamRun(thread.id, {}, new AbortController().signal));
    expect(events.at(-1)?.event).toBe('thread.run.completed');
    expect(double.requests.map((request) => request.outcome)).toEqual(['rejected', 'answered']);
    const [rejected, answered] = double.requests;
    expect(answered?.promptTokens).toBeLessThan(rejected?.promptTokens ?? 0);

    // The next question is fitted with the learned ratio from the start.
    await fixture.engine.appendMessage(thread.id, { content: 'And which are weekly?' });
    double.reply({ content: ['All [1].'] });
    await collect(fixture.engine.streamRun(thread.id, {}, new AbortController().signal));
    expect(double.requests.map((request) => request.outcome)).toEqual(['rejected', 'answered', 'answered']);
  });

  it('names LLM_CONTEXT_TOKENS when the window cannot hold one passage', async () => {
    fixture = await createEngineFixture({
      LLM_BASE_URL: double.baseURL,
      LLM_MODEL: 'gemma',
      LLM_CONTEXT_TOKENS: '256',
    });
    const thread = await fixture.engine.createThread({ vectorStoreIds: [fixture.vectorStoreId] });
    await fixture.engine.appendMessage(thread.id, { content: 'How much are meals reimbursed per day?' });
    const events = await collect(fixture.engine.streamRun(thread.id, {}, new AbortController().signal));
    const end = events.at(-1);
    expect(end?.event).toBe('thread.run.failed');
    const message = end?.event === 'thread.run.failed' ? (end.data.last_error?.message ?? '') : '';
    expect(message).toMatch(/^The model's window \(256 tokens, from LLM_CONTEXT_TOKENS\) is too small/);
    expect(message).toContain('set LLM_CONTEXT_TOKENS to match');
    expect(double.requests).toHaveLength(0);
  });
});

describe('what the model writes, as llama-server and Ollama stream it', () => {
  const llama = createModelServerDouble({ kind: 'llama.cpp', host: 'llamacpp.test', windowTokens: 4096 });
  const ollama = createModelServerDouble({
    kind: 'ollama',
    host: 'ollama.test',
    windowTokens: 4096,
    models: ['qwen3'],
  });
  const server = setupServer(...llama.handlers, ...ollama.handlers);
  let fixture: EngineFixture;
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(async () => {
    await fixture.close();
    fixture.cleanup();
  });
  afterAll(() => server.close());

  const ask = async (
    baseURL: string,
    model: string,
    question: string,
    options: { parameters?: RunParameters; earlier?: string[] } = {},
  ) => {
    fixture = await createEngineFixture({ LLM_BASE_URL: baseURL, LLM_MODEL: model });
    const thread = await fixture.engine.createThread({ vectorStoreIds: [fixture.vectorStoreId] });
    for (const [index, content] of (options.earlier ?? []).entries())
      await fixture.engine.appendMessage(thread.id, {
        content,
        role: index % 2 === 0 ? 'user' : 'assistant',
      });
    await fixture.engine.appendMessage(thread.id, { content: question });
    const events = await collect(
      fixture.engine.streamRun(
        thread.id,
        options.parameters ? { parameters: options.parameters } : {},
        new AbortController().signal,
      ),
    );
    const stored = await fixture.engine.listMessages(thread.id, { limit: 1 });
    return { events, stored: stored[0] };
  };
  const storedText = (message: Message | undefined) =>
    message?.content[0]?.type === 'text' ? message.content[0].text : { value: '', annotations: [] };

  it('keeps <think> blocks and reasoning_content out of the answer, the transcript and the citations', async () => {
    llama.reply({
      reasoning: ['The user asks about meals. Source [2] is about hotels; ', 'source [1] says 60 euros.'],
      content: ['<think>Let me check [2] again.</th', 'ink>\n\nMeals are capped at 60 euros per day [1].'],
    });
    const { events, stored } = await ask(llama.baseURL, 'qwen3', 'How much are meals reimbursed per day?');
    const text = answerText(events);
    expect(text.value).toMatch(/^Meals are capped at 60 euros per day 【\d+:\d+†travel\.md】\.$/);
    expect(text.annotations).toHaveLength(1);
    const streamed = events
      .flatMap((event) =>
        event.event === 'thread.message.delta' ? [event.data.delta.content[0]?.text?.value ?? ''] : [],
      )
      .join('');
    expect(streamed).not.toMatch(/think|check|user asks/i);
    expect(storedText(stored).value).toBe(text.value);
  });

  it('keeps Ollama’s `reasoning` field out of the answer', async () => {
    ollama.reply({ reasoning: ['Hmm, hotels [2]?'], content: ['Meals: 60 euros a day [1].'] });
    const { events } = await ask(ollama.baseURL, 'qwen3', 'How much are meals reimbursed per day?');
    expect(answerText(events).value).toMatch(/^Meals: 60 euros a day 【\d+:\d+†travel\.md】\.$/);
    expect(answerText(events).annotations).toHaveLength(1);
  });

  it.each<[string, string, number]>([
    ['[1][2]', 'Meals are 60 euros and laptops are encrypted [1][2].', 2],
    ['[1, 2]', 'Meals are 60 euros and laptops are encrypted [1, 2].', 2],
    ['[1-2]', 'Meals are 60 euros and laptops are encrypted [1-2].', 2],
    ['【1】', 'Meals are 60 euros per day when travelling 【1】.', 1],
    ['[^1]', 'Meals are 60 euros per day when travelling[^1].\n\n[^1]: travel.md', 1],
    ['(Source 1)', 'Meals are 60 euros per day when travelling (Source 1).', 1],
    ['a number naming no source', 'Meals are 60 euros per day when travelling [1][7].', 1],
  ])('maps %s to file_citation annotations and shows no raw marker', async (_style, reply, count) => {
    llama.reply({ content: [reply.slice(0, 20), reply.slice(20)] });
    const { events } = await ask(llama.baseURL, 'any', 'What are the meal and laptop rules when travelling?');
    const text = answerText(events);
    expect(text.annotations).toHaveLength(count);
    const withoutMarkers = text.value.replace(/【\d+:\d+†[^】]+】/g, '');
    expect(withoutMarkers).not.toMatch(/\[\^?\d|【|\(Source|\]/);
    for (const annotation of text.annotations) {
      expect(text.value.slice(annotation.start_index, annotation.end_index)).toBe(annotation.text);
    }
  });

  it('ends the run incomplete when max_completion_tokens cuts the answer, as the Assistants API did', async () => {
    llama.reply({
      content: ['Meals ', 'are ', 'capped ', 'at ', '60 ', 'euros ', 'per ', 'day ', 'when ', 'travelling.'],
    });
    const { events, stored } = await ask(llama.baseURL, 'any', 'How much are meals reimbursed per day?', {
      parameters: { max_completion_tokens: 4 },
    });
    expect(llama.requests.at(-1)?.maxTokens).toBe(4);
    const end = events.at(-1);
    expect(end?.event).toBe('thread.run.incomplete');
    expect(end?.event === 'thread.run.incomplete' && end.data.incomplete_details).toEqual({
      reason: 'max_completion_tokens',
    });
    expect(stored?.status).toBe('incomplete');
    expect(stored?.incomplete_details).toEqual({ reason: 'max_tokens' });
    expect(storedText(stored).value).toBe('Meals are capped at ');
  });

  it('sends only the last messages that truncation_strategy last_messages keeps', async () => {
    llama.reply({ content: ['Sixty euros a day [1].'] });
    await ask(llama.baseURL, 'any', 'And for meals?', {
      earlier: ['What is the hotel cap?', 'It is 180 euros [1].', 'And for taxis?', 'Not said.'],
      parameters: { truncation_strategy: { type: 'last_messages', last_messages: 3 } },
    });
    const sent = llama.requests.at(-1)?.messages ?? [];
    expect(sent.slice(1).map((message) => message.content)).toEqual([
      'And for taxis?',
      'Not said.',
      'And for meals?',
    ]);
  });

  it('stores and shows an own-words refusal as "not in your documents", with zero citations', async () => {
    llama.reply({
      content: ["I'm sorry, but the provided documents do not mention ", 'the CEO’s salary [1].'],
    });
    // Words the documents use: the model is asked (a name they never use is refused before it).
    const { events, stored } = await ask(llama.baseURL, 'any', "What is the director's salary?");
    expect(answerText(events)).toEqual({ value: noRelevantInformationText, annotations: [] });
    expect(storedText(stored)).toEqual({ value: noRelevantInformationText, annotations: [] });
    const streamed = events.flatMap((event) =>
      event.event === 'thread.message.delta' ? [event.data.delta.content[0]?.text?.value ?? ''] : [],
    );
    expect(streamed.join('')).toBe(noRelevantInformationText);
  });

  it('names a model Ollama has not pulled in the chat: the models it has and the ollama pull to run', async () => {
    const { events } = await ask(ollama.baseURL, 'mistral', 'How much are meals reimbursed per day?');
    const end = events.at(-1);
    expect(end?.event).toBe('thread.run.failed');
    const message = end?.event === 'thread.run.failed' ? (end.data.last_error?.message ?? '') : '';
    expect(message).toContain('"mistral" is not available on the model server at http://ollama.test/v1');
    expect(message).toContain('"qwen3:latest"');
    expect(message).toContain('ollama pull mistral');
  });
});

describe('a model server that is not running', () => {
  let fixture: EngineFixture;
  afterEach(async () => {
    await fixture.close();
    fixture.cleanup();
  });

  it('is named in the chat with LLM_BASE_URL', async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    fixture = await createEngineFixture({ LLM_BASE_URL: 'http://127.0.0.1:9/v1', LLM_MODEL: 'llama3.2' });
    const thread = await fixture.engine.createThread({ vectorStoreIds: [fixture.vectorStoreId] });
    await fixture.engine.appendMessage(thread.id, { content: 'How much are meals reimbursed per day?' });
    const events = await collect(fixture.engine.streamRun(thread.id, {}, new AbortController().signal));
    const end = events.at(-1);
    expect(end?.event).toBe('thread.run.failed');
    expect(end?.event === 'thread.run.failed' && end.data.last_error).toEqual({
      code: 'server_error',
      message:
        'The model server at LLM_BASE_URL (http://127.0.0.1:9/v1) is not reachable. Start it, or point LLM_BASE_URL at where it runs.',
    });
  }, 30_000);
});

describe('a model server that rate limits', () => {
  // A real loopback server (msw's interception does not survive the SDK's retries): 429 with a
  // retry delay, as OpenAI-compatible gateways answer, for the first `limited` requests.
  let limited = 0;
  let hits = 0;
  const server = createServer((request, response) => {
    request.resume();
    if (request.url === '/props') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ default_generation_settings: { n_ctx: 4096 } }));
      return;
    }
    hits += 1;
    if (hits <= limited) {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '20' });
      response.end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'rate_limit_error' } }));
      return;
    }
    void chatCompletionStream([{ content: 'Meals are capped at 60 euros per day [1].' }])
      .text()
      .then((body) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(body);
      });
  });
  let fixture: EngineFixture;
  let baseURL = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    fixture = await createEngineFixture({ LLM_BASE_URL: baseURL, LLM_MODEL: 'any' });
  });
  afterAll(async () => {
    await fixture.close();
    fixture.cleanup();
    await new Promise((resolve) => server.close(resolve));
  });

  const ask = async () => {
    const thread = await fixture.engine.createThread({ vectorStoreIds: [fixture.vectorStoreId] });
    await fixture.engine.appendMessage(thread.id, { content: 'How much are meals reimbursed per day?' });
    return collect(fixture.engine.streamRun(thread.id, {}, new AbortController().signal));
  };

  it('retries a 429 with backoff, then answers', async () => {
    [hits, limited] = [0, 2];
    expect((await ask()).at(-1)?.event).toBe('thread.run.completed');
    expect(hits).toBe(3);
  });

  it('names the rate limit in the chat when it persists past the retries', async () => {
    [hits, limited] = [0, 100];
    const end = (await ask()).at(-1);
    expect(hits).toBe(4);
    expect(end?.event === 'thread.run.failed' && end.data.last_error?.code).toBe('rate_limit_exceeded');
    expect(end?.event === 'thread.run.failed' && end.data.last_error?.message).toMatch(
      /rate limiting requests \(429\) and still was after retries: Rate limit reached/,
    );
  });
});
