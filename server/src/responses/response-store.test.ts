import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResponseObject } from '@threadline/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../sqlite/index.js';
import { ResponseService, type ResponseServiceDeps } from './response-service.js';
import { ResponseStore } from './response-store.js';

const response = (id: string, status: ResponseObject['status']): ResponseObject => ({
  id,
  object: 'response',
  created_at: 1,
  status,
  completed_at: null,
  background: true,
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: null,
  max_tool_calls: null,
  model: 'm',
  output: [],
  parallel_tool_calls: true,
  previous_response_id: null,
  conversation: null,
  reasoning: { effort: null, summary: null },
  service_tier: 'default',
  store: true,
  temperature: 1,
  text: { format: { type: 'text' }, verbosity: 'medium' },
  tool_choice: 'auto',
  tools: [],
  top_logprobs: 0,
  top_p: 1,
  truncation: 'disabled',
  usage: null,
  user: null,
  safety_identifier: null,
  prompt_cache_key: null,
  metadata: {},
});

describe('ResponseStore', () => {
  let database: SqliteDatabase | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-responses-store-'));
  afterEach(() => {
    database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const stored = (id: string, status: ResponseObject['status']) => ({
    response: response(id, status),
    owner: 'alice',
    threadId: 'thread_1',
    runId: 'run_1',
    conversationId: null,
    lastMessageId: null,
  });

  it('keeps responses per owner, their events in order after a number, and their calls', () => {
    database = openDatabase(dataDir);
    const store = new ResponseStore(database);
    store.insert(stored('resp_1', 'completed'), []);
    expect(store.get('resp_1', 'alice')?.response.status).toBe('completed');
    expect(store.get('resp_1', 'bob')).toBeNull();
    store.appendEvents('resp_1', [
      { type: 'response.created', sequence_number: 0, response: response('resp_1', 'in_progress') },
      { type: 'response.completed', sequence_number: 1, response: response('resp_1', 'completed') },
    ]);
    expect(store.eventsAfter('resp_1', 0).map((event) => event.type)).toEqual(['response.completed']);
    store.recordCalls(stored('resp_1', 'completed'), ['call_1']);
    expect(store.findCall('alice', 'call_1')).toEqual({
      responseId: 'resp_1',
      threadId: 'thread_1',
      runId: 'run_1',
    });
    expect(store.findCall('bob', 'call_1')).toBeNull();
    expect(store.delete('resp_1', true)).toBe(true);
    expect(store.findCall('alice', 'call_1')).not.toBeNull();
    expect(store.eventsAfter('resp_1', -1)).toEqual([]);
  });

  it('marks a response a crash interrupted failed when the service starts, its stream ended', () => {
    database = openDatabase(dataDir);
    const store = new ResponseStore(database);
    store.insert(stored('resp_cut', 'in_progress'), []);
    store.insert(stored('resp_done', 'completed'), []);
    store.appendEvents('resp_cut', [
      { type: 'response.created', sequence_number: 0, response: response('resp_cut', 'in_progress') },
    ]);
    // Only the store is read at start-up.
    new ResponseService({ store } as unknown as ResponseServiceDeps);
    expect(store.get('resp_cut', 'alice')?.response).toMatchObject({
      status: 'failed',
      error: { code: 'server_error' },
    });
    expect(store.eventsAfter('resp_cut', 0)).toMatchObject([{ sequenceNumber: 1, type: 'response.failed' }]);
    expect(store.get('resp_done', 'alice')?.response.status).toBe('completed');
  });
});
