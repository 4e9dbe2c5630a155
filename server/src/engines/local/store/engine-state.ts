import type { Assistant, Message, Run, RunStep, Thread } from '@threadline/shared';
import type { StoredRunContext } from './engine-store.js';
import type { Page, PageQuery } from './json-table.js';

/**
 * One engine table of whole objects, asynchronously: the same contract whether the rows are in
 * the embedded SQLite file (JsonTable behind it) or in the shared PostgreSQL database.
 */
export interface RecordTable<T extends { id: string }> {
  insert(item: T, parentId?: string, owner?: string | null): Promise<void>;
  update(item: T): Promise<void>;
  get(id: string): Promise<T | null>;
  delete(id: string): Promise<boolean>;
  /** `undefined` when there is no such row; `null` when it has no owner. */
  ownerOf(id: string): Promise<string | null | undefined>;
  /** With `visibleTo`, only rows without an owner or owned by that user. */
  list(parentId: string | null, query: PageQuery, visibleTo?: string): Promise<Page<T>>;
  /** Ids of rows whose status is one of `statuses`, in creation order (runs only). */
  idsWithStatus(statuses: readonly string[], parentId?: string): Promise<string[]>;
}

/**
 * The local engine's persistent state behind one asynchronous interface, two implementations:
 * SQLite (the embedded default, `SqliteEngineState`) and PostgreSQL (`PostgresEngineState`,
 * shared by every instance). Both pass server/test/engines/local/store/engine-state-contract.ts.
 */
export interface EngineState {
  readonly assistants: RecordTable<Assistant>;
  readonly threads: RecordTable<Thread>;
  readonly messages: RecordTable<Message>;
  readonly runs: RecordTable<Run>;
  readonly steps: RecordTable<RunStep>;
  /**
   * True when every write is done before its call returns (SQLite: better-sqlite3 is
   * synchronous), so writes issued one after another land in that order with no waiting. False
   * (PostgreSQL): a writer that needs an order chains its writes (RunPublisher does).
   */
  readonly writesInCallOrder: boolean;
  /**
   * Writes issued by `work` (synchronously) in one commit where the backend can: one WAL commit
   * in SQLite; in PostgreSQL each write commits alone, in the order its writer chained them.
   */
  groupWrites(work: () => void): void;
  /**
   * Whether runs are held under leases: true where several instances share the state
   * (PostgreSQL), so a run whose instance died is found by its lapsed lease and ended by another.
   * The embedded file has one process, which ends its own interrupted runs when it starts.
   */
  readonly hasRunLeases: boolean;
  /** This instance still executes these runs: their leases run `leaseMs` from now. */
  renewRunLeases(runIds: readonly string[], leaseMs: number): Promise<void>;
  /**
   * Runs still marked queued, in progress or cancelling whose lease has lapsed (their instance
   * stopped), of one thread or all; `requires_action` runs wait for outputs, not an instance.
   */
  orphanedRunIds(threadId?: string): Promise<string[]>;
  /**
   * Asks whichever instance executes the run to cancel it (leased runs only): recorded on the
   * run's row, so the request outlives a missed poll, and seen by that instance within a second.
   */
  requestRunCancel(runId: string): Promise<void>;
  /** Of these runs (executing here), those another instance asked to cancel. */
  cancelRequested(runIds: readonly string[]): Promise<string[]>;
  /** The id this database's engine was given when its tables were made. */
  identity(): Promise<string>;
  activeRunIds(threadId?: string): Promise<string[]>;
  countMessages(threadId: string): Promise<number>;
  /** Every message of a thread in order, for building a model's conversation. */
  allMessages(threadId: string): Promise<Message[]>;
  setRunContext(runId: string, context: StoredRunContext): Promise<void>;
  runContext(runId: string): Promise<StoredRunContext | null>;
  /**
   * Runs `work` against a state whose writes commit together or not at all; `work` must use the
   * state it is given, not this one.
   */
  transaction<T>(work: (state: EngineState) => Promise<T>): Promise<T>;
}

/** Engine state kept elsewhere than the embedded file (PostgreSQL), opened before the engine. */
export type SharedEngineState = { state: EngineState; identity: string; close: () => Promise<void> };
