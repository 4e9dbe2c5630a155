/**
 * The local engine's tables. Objects are stored whole as JSON (validated with the shared
 * schemas when read); `seq` gives the stable creation order cursors page over.
 */
export const engineMigrations: readonly string[] = [
  `
  CREATE TABLE engine_assistants (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL
  );
  CREATE TABLE engine_threads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL
  );
  CREATE TABLE engine_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    thread_id TEXT NOT NULL REFERENCES engine_threads(id) ON DELETE CASCADE,
    data TEXT NOT NULL
  );
  CREATE INDEX engine_messages_thread ON engine_messages(thread_id, seq);
  CREATE TABLE engine_runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    thread_id TEXT NOT NULL REFERENCES engine_threads(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    data TEXT NOT NULL,
    context TEXT
  );
  CREATE INDEX engine_runs_thread ON engine_runs(thread_id, seq);
  CREATE INDEX engine_runs_status ON engine_runs(status);
  CREATE TABLE engine_run_steps (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    run_id TEXT NOT NULL REFERENCES engine_runs(id) ON DELETE CASCADE,
    data TEXT NOT NULL
  );
  CREATE INDEX engine_run_steps_run ON engine_run_steps(run_id, seq);
  `,
  // Who created an assistant or thread through /v1 (null: the orchestrator or the built-in one).
  `
  ALTER TABLE engine_assistants ADD COLUMN owner TEXT;
  ALTER TABLE engine_threads ADD COLUMN owner TEXT;
  `,
  // This database's engine, named once: what is recorded about its objects elsewhere (owners,
  // default stores in Redis or MongoDB) is kept under it, apart from other engines' objects.
  `
  CREATE TABLE engine_identity (id TEXT NOT NULL);
  INSERT INTO engine_identity (id) VALUES (lower(hex(randomblob(12))));
  `,
  // One active run per thread, held by the database rather than a check before the insert (two
  // requests could both pass it). Older duplicates a race left behind end failed first.
  `
  UPDATE engine_runs
  SET status = 'failed',
      data = json_set(data, '$.status', 'failed', '$.failed_at', CAST(strftime('%s', 'now') AS INTEGER),
        '$.required_action', NULL,
        '$.last_error', json('{"code":"server_error","message":"Another run on this thread was active."}'))
  WHERE status IN ('queued', 'in_progress', 'requires_action', 'cancelling')
    AND seq < (SELECT MAX(later.seq) FROM engine_runs AS later
               WHERE later.thread_id = engine_runs.thread_id
                 AND later.status IN ('queued', 'in_progress', 'requires_action', 'cancelling'));
  CREATE UNIQUE INDEX engine_runs_one_active ON engine_runs(thread_id)
    WHERE status IN ('queued', 'in_progress', 'requires_action', 'cancelling');
  `,
];
