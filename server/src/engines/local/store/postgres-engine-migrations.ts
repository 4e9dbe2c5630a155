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
  // Ownership enforced by the database (as the kb_* tables, see RowScope in postgres/): a thread
  // or an assistant is its owner's (one with no owner, made before owners were kept in the rows, is
  // the local user's, as the app's ownership rule has it; an unowned assistant, the built-in one, is
  // everyone's to read); messages and runs are whoever sees their thread's, run steps their run's.
  // Threads made by the chat door named their owner in metadata only: it fills the column here.
  // The run-leases worker (the lease sweep: renewing this instance's runs, ending dead instances')
  // sees every run with its steps and messages; adopt-owners (migrate:engine's copy) every row.
  `
  UPDATE engine_threads SET owner = data->'metadata'->>'userId'
    WHERE owner IS NULL AND data->'metadata'->>'userId' IS NOT NULL;
  DO $$
  DECLARE owned text;
  BEGIN
    FOREACH owned IN ARRAY ARRAY['engine_assistants', 'engine_threads', 'engine_messages', 'engine_runs',
      'engine_run_steps'] LOOP
      EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', owned);
      EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', owned);
      EXECUTE format($policy$CREATE POLICY %I ON %I
        USING (current_setting('threadline.worker', true) = 'adopt-owners')
        WITH CHECK (current_setting('threadline.worker', true) = 'adopt-owners')$policy$, owned || '_copy', owned);
    END LOOP;
    FOREACH owned IN ARRAY ARRAY['engine_assistants', 'engine_threads'] LOOP
      EXECUTE format($policy$CREATE POLICY %I ON %I
        USING (owner = current_setting('threadline.owner', true)
          OR (owner IS NULL AND current_setting('threadline.owner', true) = 'local'))
        WITH CHECK (owner = current_setting('threadline.owner', true)
          OR (owner IS NULL AND current_setting('threadline.owner', true) = 'local'))$policy$,
        owned || '_owner', owned);
    END LOOP;
    FOREACH owned IN ARRAY ARRAY['engine_threads', 'engine_messages', 'engine_runs', 'engine_run_steps'] LOOP
      EXECUTE format($policy$CREATE POLICY %I ON %I
        USING (current_setting('threadline.worker', true) = 'run-leases')
        WITH CHECK (current_setting('threadline.worker', true) = 'run-leases')$policy$, owned || '_leases', owned);
    END LOOP;
    FOREACH owned IN ARRAY ARRAY['engine_messages', 'engine_runs'] LOOP
      EXECUTE format($policy$CREATE POLICY %I ON %I
        USING (EXISTS (SELECT 1 FROM engine_threads t WHERE t.id = thread_id))
        WITH CHECK (EXISTS (SELECT 1 FROM engine_threads t WHERE t.id = thread_id))$policy$,
        owned || '_thread', owned);
    END LOOP;
  END $$;
  CREATE POLICY engine_assistants_shared ON engine_assistants FOR SELECT USING (owner IS NULL);
  CREATE POLICY engine_run_steps_run ON engine_run_steps
    USING (EXISTS (SELECT 1 FROM engine_runs r WHERE r.id = run_id))
    WITH CHECK (EXISTS (SELECT 1 FROM engine_runs r WHERE r.id = run_id));
  `,
  // Another instance asked the one executing the run to cancel it (a /v1 cancel, a new chat turn).
  `ALTER TABLE engine_runs ADD COLUMN cancel_requested_at timestamptz;`,
  // One active run per thread, held by the database (see engineMigrations): older duplicates a
  // race left behind end failed first.
  `
  SELECT set_config('threadline.worker', 'run-leases', true);
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
