import {
  assistantSchema,
  messageSchema,
  runSchema,
  runStepSchema,
  searchHitSchema,
  threadSchema,
  type Assistant,
  type Message,
  type Run,
  type RunStep,
  type Thread,
} from '@threadline/shared';
import { z } from 'zod';
import { migrate, type SqliteDatabase } from '../../../sqlite/index.js';
import { engineMigrations } from './engine-migrations.js';
import { JsonTable } from './json-table.js';

/** What a run remembers between turns (retrieved sources, earlier tool rounds) so it can continue. */
export const runContextSchema = z.object({
  query: z.string(),
  hits: z.array(searchHitSchema),
  messageIndex: z.number().int().nonnegative(),
  toolRounds: z.array(
    z.object({
      calls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })),
      outputs: z.array(z.object({ tool_call_id: z.string(), output: z.string() })),
    }),
  ),
});
export type StoredRunContext = z.infer<typeof runContextSchema>;

export const activeRunStatuses = ['queued', 'in_progress', 'requires_action', 'cancelling'] as const;

/**
 * The error a store raises when a thread would get a second active run (the unique index
 * `engine_runs_one_active`, in SQLite and PostgreSQL): two instances, or two requests, that both
 * found the thread idle; the second is told the thread is busy, as OpenAI tells it.
 */
export function isSecondActiveRun(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, constraint } = error as Error & { code?: unknown; constraint?: unknown };
  if (code === '23505') return constraint === 'engine_runs_one_active';
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes('engine_runs.thread_id');
}

/** The local engine's persistent state in the shared SQLite file (tables prefixed `engine_`). */
export class EngineStore {
  readonly assistants: JsonTable<Assistant>;
  readonly threads: JsonTable<Thread>;
  readonly messages: JsonTable<Message>;
  readonly runs: JsonTable<Run>;
  readonly steps: JsonTable<RunStep>;

  constructor(private readonly database: SqliteDatabase) {
    migrate(database, 'engine', engineMigrations);
    this.assistants = new JsonTable(database, 'engine_assistants', assistantSchema, undefined, false, true);
    this.threads = new JsonTable(database, 'engine_threads', threadSchema, undefined, false, true);
    this.messages = new JsonTable(database, 'engine_messages', messageSchema, 'thread_id');
    this.runs = new JsonTable(database, 'engine_runs', runSchema, 'thread_id', true);
    this.steps = new JsonTable(database, 'engine_run_steps', runStepSchema, 'run_id');
  }

  /** The id this database's engine was given when its tables were made (see engineMigrations). */
  identity(): string {
    const row = this.database.prepare<[], { id: string }>('SELECT id FROM engine_identity LIMIT 1').get();
    if (!row) throw new Error('the engine database has no identity row');
    return row.id;
  }

  activeRunIds(threadId?: string): string[] {
    return this.runs.idsWithStatus(activeRunStatuses, threadId);
  }

  countMessages(threadId: string): number {
    const row = this.database
      .prepare<[string], { count: number }>(
        'SELECT COUNT(*) AS count FROM engine_messages WHERE thread_id = ?',
      )
      .get(threadId);
    return row?.count ?? 0;
  }

  /** Every message of a thread in order, for building a model's conversation. */
  allMessages(threadId: string): Message[] {
    return this.messages.list(threadId, { limit: 10_000, order: 'asc' }).data;
  }

  setRunContext(runId: string, context: StoredRunContext): void {
    this.database
      .prepare('UPDATE engine_runs SET context = ? WHERE id = ?')
      .run(JSON.stringify(context), runId);
  }

  runContext(runId: string): StoredRunContext | null {
    const row = this.database
      .prepare<[string], { context: string | null }>('SELECT context FROM engine_runs WHERE id = ?')
      .get(runId);
    return row?.context ? runContextSchema.parse(JSON.parse(row.context)) : null;
  }

  transaction<T>(work: () => T): T {
    return this.database.transaction(work)();
  }
}
