import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, type AppOverrides } from '../../src/app.js';
import { testConfig } from './test-config.js';

export type TestConfig = ReturnType<typeof testConfig>;
export type TestApp = { app: FastifyInstance; config: TestConfig; close: () => Promise<void> };

/**
 * The real app (`buildApp`, never listening: tests call `app.inject()`) over `config`, a fresh
 * data dir by default. `close` closes the app, then removes its data dir.
 */
export async function buildTestApp(
  config: TestConfig = testConfig(),
  overrides: AppOverrides = {},
): Promise<TestApp> {
  const app = await buildApp(config, { logger: false, ...overrides });
  return {
    app,
    config,
    close: async () => {
      await app.close();
      config.cleanup();
    },
  };
}

/**
 * One app for a whole suite: built before its first test over a fresh data dir with `environment`,
 * closed (and the dir removed) after its last. `app` stands for the built app from the suite's
 * first test on, so a suite writes `const { app } = useTestApp({ … })` and calls `app.inject()`.
 */
export function useTestApp(
  environment: Record<string, string> = {},
  overrides: AppOverrides = {},
): { app: FastifyInstance; config: TestConfig } {
  const config = testConfig(environment);
  let built: TestApp | undefined;
  beforeAll(async () => {
    built = await buildTestApp(config, overrides);
  });
  afterAll(async () => built?.close());
  const app = new Proxy({} as FastifyInstance, {
    get(_target, key) {
      if (!built) throw new Error('useTestApp: the app is built before the first test, not at collection');
      const value: unknown = Reflect.get(built.app, key, built.app);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(built.app) : value;
    },
  });
  return { app, config };
}
