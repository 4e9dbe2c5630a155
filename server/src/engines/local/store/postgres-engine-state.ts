import {
  assistantSchema,
  messageSchema,
  runSchema,
  runStepSchema,
  threadSchema,
  type Assistant,
  type Message,
  type Run,
  type RunStep,
  type Thread,
} from '@threadline/shared';
import type pg from 'pg';
import {
  inTransaction,
  migratePostgres,
  scopedDatabase,
  type ScopedDatabase,
} from '../../../postgres/index.js';
import { activeRunStatuses, runContextSchema, type StoredRunContext } from './engine-store.js';
import type { EngineState } from './engine-state.js';
import { postgresEngineMigrations } from './postgres-engine-migrations.js';
import { PostgresRecordTable } from './postgres-record-table.js';

/**
 * The local engine's state in the shared PostgreSQL database (`ENGINE_DATABASE_URL`), so every
 * instance reads and writes the same threads, messages, runs, run steps and assistants.
 */
export class PostgresEngineState implements EngineState {
  readonly assistants: PostgresRecordTable<Assistant>;
  readonly threads: PostgresRecordTable<Thread>;
  readonly messages: PostgresRecordTable<Message>;
  readonly runs: PostgresRecordTable<Run>;
  readonly steps: PostgresRecordTable<RunStep>;
  readonly writesInCallOrder = false;
  readonly hasRunLeases = true;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly database: ScopedDatabase,
    private readonly isInTransaction: boolean,
  ) {
    this.assistants = new PostgresRecordTable(
      database,
      'engine_assistants',
      assistantSchema,
      undefined,
      false,
      true,
    );
    this.threads = new PostgresRecordTable(database, 'engine_threads', threadSchema, undefined, false, true);
    this.messages = new PostgresRecordTable(database, 'engine_messages', messageSchema, 'thread_id');
    this.runs = new PostgresRecordTable(database, 'engine_runs', runSchema, 'thread_id', true);
    this.steps = new PostgresRecordTable(database, 'engine_run_steps', runStepSchema, 'run_id');
  }

  /** Applies the engine's migrations (once across instances), then answers over the pool. */
  static async open(pool: pg.Pool): Promise<PostgresEngineState> {
    await migratePostgres(pool, 'engine', postgresEngineMigrations);
    // Each query its own transaction acting for the current user (or the lease sweep): row-level
    // security shows the engine only their threads, runs and messages.
    return new PostgresEngineState(pool, scopedDatabase(pool), false);
  }

  groupWrites(work: () => void): void {
    work();
  }

  async renewRunLeases(runIds: readonly string[], leaseMs: number): Promise<void> {
    if (runIds.length === 0) return;
    await this.database.query(
      `UPDATE engine_runs SET lease_until = clock_timestamp() + make_interval(secs => $2::double precision / 1000)
       WHERE id = ANY($1::text[])`,
      [[...runIds], leaseMs],
    );
  }

  async orphanedRunIds(threadId?: string): Promise<string[]> {
    const result = await this.database.query<{ id: string }>(
      `SELECT id FROM engine_runs
       WHERE status IN ('queued', 'in_progress', 'cancelling')
         AND (lease_until IS NULL OR lease_until < clock_timestamp())
         AND ($1::text IS NULL OR thread_id = $1)
       ORDER BY seq`,
      [threadId ?? null],
    );
    return result.rows.map((row) => row.id);
  }

  async requestRunCancel(runId: string): Promise<void> {
    await this.database.query(
      `UPDATE engine_runs SET cancel_requested_at = clock_timestamp()
       WHERE id = $1 AND status IN ('queued', 'in_progress') AND cancel_requested_at IS NULL`,
      [runId],
    );
  }

  async cancelRequested(runIds: readonly string[]): Promise<string[]> {
    if (runIds.length === 0) return [];
    const result = await this.database.query<{ id: string }>(
      'SELECT id FROM engine_runs WHERE id = ANY($1::text[]) AND cancel_requested_at IS NOT NULL',
      [[...runIds]],
    );
    return result.rows.map((row) => row.id);
  }

  async identity(): Promise<string> {
    const result = await this.database.query<{ id: string }>('SELECT id FROM engine_identity LIMIT 1');
    const row = result.rows[0];
    if (!row) throw new Error('the engine database has no identity row');
    return row.id;
  }

  activeRunIds(threadId?: string): Promise<string[]> {
    return this.runs.idsWithStatus(activeRunStatuses, threadId);
  }

  async countMessages(threadId: string): Promise<number> {
    const result = await this.database.query<{ count: string }>(
      'SELECT COUNT(*) AS count FROM engine_messages WHERE thread_id = $1',
      [threadId],
    );
    return Number(result.rows[0]?.count ?? 0);
  }

  async allMessages(threadId: string): Promise<Message[]> {
    return (await this.messages.list(threadId, { limit: 10_000, order: 'asc' })).data;
  }

  async setRunContext(runId: string, context: StoredRunContext): Promise<void> {
    await this.database.query('UPDATE engine_runs SET context = $1 WHERE id = $2', [
      JSON.stringify(context),
      runId,
    ]);
  }

  async runContext(runId: string): Promise<StoredRunContext | null> {
    const result = await this.database.query<{ context: unknown }>(
      'SELECT context FROM engine_runs WHERE id = $1',
      [runId],
    );
    const context = result.rows[0]?.context;
    return context ? runContextSchema.parse(context) : null;
  }

  /** One pooled client, BEGIN … COMMIT (ROLLBACK on a throw); nested calls join the outer one. */
  async transaction<T>(work: (state: EngineState) => Promise<T>): Promise<T> {
    if (this.isInTransaction) return work(this);
    return inTransaction(this.pool, (client) => work(new PostgresEngineState(this.pool, client, true)));
  }
}
