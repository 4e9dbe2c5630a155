import { createHash } from 'node:crypto';
import { AppError } from '../http/index.js';

/** What a user can own. A run is its thread's: whoever may see the thread may see its runs. */
export type OwnedKind = 'thread' | 'vector_store' | 'file' | 'assistant';

/**
 * Who owns each object of one engine, kept where every instance sees it. The first owner recorded
 * wins: recording again (a lazy backfill racing a creation, a retried request) changes nothing.
 */
export type OwnerRecords = {
  record: (kind: OwnedKind, id: string, userId: string) => Promise<void>;
  /** The recorded owner; null when none is recorded. */
  ownerOf: (kind: OwnedKind, id: string) => Promise<string | null>;
  forget: (kind: OwnedKind, id: string) => Promise<void>;
};

/**
 * Each user's default vector stores on one engine, beside the owner records, and the claim that
 * lets exactly one instance provision them while the others wait.
 */
export type DefaultStoreRecords = {
  /** The user's default stores; null when none was ever recorded. */
  get: (userId: string) => Promise<string[] | null>;
  /** Records the default unless one exists (a choice saved meanwhile wins); whether it did. */
  putIfAbsent: (userId: string, vectorStoreIds: readonly string[]) => Promise<boolean>;
  put: (userId: string, vectorStoreIds: readonly string[]) => Promise<void>;
  /**
   * Takes the user's provisioning claim for `ttlMs` when it is free, expired, or already
   * `holder`'s (then it is renewed); whether `holder` holds it now.
   */
  claim: (userId: string, holder: string, ttlMs: number) => Promise<boolean>;
  /** Frees the claim if `holder` still holds it. */
  release: (userId: string, holder: string) => Promise<void>;
};

/** Where the records live: MongoDB, else Redis, else the embedded SQLite file (one instance). */
export type RecordsHome = 'mongodb' | 'redis' | 'sqlite';

/** The owner and default records of one engine in one home, with what closes its connection. */
export type SharedRecords = {
  home: RecordsHome;
  owners: OwnerRecords;
  defaults: DefaultStoreRecords;
  close: () => Promise<void>;
};

/**
 * The records' key for an engine identity (see Engine.identity): short, fixed-length and free of
 * the separators keys use, and never the URL itself (which may name a host an operator would
 * rather not see in every key).
 */
export const recordsScope = (engineIdentity: string): string =>
  createHash('sha256').update(engineIdentity).digest('base64url').slice(0, 16);

/**
 * A records home that cannot be reached: 503 in the error shape, so the client retries. With Redis
 * it is the code every request needing the other instances answers while Redis is away.
 */
export const recordsUnavailable = (home: Exclude<RecordsHome, 'sqlite'>, cause: unknown) =>
  home === 'redis'
    ? new AppError(
        'coordination_unavailable',
        503,
        'The instances cannot check who owns what right now (Redis is unavailable); try again shortly',
        { cause, headers: { 'retry-after': '2' } },
      )
    : new AppError(
        'store_unavailable',
        503,
        'Ownership records are unavailable (MongoDB); try again shortly',
        {
          cause,
          headers: { 'retry-after': '2' },
        },
      );
