import {
  responseItemSchema,
  responseObjectSchema,
  type ResponseItem,
  type ResponseObject,
  type ResponseStreamEvent,
} from '@threadline/shared';
import { migrate, type SqliteDatabase } from '../sqlite/index.js';

/**
 * Responses in the engine's SQLite file (tables `response_*`). A response is a run on a thread:
 * its row keeps which (thread, run), the response object as it last stood, the items of its
 * input, its stream events (so `GET …?stream=true&starting_after=N` replays them after the run
 * has gone from memory), and the function calls it ended with (so an output given back finds
 * its run, with or without `previous_response_id`).
 */
const migrations: readonly string[] = [
  `
  CREATE TABLE response_objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    run_id TEXT,
    conversation_id TEXT,
    last_message_id TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX response_objects_thread ON response_objects(thread_id, seq);
  CREATE TABLE response_events (
    response_id TEXT NOT NULL,
    sequence_number INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (response_id, sequence_number)
  ) WITHOUT ROWID;
  CREATE TABLE response_input_items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    response_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX response_input_items_response ON response_input_items(response_id, seq);
  CREATE TABLE response_calls (
    call_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    response_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    PRIMARY KEY (owner, call_id)
  ) WITHOUT ROWID;
  `,
];

export type StoredResponse = {
  response: ResponseObject;
  owner: string;
  threadId: string;
  runId: string | null;
  conversationId: string | null;
  /** The thread's last message when the response ended: where a fork from it copies up to. */
  lastMessageId: string | null;
};

export type EncodedResponseEvent = { sequenceNumber: number; type: string; data: string };

type Row = {
  data: string;
  owner: string;
  thread_id: string;
  run_id: string | null;
  conversation_id: string | null;
  last_message_id: string | null;
};

export class ResponseStore {
  constructor(private readonly database: SqliteDatabase) {
    migrate(database, 'responses', migrations);
  }

  insert(stored: StoredResponse, inputItems: ResponseItem[]): void {
    this.database.transaction(() => {
      this.database
        .prepare(
          `INSERT INTO response_objects (id, owner, thread_id, run_id, conversation_id, last_message_id, data)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          stored.response.id,
          stored.owner,
          stored.threadId,
          stored.runId,
          stored.conversationId,
          stored.lastMessageId,
          JSON.stringify(stored.response),
        );
      const insertItem = this.database.prepare(
        'INSERT INTO response_input_items (response_id, item_id, data) VALUES (?, ?, ?)',
      );
      for (const item of inputItems) insertItem.run(stored.response.id, item.id, JSON.stringify(item));
    })();
  }

  update(response: ResponseObject, lastMessageId?: string | null): void {
    this.database
      .prepare(
        'UPDATE response_objects SET data = ?, last_message_id = COALESCE(?, last_message_id) WHERE id = ?',
      )
      .run(JSON.stringify(response), lastMessageId ?? null, response.id);
  }

  /** The response if `owner` has it; someone else's is as missing as one never made. */
  get(responseId: string, owner: string): StoredResponse | null {
    const row = this.database
      .prepare<[string, string], Row>(
        'SELECT data, owner, thread_id, run_id, conversation_id, last_message_id FROM response_objects WHERE id = ? AND owner = ?',
      )
      .get(responseId, owner);
    return row ? toStored(row) : null;
  }

  /** Responses whose last word was not a terminal status (after a crash, the ones it interrupted). */
  unfinished(): Array<{ response: ResponseObject; lastSequenceNumber: number }> {
    return this.database
      .prepare<[], { data: string; last: number | null }>(
        `SELECT data, (SELECT MAX(sequence_number) FROM response_events WHERE response_id = response_objects.id) AS last
         FROM response_objects
         WHERE json_extract(data, '$.status') IN ('queued', 'in_progress')`,
      )
      .all()
      .map((row) => ({
        response: responseObjectSchema.parse(JSON.parse(row.data)),
        lastSequenceNumber: row.last ?? -1,
      }));
  }

  /** The id of the newest response on the thread. */
  latestOnThread(threadId: string): string | null {
    const row = this.database
      .prepare<[string], { id: string }>(
        'SELECT id FROM response_objects WHERE thread_id = ? ORDER BY seq DESC LIMIT 1',
      )
      .get(threadId);
    return row?.id ?? null;
  }

  /** With `isCallKept`, the calls it made still lead their outputs to its run (store: false). */
  delete(responseId: string, isCallKept = false): boolean {
    const tables = ['response_events', 'response_input_items', ...(isCallKept ? [] : ['response_calls'])];
    return this.database.transaction(() => {
      for (const table of tables)
        this.database.prepare(`DELETE FROM ${table} WHERE response_id = ?`).run(responseId);
      return this.database.prepare('DELETE FROM response_objects WHERE id = ?').run(responseId).changes > 0;
    })();
  }

  appendEvents(responseId: string, events: ResponseStreamEvent[]): void {
    const insert = this.database.prepare(
      'INSERT OR IGNORE INTO response_events (response_id, sequence_number, type, data) VALUES (?, ?, ?, ?)',
    );
    this.database.transaction(() => {
      for (const event of events)
        insert.run(responseId, event.sequence_number, event.type, JSON.stringify(event));
    })();
  }

  eventsAfter(responseId: string, after: number): EncodedResponseEvent[] {
    return this.database
      .prepare<[string, number], { sequence_number: number; type: string; data: string }>(
        'SELECT sequence_number, type, data FROM response_events WHERE response_id = ? AND sequence_number > ? ORDER BY sequence_number',
      )
      .all(responseId, after)
      .map((row) => ({ sequenceNumber: row.sequence_number, type: row.type, data: row.data }));
  }

  /** The response's input items, oldest first. */
  inputItems(responseId: string): ResponseItem[] {
    return this.database
      .prepare<[string], { data: string }>(
        'SELECT data FROM response_input_items WHERE response_id = ? ORDER BY seq',
      )
      .all(responseId)
      .map((row) => responseItemSchema.parse(JSON.parse(row.data)));
  }

  recordCalls(stored: StoredResponse, callIds: string[]): void {
    if (stored.runId === null) return;
    const insert = this.database.prepare(
      'INSERT OR REPLACE INTO response_calls (call_id, owner, response_id, thread_id, run_id) VALUES (?, ?, ?, ?, ?)',
    );
    for (const callId of callIds)
      insert.run(callId, stored.owner, stored.response.id, stored.threadId, stored.runId);
  }

  /** Where a function call `owner`'s responses made is waiting: its response, thread and run. */
  findCall(owner: string, callId: string): { responseId: string; threadId: string; runId: string } | null {
    const row = this.database
      .prepare<[string, string], { response_id: string; thread_id: string; run_id: string }>(
        'SELECT response_id, thread_id, run_id FROM response_calls WHERE owner = ? AND call_id = ?',
      )
      .get(owner, callId);
    return row ? { responseId: row.response_id, threadId: row.thread_id, runId: row.run_id } : null;
  }
}

function toStored(row: Row): StoredResponse {
  return {
    response: responseObjectSchema.parse(JSON.parse(row.data)),
    owner: row.owner,
    threadId: row.thread_id,
    runId: row.run_id,
    conversationId: row.conversation_id,
    lastMessageId: row.last_message_id,
  };
}
