import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiPaths, decodeSse, responseStreamEventSchema, threadMessagesSchema } from '@threadline/shared';
import OpenAI, { toFile } from 'openai-v7';
import type { ResponseStreamEvent as SdkEvent } from 'openai-v7/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slowModel, startConformanceLlm } from '../../helpers/conformance-llm.js';
import { startServerProcess, stopServerProcess, type ServerProcess } from '../../helpers/server-process.js';
import { waitUntil } from '../../helpers/wait-until.js';

/**
 * The Responses and Conversations APIs driven through the official SDKs against a server
 * process: openai-node latest (7.x, the `openai-v7` alias) here, openai-python latest through
 * server/test/python/responses_conformance.py, with the deterministic chat-completions double on
 * loopback as the model for function calls and slow answers, and the extractive model (which
 * cites) for file_search answers.
 */
const isCi = process.env.CI === 'true' || process.env.CI === '1';
const llmModel = 'conformance-model';
const extractive = 'threadline-extractive';
const pythonScript = fileURLToPath(new URL('../../python/responses_conformance.py', import.meta.url));
const hotels = '# Hotels\n\nThe hotel cap is 150 euros per night in every city.\n';
const parking = '# Parking\n\nVisitors park on level two of the north garage.\n';
const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
  strict: false,
};

function findPython(): { python: string } | { problem: string } {
  const python =
    process.env.THREADLINE_TEST_PYTHON ?? join(homedir(), '.cache', 'threadline', 'venv', 'bin', 'python');
  if (!existsSync(python)) return { problem: `no Python at ${python} (set THREADLINE_TEST_PYTHON)` };
  try {
    execFileSync(python, ['-c', 'import openai'], { stdio: 'ignore' });
    return { python };
  } catch {
    return { problem: `${python} cannot import openai (pip install openai into it)` };
  }
}
const pythonFound = findPython();
if ('problem' in pythonFound && !isCi) {
  process.stderr.write(
    `\n${'!'.repeat(78)}\nopenai-python Responses conformance SKIPPED: ${pythonFound.problem}.\n${'!'.repeat(78)}\n\n`,
  );
}

/** What a thrown SDK error says, in OpenAI's shape. */
const errorOf = async (work: Promise<unknown>) => {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof OpenAI.APIError)) throw new Error(`expected an API error, got ${String(error)}`);
  const { status, param, code, type } = error as {
    status: unknown;
    param: unknown;
    code: unknown;
    type: unknown;
  };
  return { status, param, code, type };
};

const typesOf = (events: Array<{ type: string }>) => events.map((event) => event.type);

/** Checks a whole stream: every event valid, numbered 0, 1, 2, … */
function expectNumbered(events: SdkEvent[], from = 0) {
  for (const event of events)
    expect(responseStreamEventSchema.safeParse(event).success, event.type).toBe(true);
  expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index + from));
}

describe('/v1/responses and /v1/conversations through the official SDKs, against a server process', () => {
  let llm: Awaited<ReturnType<typeof startConformanceLlm>>;
  let server: ServerProcess;
  let client: OpenAI;
  let storeId: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-responses-'));

  beforeAll(async () => {
    llm = await startConformanceLlm();
    server = await startServerProcess({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ENGINE: 'local',
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: llmModel,
      AUTH_TOKENS: '',
      MONGODB_URI: '',
    });
    client = new OpenAI({ baseURL: `${server.baseUrl}/v1`, apiKey: 'conformance', maxRetries: 0 });
    const store = await client.vectorStores.create({ name: 'responses-knowledge' });
    storeId = store.id;
    const batch = await client.vectorStores.fileBatches.uploadAndPoll(storeId, {
      files: [
        await toFile(Buffer.from(hotels), 'hotels.md'),
        await toFile(Buffer.from(parking), 'parking.md'),
      ],
    });
    expect(batch.status).toBe('completed');
  }, 90_000);

  afterAll(async () => {
    await stopServerProcess(server);
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const fileSearch = () => ({ type: 'file_search' as const, vector_store_ids: [storeId] });

  it.skipIf('problem' in pythonFound && !isCi)(
    'openai-python (latest): every check of server/test/python/responses_conformance.py passes',
    async () => {
      if ('problem' in pythonFound) throw new Error(`CI needs openai-python: ${pythonFound.problem}`);
      const child = spawn(pythonFound.python, [pythonScript], {
        env: {
          ...process.env,
          THREADLINE_BASE_URL: `${server.baseUrl}/v1`,
          THREADLINE_LLM_MODEL: llmModel,
          THREADLINE_SLOW_MODEL: slowModel,
          THREADLINE_VECTOR_STORE_ID: storeId,
          PYTHONUNBUFFERED: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, output).toBe(0);
      expect(output).toContain('python responses conformance: all checks passed');
    },
    120_000,
  );

  it('answers with file_search: the call with its results, the text with file citations and no markers', async () => {
    const response = await client.responses.create({
      model: extractive,
      input: 'What is the hotel cap per night?',
      tools: [{ ...fileSearch(), max_num_results: 5, ranking_options: { score_threshold: 0 } }],
      include: ['file_search_call.results'],
      metadata: { case: 'file_search' },
      temperature: 0.2,
      top_p: 0.9,
      max_output_tokens: 400,
      truncation: 'auto',
      tool_choice: 'auto',
      parallel_tool_calls: false,
      text: { format: { type: 'text' } },
    });
    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      model: extractive,
      metadata: { case: 'file_search' },
      temperature: 0.2,
      top_p: 0.9,
      max_output_tokens: 400,
      truncation: 'auto',
      parallel_tool_calls: false,
      store: true,
      background: false,
    });
    const [search, message] = response.output;
    expect(search).toMatchObject({ type: 'file_search_call', status: 'completed' });
    expect(search?.type === 'file_search_call' && search.queries[0]).toContain('hotel cap');
    expect(search?.type === 'file_search_call' && search.results?.map((result) => result.filename)).toContain(
      'hotels.md',
    );
    if (message?.type !== 'message') throw new Error('no message');
    const text = message.content[0];
    if (text?.type !== 'output_text') throw new Error('no output_text');
    expect(response.output_text).toContain('150 euros');
    expect(text.text).not.toMatch(/【/);
    expect(text.annotations[0]).toMatchObject({ type: 'file_citation', filename: 'hotels.md' });
    const citation = text.annotations[0];
    expect(citation?.type === 'file_citation' && citation.index).toBeLessThanOrEqual(text.text.length);
    expect((await client.responses.retrieve(response.id)).output_text).toBe(response.output_text);
    const withoutResults = await client.responses.create({
      model: extractive,
      input: 'Where do visitors park?',
      tools: [fileSearch()],
    });
    expect(withoutResults.output[0]).toMatchObject({ type: 'file_search_call', results: null });
  });

  it('filters the search by file attributes', async () => {
    const file = await client.files.create({
      file: await toFile(Buffer.from('# Lockers\n\nLockers are on the ground floor.\n'), 'lockers.md'),
      purpose: 'assistants',
    });
    const store = await client.vectorStores.create({ name: 'filtered' });
    await client.vectorStores.files.createAndPoll(store.id, { file_id: file.id, attributes: { floor: 0 } });
    const ask = (value: number) =>
      client.responses.create({
        model: extractive,
        input: 'Where are the lockers?',
        tools: [
          {
            type: 'file_search',
            vector_store_ids: [store.id],
            filters: { type: 'eq', key: 'floor', value },
          },
        ],
        include: ['file_search_call.results'],
      });
    const matching = await ask(0);
    const other = await ask(3);
    expect(matching.output[0]?.type === 'file_search_call' && matching.output[0].results).toHaveLength(1);
    expect(other.output[0]?.type === 'file_search_call' && other.output[0].results).toEqual([]);
  });

  it('streams in OpenAI’s order with sequence numbers, read by responses.stream()', async () => {
    const stream = client.responses.stream({
      model: extractive,
      input: 'What is the hotel cap per night?',
      tools: [fileSearch()],
    });
    const events: SdkEvent[] = [];
    const deltas: string[] = [];
    stream.on('event', (event) => events.push(event));
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expectNumbered(events);
    expect(typesOf(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.file_search_call.in_progress',
      'response.file_search_call.searching',
      'response.file_search_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      ...deltas.map(() => 'response.output_text.delta'),
      'response.output_text.annotation.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(deltas.join('')).toBe(final.output_text);
    expect(final.status).toBe('completed');
    expect(final.output_text).toContain('150 euros');
  });

  it('continues with previous_response_id, and branches from an earlier one', async () => {
    const first = await client.responses.create({
      model: extractive,
      input: 'What is the hotel cap per night?',
      tools: [fileSearch()],
    });
    const second = await client.responses.create({
      model: extractive,
      previous_response_id: first.id,
      input: 'Where do visitors park?',
      tools: [fileSearch()],
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text).toContain('level two');
    const branch = await client.responses.create({
      model: extractive,
      previous_response_id: first.id,
      input: 'And where do visitors park, again?',
      tools: [fileSearch()],
    });
    expect(branch.status).toBe('completed');
    const items = await client.responses.inputItems.list(second.id, { order: 'asc' });
    expect(items.data.map((item) => item.type === 'message' && item.role)).toEqual(['user']);
  });

  it('creates, reads, updates and deletes conversations and pages their items', async () => {
    const conversation = await client.conversations.create({
      metadata: { topic: 'travel' },
      items: [
        { type: 'message', role: 'user', content: 'First question' },
        { type: 'message', role: 'assistant', content: 'First answer' },
      ],
    });
    expect(conversation).toMatchObject({ object: 'conversation', metadata: { topic: 'travel' } });
    expect((await client.conversations.retrieve(conversation.id)).id).toBe(conversation.id);
    const updated = await client.conversations.update(conversation.id, { metadata: { topic: 'hotels' } });
    expect(updated.metadata).toEqual({ topic: 'hotels' });
    const added = await client.conversations.items.create(conversation.id, {
      items: Array.from({ length: 5 }, (_, index) => ({
        type: 'message' as const,
        role: 'user' as const,
        content: [{ type: 'input_text' as const, text: `Note ${index}` }],
      })),
    });
    expect(added.data).toHaveLength(5);
    const texts: string[] = [];
    for await (const item of client.conversations.items.list(conversation.id, { order: 'asc', limit: 2 }))
      if (item.type === 'message' && item.content[0]?.type === 'input_text') texts.push(item.content[0].text);
      else if (item.type === 'message' && item.content[0]?.type === 'output_text')
        texts.push(item.content[0].text);
    expect(texts).toEqual([
      'First question',
      'First answer',
      'Note 0',
      'Note 1',
      'Note 2',
      'Note 3',
      'Note 4',
    ]);
    const newest = await client.conversations.items.list(conversation.id, { limit: 2 });
    expect(newest.data.map((item) => item.id)).toEqual(
      added.data
        .slice(-2)
        .map((item) => item.id)
        .reverse(),
    );
    expect(newest.has_more).toBe(true);
    const oneId = added.data[0]?.id;
    if (!oneId) throw new Error('no item');
    const one = { id: oneId };
    expect((await client.conversations.items.retrieve(one.id, { conversation_id: conversation.id })).id).toBe(
      one.id,
    );
    const afterDelete = await client.conversations.items.delete(one.id, { conversation_id: conversation.id });
    expect(afterDelete.id).toBe(conversation.id);
    expect(
      await errorOf(client.conversations.items.retrieve(one.id, { conversation_id: conversation.id })),
    ).toMatchObject({ status: 404 });
    const tooMany = await errorOf(
      client.conversations.items.create(conversation.id, {
        items: Array.from({ length: 21 }, () => ({
          type: 'message' as const,
          role: 'user' as const,
          content: 'x',
        })),
      }),
    );
    expect(tooMany).toMatchObject({ status: 400, param: 'items', code: 'array_above_max_length' });
    expect((await client.conversations.delete(conversation.id)).deleted).toBe(true);
    expect(await errorOf(client.conversations.retrieve(conversation.id))).toMatchObject({ status: 404 });
  });

  it('appends a response’s input and output to its conversation, in order, and the next response sees them', async () => {
    const conversation = await client.conversations.create({});
    const first = await client.responses.create({
      model: extractive,
      conversation: conversation.id,
      input: 'What is the hotel cap per night?',
      tools: [fileSearch()],
    });
    expect(first.conversation).toEqual({ id: conversation.id });
    const second = await client.responses.create({
      model: extractive,
      conversation: { id: conversation.id },
      input: 'Where do visitors park?',
      tools: [fileSearch()],
    });
    const items = await client.conversations.items.list(conversation.id, {
      order: 'asc',
      include: ['file_search_call.results'],
    });
    expect(
      items.data.map((item) => (item.type === 'message' ? `${item.type}:${item.role}` : item.type)),
    ).toEqual([
      'message:user',
      'file_search_call',
      'message:assistant',
      'message:user',
      'file_search_call',
      'message:assistant',
    ]);
    const ids = items.data.map((item) => item.id);
    expect(ids).toContain(first.output.at(-1)?.id);
    expect(ids.at(-1)).toBe(second.output.at(-1)?.id);
    expect(items.data[1]?.type === 'file_search_call' && items.data[1].results?.length).toBeGreaterThan(0);
  });

  it('calls a function through the chat-completions double and continues with its output', async () => {
    const asked = await client.responses.create({
      model: llmModel,
      input: 'Weather in Oslo?',
      tools: [weatherTool],
    });
    expect(asked.status).toBe('completed');
    const call = asked.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('no function call');
    expect(call).toMatchObject({ name: 'get_weather', arguments: '{"city":"Oslo"}' });
    const answered = await client.responses.create({
      model: llmModel,
      previous_response_id: asked.id,
      tools: [weatherTool],
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny' }],
    });
    expect(answered.output_text).toBe('The tool said: sunny.');

    // As OpenAI's guide does it: the whole history given back, no previous_response_id.
    const history: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Weather in Bergen?' }];
    // …and kept nowhere (store: false), as stateless clients run it.
    const again = await client.responses.create({
      model: llmModel,
      input: history,
      tools: [weatherTool],
      store: false,
    });
    const againCall = again.output.find((item) => item.type === 'function_call');
    if (againCall?.type !== 'function_call') throw new Error('no function call');
    history.push(...(again.output as OpenAI.Responses.ResponseInputItem[]), {
      type: 'function_call_output',
      call_id: againCall.call_id,
      output: 'rain',
    });
    const stateless = await client.responses.create({
      model: llmModel,
      input: history,
      tools: [weatherTool],
      store: false,
    });
    expect(stateless.output_text).toBe('The tool said: rain.');
    expect(await errorOf(client.responses.retrieve(stateless.id))).toMatchObject({ status: 404 });

    const stream = client.responses.stream({ model: llmModel, input: 'Weather?', tools: [weatherTool] });
    const argumentDeltas: string[] = [];
    stream.on('response.function_call_arguments.delta', (event) => argumentDeltas.push(event.delta));
    const streamed = await stream.finalResponse();
    expect(argumentDeltas.join('')).toBe('{"city":"Oslo"}');
    expect(streamed.output.find((item) => item.type === 'function_call')).toMatchObject({
      status: 'completed',
    });
  });

  it('runs in the background: polled to the end, or cancelled mid-answer and resumed after a sequence number', async () => {
    const queued = await client.responses.create({
      model: extractive,
      input: 'What is the hotel cap per night?',
      tools: [fileSearch()],
      background: true,
    });
    expect(queued.status).toMatch(/^(queued|in_progress)$/);
    let polled = queued;
    await waitUntil(
      async () => {
        polled = await client.responses.retrieve(queued.id);
        return polled.status === 'completed';
      },
      10_000,
      'the background response to complete',
    );
    expect(polled.output_text).toContain('150 euros');

    const stream = await client.responses.create({
      model: slowModel,
      input: 'What is the hotel cap per night?',
      tools: [fileSearch()],
      background: true,
      stream: true,
    });
    const seen: SdkEvent[] = [];
    let responseId = '';
    let cancelled: Promise<OpenAI.Responses.Response> | undefined;
    for await (const event of stream) {
      seen.push(event);
      if (event.type === 'response.created') responseId = event.response.id;
      if (event.type === 'response.output_text.delta' && seen.length > 12)
        cancelled ??= client.responses.cancel(responseId);
    }
    expectNumbered(seen);
    expect(seen[0]).toMatchObject({
      type: 'response.created',
      response: { status: 'queued', background: true },
    });
    expect(typesOf(seen).slice(0, 3)).toEqual([
      'response.created',
      'response.queued',
      'response.in_progress',
    ]);
    expect((await cancelled)?.status).toBe('cancelled');
    expect(seen.at(-1)).toMatchObject({ type: 'response.incomplete', response: { status: 'cancelled' } });
    const message = (await client.responses.retrieve(responseId)).output.find(
      (item) => item.type === 'message',
    );
    expect(message).toMatchObject({ status: 'incomplete' });

    const after = 5;
    const resumed: SdkEvent[] = [];
    for await (const event of await client.responses.retrieve(responseId, {
      stream: true,
      starting_after: after,
    }))
      resumed.push(event);
    expectNumbered(resumed, after + 1);
    expect(typesOf(resumed)).toEqual(typesOf(seen.slice(after + 1)));
    const helper = client.responses.stream({ response_id: responseId, starting_after: after });
    const helped: SdkEvent[] = [];
    helper.on('event', (event) => helped.push(event));
    expect((await helper.finalResponse()).status).toBe('cancelled');
    expect(helped.map((event) => event.sequence_number)).toEqual(
      resumed.map((event) => event.sequence_number),
    );
    expect(
      await errorOf(
        client.responses.cancel((await client.responses.create({ model: extractive, input: 'hi' })).id),
      ),
    ).toMatchObject({ status: 400 });
  }, 30_000);

  it('answers errors in OpenAI’s shape, with param and code', async () => {
    expect(await errorOf(client.responses.retrieve('resp_missing'))).toMatchObject({
      status: 404,
      type: 'invalid_request_error',
    });
    expect(await errorOf(client.conversations.retrieve('conv_missing'))).toMatchObject({ status: 404 });
    const unknown = client.responses.create({ model: extractive, input: 'hi', bogus: 1 } as never);
    expect(await errorOf(unknown)).toMatchObject({ status: 400, param: 'bogus', code: 'unknown_parameter' });
    expect(
      await errorOf(client.responses.create({ model: extractive, input: 'hi', temperature: 3 })),
    ).toMatchObject({
      status: 400,
      param: 'temperature',
      code: 'decimal_above_max_value',
    });
    const conversation = await client.conversations.create({});
    const first = await client.responses.create({ model: extractive, input: 'hi' });
    expect(
      await errorOf(
        client.responses.create({
          model: extractive,
          input: 'hi',
          conversation: conversation.id,
          previous_response_id: first.id,
        }),
      ),
    ).toMatchObject({ status: 400, param: 'conversation', code: 'mutually_exclusive_parameters' });
    expect(
      await errorOf(
        client.responses.create({
          model: extractive,
          input: [{ type: 'function_call_output', call_id: 'call_nowhere', output: 'x' }],
        }),
      ),
    ).toMatchObject({ status: 400, param: 'input' });
    expect(
      await errorOf(
        client.responses.create({ model: extractive, input: 'hi', tools: [{ type: 'web_search' }] } as never),
      ),
    ).toMatchObject({ status: 400, param: 'tools[0].type', code: 'invalid_value' });
    const busy = await client.responses.create({
      model: slowModel,
      conversation: conversation.id,
      input: 'What is the hotel cap per night?',
      tools: [fileSearch()],
      background: true,
    });
    expect(
      await errorOf(
        client.responses.create({ model: extractive, conversation: conversation.id, input: 'hi' }),
      ),
    ).toMatchObject({ status: 400, code: 'conversation_locked' });
    expect((await client.responses.cancel(busy.id)).status).toBe('cancelled');
  });

  it('keeps one ordered history when one thread is answered through /v1/responses, /v1/threads runs and /chat/stream', async () => {
    const conversation = await client.conversations.create({});
    await client.responses.create({
      model: extractive,
      conversation: conversation.id,
      input: 'Q1 hotel cap per night?',
      tools: [fileSearch()],
    });
    await client.beta.threads.messages.create(conversation.id, {
      role: 'user',
      content: 'Q2 where do visitors park?',
    });
    const run = await client.beta.threads.runs.createAndPoll(conversation.id, {
      assistant_id: 'asst_threadline',
    });
    expect(run.status).toBe('completed');
    const chat = await fetch(`${server.baseUrl}${apiPaths.chatStream}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ threadId: conversation.id, content: 'Q3 hotel cap again?', model: extractive }),
    });
    expect(decodeSse(await chat.text()).some((event) => event.event === 'thread.run.completed')).toBe(true);
    await client.responses.create({
      model: extractive,
      conversation: conversation.id,
      input: 'Q4 parking again?',
      tools: [fileSearch()],
    });

    const questions = ['Q1', 'Q2', 'Q3', 'Q4'];
    const roles = ['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant'];
    const items = await client.conversations.items.list(conversation.id, { order: 'asc', limit: 100 });
    const messages = items.data.filter((item) => item.type === 'message');
    expect(messages.map((item) => item.type === 'message' && item.role)).toEqual(roles);
    const itemQuestions = messages.flatMap((item) =>
      item.type === 'message' && item.role === 'user' && item.content[0]?.type === 'input_text'
        ? [item.content[0].text.slice(0, 2)]
        : [],
    );
    expect(itemQuestions).toEqual(questions);

    const threadMessages = await client.beta.threads.messages.list(conversation.id, {
      order: 'asc',
      limit: 100,
    });
    expect(threadMessages.data.map((message) => message.role)).toEqual(roles);
    expect(threadMessages.data.map((message) => message.id)).toEqual(messages.map((item) => item.id));

    const history = async () => {
      const response = await fetch(`${server.baseUrl}${apiPaths.threadMessages(conversation.id)}`);
      return response.ok ? threadMessagesSchema.parse(await response.json()).data : [];
    };
    await waitUntil(
      async () => {
        const recorded = await history();
        return (
          recorded.length === roles.length && recorded.every((message) => message.runStatus !== 'in_progress')
        );
      },
      5000,
      'the history to have all eight messages',
    );
    const recorded = await history();
    expect(recorded.map((message) => message.role)).toEqual(roles);
    expect(recorded.map((message) => message.id)).toEqual(messages.map((item) => item.id));
    expect(
      recorded.filter((message) => message.role === 'user').map((message) => message.text.slice(0, 2)),
    ).toEqual(questions);
  });
});
