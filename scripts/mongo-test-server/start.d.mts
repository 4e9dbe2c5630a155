// Types for start.mjs, so TypeScript tests and benchmarks can start a MongoDB-compatible server.
export type MongoTestServerKind = 'ferretdb' | 'mongo-java-server';
export type ResolvedMongoTestServer =
  { kind: 'ferretdb'; binary: string } | { kind: 'mongo-java-server'; classpath: string };
export type MongoTestServer = {
  kind: MongoTestServerKind;
  uri: string;
  port: number;
  pid: () => number | undefined;
  start: () => Promise<void>;
  stop: () => Promise<void>;
};
export function freePort(): Promise<number>;
export function resolveMongoTestServer(): ResolvedMongoTestServer | undefined;
export function startMongoTestServer(options: {
  dataDir: string;
  port?: number | undefined;
  server?: ResolvedMongoTestServer | undefined;
}): Promise<MongoTestServer>;
