import { apiPaths, errorBodySchema, threadIdHeader, type AssistantStreamEvent } from '@threadline/shared';
import { AssistantStream } from 'openai/lib/AssistantStream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createChatHarness,
  eventNames,
  eventually,
  postJson,
  readEvents,
  type ChatHarness,
} from '../../helpers/chat-harness.js';
import { createMockLlm, mockLlmBaseUrl } from '../../helpers/mock-llm.js';

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

describe('/chat/stream and /chat/tool-outputs with an LLM behind the local engine', () => {
  const llm = createMockLlm();
  let harness: ChatHarness;
  let base: string;
  beforeAll(async () => {
    llm.listen();
    harness = await createChatHarness({ LLM_BASE_URL: mockLlmBaseUrl });
    base = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
    llm.close();
  });

  const collect = async (response: Response) => {
    const events: AssistantStreamEvent[] = [];
    for await (const event of readEvents(response)) events.push(event);
    return events;
  };

  it("openai-node's AssistantStream.fromReadableStream consumes the NDJSON framing", async () => {
    llm.script({ tokens: ['Meals are ', 'reimbursed up to ', '60 euros per day [1].'] });
    const response = await postJson(
      `${base}${apiPaths.chatStream}`,
      { content: 'How much are meals reimbursed?', vectorStoreIds: [harness.vectorStoreId] },
      { headers: { accept: 'application/x-ndjson' } },
    );
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    if (!response.body) throw new Error('no body');
    const stream = AssistantStream.fromReadableStream(response.body);
    let text = '';
    stream.on('textDelta', (delta) => (text += delta.value ?? ''));
    const run = await stream.finalRun();
    expect(run.status).toBe('completed');
    expect(text).toMatch(/^Meals are reimbursed up to 60 euros per day/);
    const [message] = await stream.finalMessages();
    const content = message?.content[0];
    expect(content?.type === 'text' ? content.text.annotations[0]?.type : undefined).toBe('file_citation');
  });

  it('relays requires_action, then /chat/tool-outputs streams the continuation', async () => {
    llm.script({ toolCall: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
    const first = await postJson(`${base}${apiPaths.chatStream}`, {
      content: 'What is the weather in Paris for my trip?',
      vectorStoreIds: [harness.vectorStoreId],
      tools: [weatherTool],
    });
    const threadId = String(first.headers.get(threadIdHeader));
    const events = await collect(first);
    expect(eventNames(events).slice(-2)).toEqual(['thread.run.requires_action', 'done']);
    const action = events.at(-2);
    if (action?.event !== 'thread.run.requires_action') throw new Error('expected requires_action');
    const call = action.data.required_action?.submit_tool_outputs.tool_calls[0];
    expect(call?.function).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    const requestBody = llm.requests.at(-1) as { tools?: { function: { name: string } }[] };
    expect(requestBody.tools?.map((tool) => tool.function.name)).toEqual(['get_weather']);

    llm.script({ tokens: ['It is sunny in Paris.'] });
    const continued = await postJson(`${base}${apiPaths.chatToolOutputs}`, {
      threadId,
      runId: action.data.id,
      toolOutputs: [{ tool_call_id: call?.id ?? '', output: '{"sky":"sunny"}' }],
    });
    expect(continued.status).toBe(200);
    const rest = await collect(continued);
    const names = eventNames(rest);
    expect(names.slice(-2)).toEqual(['thread.run.completed', 'done']);
    expect(names).toContain('thread.message.delta');
    expect(names.indexOf('thread.message.created')).toBeLessThan(names.indexOf('thread.message.delta'));
  });

  it('rejects tool outputs for a run that is not waiting for them, in the error shape', async () => {
    llm.script({ tokens: ['Meals are 60 euros [1].'] });
    const first = await postJson(`${base}${apiPaths.chatStream}`, {
      content: 'Meals?',
      vectorStoreIds: [harness.vectorStoreId],
    });
    const threadId = String(first.headers.get(threadIdHeader));
    const events = await collect(first);
    const run = events.find((event) => event.event === 'thread.run.created');
    const response = await postJson(`${base}${apiPaths.chatToolOutputs}`, {
      threadId,
      runId: run?.event === 'thread.run.created' ? run.data.id : 'run_x',
      toolOutputs: [{ tool_call_id: 'call_1', output: 'x' }],
    });
    expect(response.status).toBe(400);
    expect(errorBodySchema.parse(await response.json()).code).toBe('bad_request');
  });

  it.each([
    ['missing toolOutputs', { threadId: 't', runId: 'r' }],
    ['empty toolOutputs', { threadId: 't', runId: 'r', toolOutputs: [] }],
    ['missing threadId', { runId: 'r', toolOutputs: [{ tool_call_id: 'c', output: '' }] }],
    ['a bad runId', { threadId: 't', runId: 'r r', toolOutputs: [{ tool_call_id: 'c', output: '' }] }],
  ])('rejects tool outputs with %s (400)', async (_name, body) => {
    const response = await postJson(`${base}${apiPaths.chatToolOutputs}`, body);
    expect(response.status).toBe(400);
    expect(errorBodySchema.parse(await response.json()).code).toBe('validation_failed');
  });

  it('an LLM that breaks mid-stream ends the stream with the failure and a clean close', async () => {
    llm.script({ tokens: ['Meals ', 'are ', 'reimbursed ', 'up to'], failAfter: 2 });
    const response = await postJson(`${base}${apiPaths.chatStream}`, {
      content: 'How much are meals reimbursed?',
      vectorStoreIds: [harness.vectorStoreId],
    });
    expect(response.status).toBe(200);
    const events = await collect(response);
    const names = eventNames(events);
    expect(names).toContain('thread.message.delta');
    // The engine turns the upstream failure into the run's own terminal event, as OpenAI did.
    expect(names.slice(-2)).toEqual(['thread.run.failed', 'done']);
    const failed = events.at(-2);
    expect(failed?.event === 'thread.run.failed' ? failed.data.last_error?.message : '').not.toMatch(
      /mock LLM/,
    );
    const threadId = String(response.headers.get(threadIdHeader));
    const recorded = await eventually(
      async () =>
        (await harness.app.transcripts.listMessages('local', threadId)).find(
          (message) => message.role === 'assistant',
        ),
      5000,
      'failed answer recorded',
    );
    expect(recorded).toMatchObject({ runStatus: 'failed' });
    // The partial answer kept is exactly what the client saw.
    const streamed = events
      .flatMap((event) => (event.event === 'thread.message.delta' ? event.data.delta.content : []))
      .map((content) => content.text?.value ?? '')
      .join('');
    expect(streamed).toMatch(/^Meals/);
    expect(recorded.text).toBe(streamed);
  });
});
