import type { SqliteDatabase } from '../../../sqlite/index.js';
import { activeRunStatuses, EngineStore, type StoredRunContext } from './engine-store.js';
import type { EngineState, RecordTable } from './engine-state.js';
import type { JsonTable, Page, PageQuery } from './json-table.js';

/** A synchronous JsonTable behind the asynchronous RecordTable contract. */
class SqliteRecordTable<T extends { id: string }> implements RecordTable<T> {
  constructor(private readonly table: JsonTable<T>) {}
  async insert(item: T, parentId?: string, owner?: string | null): Promise<void> {
    this.table.insert(item, parentId, owner);
  }
  async update(item: T): Promise<void> {
    this.table.update(item);
  }
  async get(id: string): Promise<T | null> {
    return this.table.get(id);
  }
  async delete(id: string): Promise<boolean> {
    return this.table.delete(id);
  }
  async ownerOf(id: string): Promise<string | null | undefined> {
    return this.table.ownerOf(id);
  }
  async list(parentId: string | null, query: PageQuery, visibleTo?: string): Promise<Page<T>> {
    return this.table.list(parentId, query, visibleTo);
  }
  async idsWithStatus(statuses: readonly string[], parentId?: string): Promise<string[]> {
    return this.table.idsWithStatus(statuses, parentId);
  }
}

/**
 * The embedded default: the engine tables in the shared SQLite file (EngineStore, unchanged),
 * answered through the asynchronous EngineState contract.
 */
export class SqliteEngineState implements EngineState {
  readonly store: EngineStore;
  readonly assistants;
  readonly threads;
  readonly messages;
  readonly runs;
  readonly steps;
  readonly writesInCallOrder = true;
  readonly hasRunLeases = false;
  /** Transactions one after another: one connection holds one transaction at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly database: SqliteDatabase) {
    this.store = new EngineStore(database);
    this.assistants = new SqliteRecordTable(this.store.assistants);
    this.threads = new SqliteRecordTable(this.store.threads);
    this.messages = new SqliteRecordTable(this.store.messages);
    this.runs = new SqliteRecordTable(this.store.runs);
    this.steps = new SqliteRecordTable(this.store.steps);
  }

  groupWrites(work: () => void): void {
    this.store.transaction(work);
  }
  async renewRunLeases(): Promise<void> {}
  async orphanedRunIds(): Promise<string[]> {
    return [];
  }
  // One process executes every run of the embedded file: a cancel reaches its task directly.
  async requestRunCancel(): Promise<void> {}
  async cancelRequested(): Promise<string[]> {
    return [];
  }

  async identity(): Promise<string> {
    return this.store.identity();
  }
  async activeRunIds(threadId?: string): Promise<string[]> {
    return this.store.runs.idsWithStatus(activeRunStatuses, threadId);
  }
  async countMessages(threadId: string): Promise<number> {
    return this.store.countMessages(threadId);
  }
  async allMessages(threadId: string) {
    return this.store.allMessages(threadId);
  }
  async setRunContext(runId: string, context: StoredRunContext): Promise<void> {
    this.store.setRunContext(runId, context);
  }
  async runContext(runId: string): Promise<StoredRunContext | null> {
    return this.store.runContext(runId);
  }

  /**
   * BEGIN IMMEDIATE … COMMIT around `work`, which may await. Other code sharing the connection
   * meanwhile (a better-sqlite3 `transaction()` nests as a savepoint) joins this transaction:
   * one connection cannot hold two. Rollback undoes theirs too, which is why work stays small.
   */
  transaction<T>(work: (state: EngineState) => Promise<T>): Promise<T> {
    const result = this.queue.then(async () => {
      this.database.exec('BEGIN IMMEDIATE');
      try {
        const value = await work(this);
        this.database.exec('COMMIT');
        return value;
      } catch (error) {
        if (this.database.inTransaction) this.database.exec('ROLLBACK');
        throw error;
      }
    });
    this.queue = result.catch(() => {});
    return result;
  }
}
