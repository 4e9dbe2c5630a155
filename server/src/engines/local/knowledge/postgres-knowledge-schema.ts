/**
 * The knowledge base in the shared PostgreSQL database. Every row carries its owner (the user who
 * made the object) and row-level security keeps each transaction to its acting user's rows, so two
 * users' stores never meet whichever instance answers, even in a query without an owner filter. Chunks keep the analysed fields the SQLite index sees (search-terms.ts), indexed as
 * `simple` tsvectors (title A, headings B, body D) so both backends match the same terms; vectors
 * are pgvector `vector` values whose HNSW index is made per embedding model and dimension
 * (`ensureVectorIndex`): one column serves hashed vectors and MiniLM alike.
 */
export const postgresKnowledgeMigrations: readonly string[] = [
  `
  CREATE EXTENSION IF NOT EXISTS vector;
  CREATE TABLE kb_files (
    id text PRIMARY KEY,
    owner text NOT NULL,
    file_name text NOT NULL,
    bytes bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX kb_files_owner ON kb_files(owner);
  CREATE TABLE kb_vector_stores (
    id text PRIMARY KEY,
    owner text NOT NULL,
    name text NOT NULL,
    chunk_size int NOT NULL,
    chunk_overlap int NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX kb_vector_stores_owner ON kb_vector_stores(owner);
  CREATE TABLE kb_store_files (
    vector_store_id text NOT NULL REFERENCES kb_vector_stores(id) ON DELETE CASCADE,
    file_id text NOT NULL REFERENCES kb_files(id) ON DELETE CASCADE,
    owner text NOT NULL,
    status text NOT NULL,
    error_message text,
    chunk_count int NOT NULL DEFAULT 0,
    attempts int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vector_store_id, file_id)
  );
  -- The shared ingestion queue: one row per pending (store, file); an instance claims a job
  -- with FOR UPDATE SKIP LOCKED and holds it for a lease, so a job whose instance died is
  -- taken again once its lease has run out.
  CREATE TABLE kb_ingestion_jobs (
    vector_store_id text NOT NULL,
    file_id text NOT NULL,
    owner text NOT NULL,
    content bytea NOT NULL,
    claimed_by text,
    lease_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (vector_store_id, file_id),
    FOREIGN KEY (vector_store_id, file_id) REFERENCES kb_store_files(vector_store_id, file_id) ON DELETE CASCADE
  );
  CREATE INDEX kb_ingestion_jobs_order ON kb_ingestion_jobs(created_at);
  CREATE TABLE kb_chunks (
    id text PRIMARY KEY,
    owner text NOT NULL,
    vector_store_id text NOT NULL,
    file_id text NOT NULL,
    ordinal int NOT NULL,
    text text NOT NULL,
    index_title text NOT NULL,
    index_headings text NOT NULL,
    index_body text NOT NULL,
    terms tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('simple', index_title), 'A') ||
      setweight(to_tsvector('simple', index_headings), 'B') ||
      setweight(to_tsvector('simple', index_body), 'D')
    ) STORED,
    title_terms tsvector GENERATED ALWAYS AS (to_tsvector('simple', index_title)) STORED,
    embedding vector,
    embedding_model text NOT NULL,
    FOREIGN KEY (vector_store_id, file_id) REFERENCES kb_store_files(vector_store_id, file_id) ON DELETE CASCADE
  );
  CREATE INDEX kb_chunks_store ON kb_chunks(owner, vector_store_id);
  CREATE INDEX kb_chunks_pair ON kb_chunks(vector_store_id, file_id);
  CREATE INDEX kb_chunks_terms ON kb_chunks USING gin (terms);
  CREATE INDEX kb_chunks_title_terms ON kb_chunks USING gin (title_terms);
  `,
  // What the app's knowledge base keeps beyond the first schema (OpenAI's file purpose, store
  // metadata and expiry, per-file chunking and attributes, file batches), and every file's bytes
  // in the database, so whichever instance serves /v1/files/{id}/content or ingests it has them.
  `
  ALTER TABLE kb_files ADD COLUMN purpose text NOT NULL DEFAULT 'assistants';
  ALTER TABLE kb_files ADD COLUMN content_type text;
  CREATE TABLE kb_file_contents (
    file_id text PRIMARY KEY REFERENCES kb_files(id) ON DELETE CASCADE,
    content bytea NOT NULL
  );
  ALTER TABLE kb_vector_stores ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}';
  ALTER TABLE kb_vector_stores ADD COLUMN expires_after jsonb;
  ALTER TABLE kb_vector_stores ADD COLUMN last_active_at timestamptz;
  ALTER TABLE kb_store_files ADD COLUMN error_code text;
  ALTER TABLE kb_store_files ADD COLUMN usage_bytes bigint NOT NULL DEFAULT 0;
  ALTER TABLE kb_store_files ADD COLUMN chunk_size int;
  ALTER TABLE kb_store_files ADD COLUMN chunk_overlap int;
  ALTER TABLE kb_store_files ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}';
  ALTER TABLE kb_store_files ADD COLUMN seq bigserial;
  CREATE INDEX kb_store_files_file ON kb_store_files(file_id);
  CREATE TABLE kb_file_batches (
    id text PRIMARY KEY,
    vector_store_id text NOT NULL REFERENCES kb_vector_stores(id) ON DELETE CASCADE,
    owner text NOT NULL,
    file_ids jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  ALTER TABLE kb_files ADD COLUMN seq bigserial;
  ALTER TABLE kb_vector_stores ADD COLUMN seq bigserial;
  `,
  // Each chunk's length in indexed tokens (the analysed fields are space-separated terms):
  // BM25's document length, which a tsvector does not keep.
  `
  ALTER TABLE kb_chunks ADD COLUMN token_count int GENERATED ALWAYS AS (
    coalesce(array_length(string_to_array(btrim(index_title || ' ' || index_headings || ' ' || index_body), ' '), 1), 0)
  ) STORED;
  `,
  // Each chunk's term frequencies per field, {lexeme: [title, headings, body]}: FTS5's bm25 counts
  // a term's occurrences in each column, which a tsvector keeps only as positions (unnesting them
  // per row at search time cost ~10x). A stored generated column, so adding it fills existing rows
  // and every insert (ingestion, migrate:engine) computes it. Lexemes are those of the `terms`
  // tsvector (the same `simple` parse); positions cap at 256 per lexeme, far past BM25's saturation.
  `
  CREATE FUNCTION kb_term_frequencies(title text, headings text, body text) RETURNS jsonb
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(lexeme, jsonb_build_array(t, h, b)), '{}'::jsonb) FROM (
      SELECT lexeme, sum(t)::int AS t, sum(h)::int AS h, sum(b)::int AS b FROM (
        SELECT lexeme, cardinality(positions) AS t, 0 AS h, 0 AS b FROM unnest(to_tsvector('simple', title))
        UNION ALL SELECT lexeme, 0, cardinality(positions), 0 FROM unnest(to_tsvector('simple', headings))
        UNION ALL SELECT lexeme, 0, 0, cardinality(positions) FROM unnest(to_tsvector('simple', body))
      ) occurrences GROUP BY lexeme
    ) counted
  $$;
  ALTER TABLE kb_chunks ADD COLUMN term_frequencies jsonb
    GENERATED ALWAYS AS (kb_term_frequencies(index_title, index_headings, index_body)) STORED;
  `,
  // Ownership enforced by the database: every table's rows are its owner's alone, whatever a
  // query forgets (see RowScope in postgres/). File bytes get their file's owner. Rows still owned
  // by 'engine' (written before this, or copied by migrate:engine) belong to no user until the app
  // gives them their owner from its ownership records (adopt-owners). Two worker views: the
  // ingestion queue (claiming a job reads its keys across owners; the job runs as its owner) and
  // corpus statistics (BM25's chunk counts over every chunk, as SQLite's FTS5 counts them).
  `
  ALTER TABLE kb_file_contents ADD COLUMN owner text;
  UPDATE kb_file_contents c SET owner = f.owner FROM kb_files f WHERE f.id = c.file_id;
  ALTER TABLE kb_file_contents ALTER COLUMN owner SET NOT NULL;
  CREATE INDEX kb_file_batches_owner ON kb_file_batches(owner);
  DO $$
  DECLARE owned text;
  BEGIN
    FOREACH owned IN ARRAY ARRAY['kb_files', 'kb_file_contents', 'kb_vector_stores', 'kb_store_files',
      'kb_file_batches', 'kb_chunks', 'kb_ingestion_jobs'] LOOP
      EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', owned);
      EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', owned);
      EXECUTE format($policy$CREATE POLICY %I ON %I
        USING (owner = current_setting('threadline.owner', true))
        WITH CHECK (owner = current_setting('threadline.owner', true))$policy$, owned || '_owner', owned);
      EXECUTE format($policy$CREATE POLICY %I ON %I
        USING (owner = 'engine' AND current_setting('threadline.worker', true) = 'adopt-owners')
        WITH CHECK (current_setting('threadline.worker', true) = 'adopt-owners')$policy$, owned || '_adopt', owned);
    END LOOP;
  END $$;
  CREATE POLICY kb_ingestion_jobs_claim_read ON kb_ingestion_jobs FOR SELECT
    USING (current_setting('threadline.worker', true) = 'ingestion-queue');
  CREATE POLICY kb_ingestion_jobs_claim ON kb_ingestion_jobs FOR UPDATE
    USING (current_setting('threadline.worker', true) = 'ingestion-queue')
    WITH CHECK (current_setting('threadline.worker', true) = 'ingestion-queue');
  CREATE POLICY kb_chunks_statistics ON kb_chunks FOR SELECT
    USING (current_setting('threadline.worker', true) = 'corpus-statistics');
  CREATE POLICY kb_store_files_statistics ON kb_store_files FOR SELECT
    USING (current_setting('threadline.worker', true) = 'corpus-statistics');
  `,
  // A chunk embedded in several windows (MiniLM: 128 word pieces each) is stored as their vectors
  // end to end; it is as near a question as its nearest window, as SQLite's vector scan scores it.
  `
  CREATE FUNCTION kb_best_window_distance(embedding vector, query vector) RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT min(subvector(embedding, 1 + w * vector_dims(query), vector_dims(query)) <=> query)
    FROM generate_series(0, vector_dims(embedding) / vector_dims(query) - 1) AS w
  $$;
  `,
  // A chunk's length counts its terms, as FTS5 counts a row's tokens: an empty field (a plain
  // text file's chunks have no section path) left two spaces in a row, counted as one more
  // token, so those chunks weighed longer than on SQLite (82 of the Git docs' 1,435 chunks).
  `
  ALTER TABLE kb_chunks DROP COLUMN token_count;
  ALTER TABLE kb_chunks ADD COLUMN token_count int GENERATED ALWAYS AS (
    coalesce(array_length(array_remove(string_to_array(index_title || ' ' || index_headings || ' ' || index_body, ' '), ''), 1), 0)
  ) STORED;
  `,
];
