import { migrate, type SqliteDatabase } from '../sqlite/index.js';
import { localUserId } from '../common/index.js';

export type OwnedKind = 'vector_store' | 'file';

/**
 * Who owns each vector store and stored file, whatever engine holds them (the local knowledge base
 * or an upstream API). One small table in the embedded database, so every engine gets the same
 * rule without its own schema knowing about users.
 */
export type KnowledgeOwners = {
  record(kind: OwnedKind, id: string, userId: string): void;
  /**
   * Whether `userId` may see the object. An object with no recorded owner (made before ownership
   * existed, or outside Threadline's routes) belongs to the single local user of the auth-off
   * default, as threads without an owner do.
   */
  canSee(kind: OwnedKind, id: string, userId: string): boolean;
  forget(kind: OwnedKind, id: string): void;
};

const migrations = [
  `CREATE TABLE owners_knowledge (
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     PRIMARY KEY (kind, id)
   ) WITHOUT ROWID;`,
];

export function createKnowledgeOwners(database: SqliteDatabase): KnowledgeOwners {
  migrate(database, 'owners', migrations);
  const insert = database.prepare(
    'INSERT INTO owners_knowledge (kind, id, user_id) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO NOTHING',
  );
  const select = database.prepare<[string, string], { user_id: string }>(
    'SELECT user_id FROM owners_knowledge WHERE kind = ? AND id = ?',
  );
  const remove = database.prepare('DELETE FROM owners_knowledge WHERE kind = ? AND id = ?');
  return {
    record: (kind, id, userId) => void insert.run(kind, id, userId),
    canSee(kind, id, userId) {
      const owner = select.get(kind, id)?.user_id;
      return owner === undefined ? userId === localUserId : owner === userId;
    },
    forget: (kind, id) => void remove.run(kind, id),
  };
}
