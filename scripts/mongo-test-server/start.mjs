// Starts a MongoDB-compatible server for tests on 127.0.0.1, data in a directory of the caller's.
// FerretDB (SQLite handler) when its binary is installed; otherwise mongo-java-server (H2 backend)
// from Maven Central, which is what this machine can get: the Go module proxy refuses FerretDB.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'threadline');

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const which = (name) => {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
};

function findFerretDb() {
  const candidates = [
    which('ferretdb'),
    join(homedir(), 'go/bin/ferretdb'),
    process.env.GOPATH && join(process.env.GOPATH, 'bin/ferretdb'),
  ];
  return candidates.find((path) => path && existsSync(path));
}

/** The Java classpath of mongo-java-server, resolved once by Maven and cached. */
function javaClasspath() {
  const cached = join(cacheDir, 'mongo-test-server.classpath');
  if (existsSync(cached)) {
    const classpath = readFileSync(cached, 'utf8').trim();
    if (classpath.split(':').every((jar) => existsSync(jar))) return classpath;
  }
  if (!which('java') || !which('mvn')) return undefined;
  mkdirSync(cacheDir, { recursive: true });
  const result = spawnSync(
    'mvn',
    ['-q', '-B', '-f', join(here, 'pom.xml'), 'dependency:build-classpath', `-Dmdep.outputFile=${cached}`],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (result.status !== 0 || !existsSync(cached)) return undefined;
  return readFileSync(cached, 'utf8').trim();
}

/** Resolves how a server would be started, without starting one; undefined when none can be had. */
export function resolveMongoTestServer() {
  const ferretdb = findFerretDb();
  if (ferretdb) return { kind: 'ferretdb', binary: ferretdb };
  const classpath = javaClasspath();
  if (classpath) return { kind: 'mongo-java-server', classpath };
  return undefined;
}

async function waitForPort(port, child, timeoutMs) {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`MongoDB test server exited with ${child.exitCode}`);
    const isOpen = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (isOpen) return;
    if (Date.now() - started > timeoutMs)
      throw new Error(`MongoDB test server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts the server; returns its URI and stop/start so fault tests can take it down and bring it
 * back on the same port with the same data.
 */
export async function startMongoTestServer({ dataDir, port, server = resolveMongoTestServer() }) {
  if (!server) throw new Error('No MongoDB-compatible server available (need FerretDB, or java + mvn)');
  mkdirSync(dataDir, { recursive: true });
  const listenPort = port ?? (await freePort());
  let child;
  const start = async () => {
    if (server.kind === 'ferretdb') {
      child = spawn(
        server.binary,
        [
          '--handler=sqlite',
          `--sqlite-url=file:${dataDir}/`,
          `--listen-addr=127.0.0.1:${listenPort}`,
          '--telemetry=disable',
          '--log-level=error',
          `--state-dir=${dataDir}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } else {
      child = spawn(
        'java',
        [
          '-Xmx512m',
          '-cp',
          server.classpath,
          join(here, 'MongoTestServer.java'),
          String(listenPort),
          join(dataDir, 'mongo.mv.db'),
        ],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
    }
    child.stderr.on('data', () => {});
    await waitForPort(listenPort, child, 60_000);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    kind: server.kind,
    uri: `mongodb://127.0.0.1:${listenPort}/?directConnection=true`,
    port: listenPort,
    pid: () => child.pid,
    start,
    stop,
  };
}

// Run directly: start a server and print its URI (for trying things by hand).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dataDir = process.argv[2] ?? join(cacheDir, 'mongo-dev-data');
  const handle = await startMongoTestServer({
    dataDir,
    port: process.argv[3] ? Number(process.argv[3]) : undefined,
  });
  process.stdout.write(`${handle.kind} at ${handle.uri}\n`);
  process.on('SIGINT', () => void handle.stop().then(() => process.exit(0)));
}
