import { localUserId } from '../common/index.js';
import type {
  DefaultStoreRecords,
  OwnedKind,
  OwnerRecords,
  RecordsHome,
  SharedRecords,
} from './owner-records.js';

/**
 * Where owners were kept before the records: per kind, read in order until one names an owner
 * (undefined or null: it does not).
 */
export type OldOwnerSources = Partial<
  Record<OwnedKind, Array<(id: string) => Promise<string | null | undefined> | string | null | undefined>>
>;

/**
 * The one ownership rule, for every door (chat, history, /v1, legacy, knowledge) and every
 * instance. Someone else's id must answer exactly like a missing one; callers throw their door's
 * usual 404 when `canSee` is false.
 */
export type Ownership = {
  /** Where the records live (MongoDB, Redis or this instance's SQLite). */
  readonly home: RecordsHome;
  /**
   * The recorded owner; else, for objects made before records existed, the first old source that
   * names one, recorded so it is read once (lazy backfill); else null.
   */
  ownerOf(kind: OwnedKind, id: string): Promise<string | null>;
  /**
   * Whether `userId` may see the object: they own it; or no one does and it is the auth-off local
   * user asking (what was made before owners were recorded is theirs) — except assistants, where
   * an unowned one (the built-in assistant) is everyone's.
   */
  canSee(kind: OwnedKind, id: string, userId: string): Promise<boolean>;
  /** The ids of `ids` that `userId` may see, in their order. */
  visible(kind: OwnedKind, ids: readonly string[], userId: string): Promise<string[]>;
  /** Records `userId` as the owner of what they just created (the first owner recorded stays). */
  record(kind: OwnedKind, id: string, userId: string): Promise<void>;
  forget(kind: OwnedKind, id: string): Promise<void>;
  /** Each user's default knowledge on this engine, kept beside the owner records. */
  readonly defaultStores: DefaultStoreRecords;
};

export function createOwnership(records: SharedRecords, oldSources: OldOwnerSources = {}): Ownership {
  const owners: OwnerRecords = records.owners;
  const fromOldSources = async (kind: OwnedKind, id: string): Promise<string | null> => {
    for (const source of oldSources[kind] ?? []) {
      const owner = await source(id);
      if (typeof owner === 'string') return owner;
    }
    return null;
  };
  const ownerOf = async (kind: OwnedKind, id: string): Promise<string | null> => {
    const recorded = await owners.ownerOf(kind, id);
    if (recorded !== null) return recorded;
    const found = await fromOldSources(kind, id);
    if (found !== null) await owners.record(kind, id, found);
    return found;
  };
  const canSee = async (kind: OwnedKind, id: string, userId: string): Promise<boolean> => {
    const owner = await ownerOf(kind, id);
    if (owner !== null) return owner === userId;
    return kind === 'assistant' || userId === localUserId;
  };
  return {
    home: records.home,
    ownerOf,
    canSee,
    async visible(kind, ids, userId) {
      const seen = await Promise.all(ids.map((id) => canSee(kind, id, userId)));
      return ids.filter((_id, index) => seen[index]);
    },
    record: (kind, id, userId) => owners.record(kind, id, userId),
    forget: (kind, id) => owners.forget(kind, id),
    defaultStores: records.defaults,
  };
}
