import { v1ErrorSchema } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/test-app.js';

/** What real OpenAI clients put on the wire, replayed byte for byte through `app.inject`. */
describe('/v1 wire compatibility', () => {
  const { app } = useTestApp();

  const json = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const emptyJson = (method: 'POST' | 'DELETE', url: string) =>
    app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: '' });
  const emptyNoType = (method: 'POST' | 'DELETE', url: string) => app.inject({ method, url });

  describe('an empty body means no parameters', () => {
    it('creates threads from an empty JSON body and from no body at all', async () => {
      for (const send of [emptyJson, emptyNoType]) {
        const response = await send('POST', '/v1/threads');
        expect(response.statusCode).toBe(200);
        expect(response.json()).toMatchObject({ object: 'thread' });
      }
    });

    it('deletes assistants, threads, messages, files and vector stores sent with an empty JSON body', async () => {
      const assistant = (await json('POST', '/v1/assistants', { model: 'threadline-extractive' })).json<{
        id: string;
      }>();
      const thread = (
        await json('POST', '/v1/threads', { messages: [{ role: 'user', content: 'hello' }] })
      ).json<{ id: string }>();
      const messages = (await json('GET', `/v1/threads/${thread.id}/messages`)).json<{
        data: { id: string }[];
      }>();
      const store = (await json('POST', '/v1/vector_stores', { name: 'empty' })).json<{ id: string }>();
      const urls = [
        `/v1/assistants/${assistant.id}`,
        `/v1/threads/${thread.id}/messages/${messages.data[0]?.id ?? ''}`,
        `/v1/threads/${thread.id}`,
        `/v1/vector_stores/${store.id}`,
      ];
      for (const url of urls) {
        const response = await emptyJson('DELETE', url);
        expect({
          url,
          status: response.statusCode,
          deleted: response.json<{ deleted?: boolean }>().deleted,
        }).toEqual({ url, status: 200, deleted: true });
      }
    });

    it('cancels runs sent with an empty JSON body', async () => {
      const thread = (await emptyJson('POST', '/v1/threads')).json<{ id: string }>();
      // A missing run is the route answering, not the body parser.
      const response = await emptyJson('POST', `/v1/threads/${thread.id}/runs/run_missing/cancel`);
      expect(response.statusCode).toBe(404);
      expect(v1ErrorSchema.parse(response.json()).error.message).toContain('run_missing');
    });

    it('still answers 400 in OpenAI’s shape where a body is required', async () => {
      for (const send of [emptyJson, emptyNoType]) {
        const response = await send('POST', '/v1/assistants');
        expect(response.statusCode).toBe(400);
        expect(v1ErrorSchema.parse(response.json()).error).toMatchObject({
          type: 'invalid_request_error',
          param: 'model',
        });
      }
    });

    it('keeps the legacy routes working with empty JSON bodies', async () => {
      const created = await emptyJson('POST', '/api/assistants/threads');
      expect(created.statusCode).toBe(200);
      expect(created.json()).toHaveProperty('threadId');
      const removed = await emptyJson('DELETE', '/api/assistants/files');
      expect(removed.statusCode).toBe(400);
      expect(removed.json()).toMatchObject({ statusCode: 400, code: 'validation_failed' });
    });

    it('reads the quickstart’s untyped JSON bodies (sent as text/plain) on the legacy routes', async () => {
      const removed = await app.inject({
        method: 'DELETE',
        url: '/api/assistants/files',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        payload: JSON.stringify({ fileId: 'file_unknown' }),
      });
      expect(removed.statusCode).toBe(404);
      const { threadId } = (await emptyJson('POST', '/api/assistants/threads')).json<{ threadId: string }>();
      const sent = await app.inject({
        method: 'POST',
        url: `/api/assistants/threads/${threadId}/messages`,
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        payload: JSON.stringify({ content: 'Hello?' }),
      });
      expect(sent.statusCode).toBe(200);
      expect(sent.body).toContain('thread.run.completed');
    });
  });

  describe('cursor pages in both directions', () => {
    type List = {
      data: { id: string }[];
      first_id: string | null;
      last_id: string | null;
      has_more: boolean;
    };
    const page = async (url: string) => {
      const response = await json('GET', url);
      expect(response.statusCode).toBe(200);
      return response.json<List>();
    };
    const expectPage = (list: List, ids: (string | undefined)[], hasMore: boolean) =>
      expect(list).toMatchObject({
        data: ids.map((id) => ({ id })),
        first_id: ids[0],
        last_id: ids.at(-1),
        has_more: hasMore,
      });

    it('pages assistants, messages and vector stores forwards and backwards', async () => {
      const thread = (await emptyJson('POST', '/v1/threads')).json<{ id: string }>();
      const lists: Record<string, string[]> = { assistants: [], messages: [], vector_stores: [] };
      for (let index = 0; index < 5; index += 1) {
        lists.assistants?.push(
          (
            await json('POST', '/v1/assistants', {
              model: 'threadline-extractive',
              metadata: { set: 'paging' },
            })
          ).json<{ id: string }>().id,
        );
        lists.messages?.push(
          (
            await json('POST', `/v1/threads/${thread.id}/messages`, { role: 'user', content: `m${index}` })
          ).json<{ id: string }>().id,
        );
        lists.vector_stores?.push(
          (await json('POST', '/v1/vector_stores', { name: `s${index}` })).json<{ id: string }>().id,
        );
      }
      const urls: Record<string, string> = {
        assistants: '/v1/assistants',
        messages: `/v1/threads/${thread.id}/messages`,
        vector_stores: '/v1/vector_stores',
      };
      for (const [name, ids] of Object.entries(lists)) {
        const url = urls[name] ?? '';
        const [first, second, third, fourth, fifth] = ids;
        // The example: ascending, two before the fourth is the second and third.
        expectPage(
          await page(`${url}?order=asc&limit=2&before=${fourth}`),
          [second, third],
          name !== 'messages' || true,
        );
        expectPage(await page(`${url}?order=asc&limit=2&after=${second}`), [third, fourth], true);
        expectPage(await page(`${url}?order=asc&limit=3&after=${third}`), [fourth, fifth], false);
        expectPage(await page(`${url}?order=desc&limit=2&before=${second}`), [fourth, third], true);
        expectPage(await page(`${url}?order=desc&limit=2&after=${fourth}`), [third, second], true);
        expectPage(await page(`${url}?order=asc&limit=5&before=${third}&after=${first}`), [second], false);
      }
    });
  });

  describe('body parameters', () => {
    it('answers an unknown parameter with 400 naming it, on every /v1 body', async () => {
      const thread = (await emptyJson('POST', '/v1/threads')).json<{ id: string }>();
      const store = (await json('POST', '/v1/vector_stores', {})).json<{ id: string }>();
      const cases: Array<[string, Record<string, unknown>]> = [
        ['/v1/assistants', { model: 'm' }],
        ['/v1/threads', {}],
        [`/v1/threads/${thread.id}`, {}],
        [`/v1/threads/${thread.id}/messages`, { role: 'user', content: 'hi' }],
        [`/v1/threads/${thread.id}/runs`, { assistant_id: 'asst_x' }],
        ['/v1/threads/runs', { assistant_id: 'asst_x' }],
        ['/v1/vector_stores', {}],
        [`/v1/vector_stores/${store.id}`, {}],
        [`/v1/vector_stores/${store.id}/files`, { file_id: 'file_x' }],
        [`/v1/vector_stores/${store.id}/file_batches`, { file_ids: ['file_x'] }],
        [`/v1/vector_stores/${store.id}/search`, { query: 'q' }],
      ];
      for (const [url, body] of cases) {
        const response = await json('POST', url, { ...body, bogus_param: 1 });
        const error = v1ErrorSchema.parse(response.json()).error;
        expect({ url, status: response.statusCode, param: error.param, type: error.type }).toEqual({
          url,
          status: 400,
          param: 'bogus_param',
          type: 'invalid_request_error',
        });
        expect(error.message).toContain('Unrecognized request argument supplied: bogus_param');
      }
    });

    it('accepts every parameter OpenAI documents for assistants, threads, runs and vector stores', async () => {
      const sampling = { temperature: 0.5, top_p: 0.9, response_format: 'auto' };
      const assistant = await json('POST', '/v1/assistants', {
        model: 'threadline-extractive',
        name: 'n',
        description: 'd',
        instructions: 'i',
        tools: [{ type: 'file_search' }],
        tool_resources: { file_search: { vector_store_ids: [] } },
        metadata: { a: 'b' },
        reasoning_effort: 'low',
        ...sampling,
      });
      expect(assistant.statusCode).toBe(200);
      const assistantId = assistant.json<{ id: string }>().id;
      const runParameters = {
        assistant_id: assistantId,
        model: 'threadline-extractive',
        instructions: 'i',
        tools: [{ type: 'file_search' }],
        metadata: { a: 'b' },
        stream: false,
        max_prompt_tokens: 1000,
        max_completion_tokens: 500,
        truncation_strategy: { type: 'auto' },
        tool_choice: 'auto',
        parallel_tool_calls: true,
        ...sampling,
      };
      const message = { role: 'user', content: 'Hello', attachments: [], metadata: { a: 'b' } };
      const thread = await json('POST', '/v1/threads', {
        messages: [message],
        tool_resources: { file_search: { vector_store_ids: [] } },
        metadata: { a: 'b' },
      });
      expect(thread.statusCode).toBe(200);
      const threadId = thread.json<{ id: string }>().id;
      const run = await json(
        'POST',
        `/v1/threads/${threadId}/runs?include[]=step_details.tool_calls[*].file_search.results[*].content`,
        {
          ...runParameters,
          reasoning_effort: 'low',
          additional_instructions: 'more',
          additional_messages: [message],
        },
      );
      expect(run.statusCode).toBe(200);
      const threadAndRun = await json('POST', '/v1/threads/runs', {
        ...runParameters,
        thread: { messages: [message], metadata: {} },
        tool_resources: { file_search: { vector_store_ids: [] } },
      });
      expect(threadAndRun.statusCode).toBe(200);
      const store = await json('POST', '/v1/vector_stores', {
        name: 'n',
        description: 'd',
        file_ids: [],
        chunking_strategy: { type: 'auto' },
        expires_after: { anchor: 'last_active_at', days: 7 },
        metadata: { a: 'b' },
      });
      expect(store.statusCode).toBe(200);
    });
  });

  describe('files given to assistants, threads and messages', () => {
    const uploadParking = async () => {
      const upload = await app.inject({
        method: 'POST',
        url: '/v1/files',
        ...multipartFile('parking.md', '# Parking\n\nVisitors park on level two of the garage.\n'),
      });
      expect(upload.statusCode).toBe(200);
      return upload.json<{ id: string }>().id;
    };
    type WithStores = { tool_resources: { file_search?: { vector_store_ids: string[] } } };
    const storeIdOf = (object: WithStores) => object.tool_resources.file_search?.vector_store_ids[0] ?? '';
    const answerTo = async (threadId: string, assistantId: string) => {
      const run = (await json('POST', `/v1/threads/${threadId}/runs`, { assistant_id: assistantId })).json<{
        id: string;
      }>();
      let status = 'queued';
      for (let attempt = 0; attempt < 100 && !['completed', 'failed'].includes(status); attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        status = (await json('GET', `/v1/threads/${threadId}/runs/${run.id}`)).json<{ status: string }>()
          .status;
      }
      expect(status).toBe('completed');
      const messages = (await json('GET', `/v1/threads/${threadId}/messages?limit=1`)).json<{
        data: { content: { text: { value: string } }[] }[];
      }>();
      return messages.data[0]?.content[0]?.text.value ?? '';
    };

    it('makes a vector store from tool_resources.file_search.vector_stores on assistants and threads', async () => {
      const fileId = await uploadParking();
      const helper = {
        file_search: {
          vector_stores: [
            {
              file_ids: [fileId],
              chunking_strategy: {
                type: 'static',
                static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 },
              },
              metadata: { made: 'by helper' },
            },
          ],
        },
      };
      const assistant = (
        await json('POST', '/v1/assistants', {
          model: 'threadline-extractive',
          tools: [{ type: 'file_search' }],
          tool_resources: helper,
        })
      ).json<WithStores & { id: string }>();
      const thread = (await json('POST', '/v1/threads', { tool_resources: helper })).json<
        WithStores & { id: string }
      >();
      for (const storeId of [storeIdOf(assistant), storeIdOf(thread)]) {
        expect(storeId).toMatch(/^vs_/);
        expect((await json('GET', `/v1/vector_stores/${storeId}`)).json()).toMatchObject({
          file_counts: { completed: 1, total: 1 },
          metadata: { made: 'by helper' },
        });
        const [file] = (await json('GET', `/v1/vector_stores/${storeId}/files`)).json<{
          data: { chunking_strategy: unknown }[];
        }>().data;
        expect(file?.chunking_strategy).toEqual({
          type: 'static',
          static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 },
        });
      }
      const bare = (
        await json('POST', '/v1/assistants', {
          model: 'threadline-extractive',
          tools: [{ type: 'file_search' }],
        })
      ).json<{ id: string }>();
      await json('POST', `/v1/threads/${thread.id}/messages`, {
        role: 'user',
        content: 'Where do visitors park?',
      });
      expect(await answerTo(thread.id, bare.id)).toContain('level two');
      const modified = (
        await json('POST', `/v1/assistants/${bare.id}`, { tool_resources: helper })
      ).json<WithStores>();
      expect(storeIdOf(modified)).toMatch(/^vs_/);
      const missing = await json('POST', '/v1/threads', {
        tool_resources: { file_search: { vector_stores: [{ file_ids: ['file_missing'] }] } },
      });
      expect(missing.statusCode).toBe(404);
    });

    it('adds file_search attachments to the thread’s vector store, creating it, and keeps them on the message', async () => {
      const fileId = await uploadParking();
      const assistant = (
        await json('POST', '/v1/assistants', {
          model: 'threadline-extractive',
          tools: [{ type: 'file_search' }],
        })
      ).json<{ id: string }>();
      const thread = (await emptyJson('POST', '/v1/threads')).json<{ id: string }>();
      const attachments = [{ file_id: fileId, tools: [{ type: 'file_search' }] }];
      const message = await json('POST', `/v1/threads/${thread.id}/messages`, {
        role: 'user',
        content: 'Where do visitors park?',
        attachments,
      });
      expect(message.statusCode).toBe(200);
      expect(message.json()).toMatchObject({ attachments });
      const listed = (await json('GET', `/v1/threads/${thread.id}/messages`)).json<{ data: unknown[] }>();
      expect(listed.data[0]).toMatchObject({ attachments });
      const storeId = storeIdOf((await json('GET', `/v1/threads/${thread.id}`)).json<WithStores>());
      expect(storeId).toMatch(/^vs_/);
      expect(await answerTo(thread.id, assistant.id)).toContain('level two');

      const withMessages = (
        await json('POST', '/v1/threads', {
          messages: [{ role: 'user', content: 'Where do visitors park?', attachments }],
        })
      ).json<WithStores & { id: string }>();
      expect(storeIdOf(withMessages)).toMatch(/^vs_/);
      const unknownFile = await json('POST', `/v1/threads/${thread.id}/messages`, {
        role: 'user',
        content: 'x',
        attachments: [{ file_id: 'file_missing', tools: [{ type: 'file_search' }] }],
      });
      expect(unknownFile.statusCode).toBe(404);
    });
  });

  describe('the OpenAPI document', () => {
    type Operation = { responses: Record<string, { content?: Record<string, unknown> }> };
    const documentPaths = async () =>
      (await json('GET', '/docs/json')).json<{ paths: Record<string, Record<string, Operation>> }>().paths;

    it('lists every status a /v1 route can answer, and the streams of streaming routes', async () => {
      const paths = await documentPaths();
      const v1 = Object.entries(paths).filter(([path]) => path.startsWith('/v1/'));
      expect(v1.length).toBeGreaterThan(20);
      expect(Object.keys(paths)).not.toContain('/v1/{*}');
      for (const [path, operations] of v1) {
        for (const [method, operation] of Object.entries(operations)) {
          expect({ path, method, statuses: Object.keys(operation.responses) }).toEqual({
            path,
            method,
            statuses: expect.arrayContaining(['200', '400', '404', '413', '415']) as unknown,
          });
          // An over-long id is a 404 on /v1, as on OpenAI: never 414.
          expect(Object.keys(operation.responses), `${method} ${path}`).not.toContain('414');
        }
      }
      for (const path of ['/v1/threads/runs', '/v1/threads/{thread_id}/runs', '/chat/stream']) {
        expect(Object.keys(paths[path]?.post?.responses['200']?.content ?? {})).toContain(
          'text/event-stream',
        );
      }
      // Outside /v1 a long path id is refused with 414, and documented so.
      expect(Object.keys(paths['/threads/{id}']?.get?.responses ?? {})).toContain('414');
      const legacy = paths['/api/assistants/threads/{threadId}/messages']?.post?.responses['200'];
      expect(Object.keys(legacy?.content ?? {})).toEqual(['application/x-ndjson']);
    });

    it('documents 204 responses without a body', async () => {
      const noContent = Object.values(await documentPaths())
        .flatMap((operations) => Object.values(operations))
        .flatMap((operation) => (operation.responses['204'] ? [operation.responses['204']] : []));
      expect(noContent.length).toBeGreaterThan(0);
      for (const response of noContent) expect(response.content).toBeUndefined();
    });
  });

  describe('polling', () => {
    it('tells pollers when to ask again on run, vector-store file and batch responses', async () => {
      const assistant = (await json('POST', '/v1/assistants', { model: 'threadline-extractive' })).json<{
        id: string;
      }>();
      const thread = (await emptyJson('POST', '/v1/threads')).json<{ id: string }>();
      const created = await json('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: assistant.id });
      const run = created.json<{ id: string }>();
      const store = (await json('POST', '/v1/vector_stores', { name: 'poll' })).json<{ id: string }>();
      const upload = await app.inject({
        method: 'POST',
        url: '/v1/files',
        ...multipartFile('poll.md', '# Poll\n\nAsk again soon.\n'),
      });
      const file = upload.json<{ id: string }>();
      const responses = [
        created,
        await json('GET', `/v1/threads/${thread.id}/runs/${run.id}`),
        await json('POST', '/v1/threads/runs', { assistant_id: assistant.id }),
        await json('POST', `/v1/vector_stores/${store.id}/files`, { file_id: file.id }),
        await json('GET', `/v1/vector_stores/${store.id}/files/${file.id}`),
        await json('POST', `/v1/vector_stores/${store.id}/file_batches`, { file_ids: [file.id] }),
      ];
      for (const response of responses) {
        expect({ status: response.statusCode, poll: response.headers['openai-poll-after-ms'] }).toEqual({
          status: 200,
          poll: '100',
        });
      }
    });

    it('never rate-limits one client polling every 100 ms for a minute', async () => {
      const thread = (await emptyJson('POST', '/v1/threads')).json<{ id: string }>();
      const statuses = new Set<number>();
      for (let index = 0; index < 600; index += 1)
        statuses.add((await json('GET', `/v1/threads/${thread.id}`)).statusCode);
      expect([...statuses]).toEqual([200]);
    });
  });
});

function multipartFile(fileName: string, text: string) {
  const boundary = 'threadline-wire-test';
  const payload = [
    `--${boundary}`,
    'Content-Disposition: form-data; name="purpose"',
    '',
    'assistants',
    `--${boundary}`,
    `Content-Disposition: form-data; name="file"; filename="${fileName}"`,
    'Content-Type: text/markdown',
    '',
    text,
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload };
}
