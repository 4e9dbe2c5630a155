/**
 * The local engine's tables in the shared PostgreSQL database: the same rows as
 * engineMigrations (objects whole, as jsonb, read back through the shared schemas; `seq` the
 * creation order cursors page over), in one migration since PostgreSQL starts empty.
 */
export const postgresEngineMigrations: readonly string[] = [
  `
  CREATE TABLE engine_assistants (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    owner text,
    data jsonb NOT NULL
  );
  CREATE TABLE engine_threads (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    owner text,
    data jsonb NOT NULL
  );
  CREATE TABLE engine_messages (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    thread_id text NOT NULL REFERENCES engine_threads(id) ON DELETE CASCADE,
    data jsonb NOT NULL
  );
  CREATE INDEX engine_messages_thread ON engine_messages(thread_id, seq);
  CREATE TABLE engine_runs (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    thread_id text NOT NULL REFERENCES engine_threads(id) ON DELETE CASCADE,
    status text NOT NULL,
    data jsonb NOT NULL,
    context jsonb
  );
  CREATE INDEX engine_runs_thread ON engine_runs(thread_id, seq);
  CREATE INDEX engine_runs_status ON engine_runs(status);
  CREATE TABLE engine_run_steps (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    run_id text NOT NULL REFERENCES engine_runs(id) ON DELETE CASCADE,
    data jsonb NOT NULL
  );
  CREATE INDEX engine_run_steps_run ON engine_run_steps(run_id, seq);
  CREATE TABLE engine_identity (id text NOT NULL);
  INSERT INTO engine_identity (id) VALUES (substr(md5(random()::text || clock_timestamp()::text), 1, 24));
  `,
  // The instance executing a run renews its lease; a lapsed lease means that instance stopped.
  `ALTER TABLE engine_runs ADD COLUMN lease_until timestamptz;`,
  // Another instance asked the one executing the run to cancel it (a /v1 cancel, a new chat turn).
  `ALTER TABLE engine_runs ADD COLUMN cancel_requested_at timestamptz;`,
  // One active run per thread, held by the database (see engineMigrations): older duplicates a
  // race left behind end failed first.
  `
  UPDATE engine_runs AS run
  SET status = 'failed',
      data = run.data || jsonb_build_object(
        'status', 'failed', 'failed_at', floor(extract(epoch FROM clock_timestamp()))::bigint,
        'required_action', NULL,
        'last_error', jsonb_build_object('code', 'server_error', 'message', 'Another run on this thread was active.'))
  WHERE run.status IN ('queued', 'in_progress', 'requires_action', 'cancelling')
    AND run.seq < (SELECT MAX(later.seq) FROM engine_runs AS later
                   WHERE later.thread_id = run.thread_id
                     AND later.status IN ('queued', 'in_progress', 'requires_action', 'cancelling'));
  CREATE UNIQUE INDEX engine_runs_one_active ON engine_runs(thread_id)
    WHERE status IN ('queued', 'in_progress', 'requires_action', 'cancelling');
  `,
];
