import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/test-app.js';

/**
 * OpenAI's message create returns at once with its attachments; the *run* waits, `in_progress`,
 * until the thread's vector store has indexed them ("Runs will wait for files to be processed
 * before starting": the Assistants file_search guide). Here a message's attachment is queued, not
 * ingested, by the create, and jumps ahead of a large batch indexing into an unrelated store.
 */
describe('/v1 message attachments and the ingestion queue', () => {
  const { app } = useTestApp();

  const json = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const upload = async (fileName: string, text: string) => {
    const response = await app.inject({ method: 'POST', url: '/v1/files', ...multipartFile(fileName, text) });
    expect(response.statusCode).toBe(200);
    return response.json<{ id: string }>().id;
  };
  const inProgressIn = async (storeId: string) =>
    (await json('GET', `/v1/vector_stores/${storeId}`)).json<{ file_counts: { in_progress: number } }>()
      .file_counts.in_progress;

  it('creates the message at once while a large batch ingests, and its run answers from the file', async () => {
    // The large batch: 24 files of ~100 KB, all different (identical bytes would be copied).
    const batchFileIds: string[] = [];
    for (let file = 0; file < 24; file += 1) {
      const lines = Array.from(
        { length: 1_400 },
        (_, line) =>
          `Line ${line} of report ${file}: quarterly figure ${(file * 7919 + line * 104729) % 100_003}.`,
      );
      batchFileIds.push(await upload(`report-${file}.md`, `# Report ${file}\n\n${lines.join('\n')}\n`));
    }
    const big = (await json('POST', '/v1/vector_stores', { name: 'reports' })).json<{ id: string }>();
    const batch = await json('POST', `/v1/vector_stores/${big.id}/file_batches`, { file_ids: batchFileIds });
    expect(batch.statusCode).toBe(200);

    const parking = await upload('parking.md', '# Parking\n\nVisitors park on level two of the garage.\n');
    const assistant = (
      await json('POST', '/v1/assistants', {
        model: 'threadline-extractive',
        tools: [{ type: 'file_search' }],
      })
    ).json<{ id: string }>();
    const thread = (await json('POST', '/v1/threads', {})).json<{ id: string }>();
    const attachments = [{ file_id: parking, tools: [{ type: 'file_search' }] }];
    const started = performance.now();
    const message = await json('POST', `/v1/threads/${thread.id}/messages`, {
      role: 'user',
      content: 'Where do visitors park?',
      attachments,
    });
    const createMs = performance.now() - started;
    expect(message.statusCode).toBe(200);
    expect(message.json()).toMatchObject({ attachments });
    // The batch was still indexing when the message came back, which took under 100 ms.
    expect(await inProgressIn(big.id)).toBeGreaterThan(0);
    expect(createMs).toBeLessThan(100);
    const storeId =
      (await json('GET', `/v1/threads/${thread.id}`)).json<{
        tool_resources: { file_search?: { vector_store_ids: string[] } };
      }>().tool_resources.file_search?.vector_store_ids[0] ?? '';
    expect(storeId).toMatch(/^vs_/);
    // Not yet searchable when the message came back: the run below has to wait for it.
    const attached = (await json('GET', `/v1/vector_stores/${storeId}/files/${parking}`)).json<{
      status: string;
    }>();
    expect(attached.status).toBe('in_progress');

    const run = (await json('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: assistant.id })).json<{
      id: string;
    }>();
    let status = 'queued';
    const deadline = Date.now() + 60_000;
    while (!['completed', 'failed', 'cancelled', 'expired'].includes(status) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      status = (await json('GET', `/v1/threads/${thread.id}/runs/${run.id}`)).json<{ status: string }>()
        .status;
    }
    expect(status).toBe('completed');
    // The attachment went ahead of the batch: the run finished while the batch still indexed.
    expect(await inProgressIn(big.id)).toBeGreaterThan(0);
    const answer = (await json('GET', `/v1/threads/${thread.id}/messages?limit=1`)).json<{
      data: { content: { text: { value: string } }[] }[];
    }>();
    expect(answer.data[0]?.content[0]?.text.value).toContain('level two');
    const steps = (await json('GET', `/v1/threads/${thread.id}/runs/${run.id}/steps`)).json<{
      data: { type: string }[];
    }>();
    expect(steps.data.map((step) => step.type)).toContain('tool_calls');
  });
});

function multipartFile(fileName: string, text: string) {
  const boundary = 'threadline-attachment-queue-test';
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
