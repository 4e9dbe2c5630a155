import { appendFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * An unhandled error fails the run (it is not ignored here); `npm test` also names it again at
 * the very end of its output, where a CI log's tail shows it, from the file it is written to.
 */
const unhandledLog = process.env.THREADLINE_UNHANDLED_LOG;

export default defineConfig({
  test: {
    onUnhandledError(error) {
      if (!unhandledLog) return;
      const stack = (error.stack ?? '').split('\n').slice(0, 8).join('\n');
      appendFileSync(unhandledLog, `${error.type}: ${error.name}: ${error.message}\n${stack}\n\n`);
    },
    projects: [
      {
        test: {
          name: 'shared',
          root: './shared',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'server',
          root: './server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      './web/vite.config.ts',
    ],
  },
});
