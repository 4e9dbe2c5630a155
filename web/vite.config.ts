import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const precachePlaceholder = '/* built assets */ []';

/**
 * Writes the built JS/CSS file names into dist/sw.js so the service worker precaches every chunk,
 * lazy ones included (the app must open any page offline); it also changes sw.js on every release,
 * which is what makes browsers install the new worker.
 */
function precacheBuiltAssets(): Plugin {
  return {
    name: 'threadline:precache-built-assets',
    apply: 'build',
    writeBundle(options, bundle) {
      const assets = Object.keys(bundle)
        .filter((fileName) => /\.(js|css)$/.test(fileName))
        .sort()
        .map((fileName) => `/${fileName}`);
      const path = join(options.dir ?? 'dist', 'sw.js');
      const source = readFileSync(path, 'utf8');
      if (!source.includes(precachePlaceholder)) throw new Error(`${path} has no "${precachePlaceholder}"`);
      writeFileSync(path, source.replace(precachePlaceholder, JSON.stringify(assets)));
    },
  };
}

/** Libraries in chunks of their own: each stays under 500 kB and survives app-only releases. */
function vendorChunk(id: string): string | undefined {
  const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(id)?.[1];
  if (name === undefined) return undefined;
  if (name === 'react' || name === 'react-dom' || name === 'scheduler') return 'react';
  if (name === 'zod') return 'zod';
  // react-markdown and its unified/remark/micromark/hast dependency tree.
  return 'markdown';
}

export default defineConfig({
  plugins: [react(), precacheBuiltAssets()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      output: { manualChunks: vendorChunk },
      onwarn(warning, warn) {
        // zod places `/*#__PURE__*/` comments where Rollup cannot use them; harmless, and not ours.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/zod/')) return;
        warn(warning);
      },
    },
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(
      ['/chat', '/threads', '/knowledge', '/api', '/v1', '/health', '/models', '/docs'].map((path) => [
        path,
        { target: process.env.THREADLINE_DEV_API ?? 'http://127.0.0.1:8000', changeOrigin: false },
      ]),
    ),
  },
  test: {
    name: 'web',
    environment: 'jsdom',
    // jsdom's fetch cannot resolve same-origin relative URLs; tests talk to a named origin (msw).
    env: { VITE_API_URL: 'http://threadline.test' },
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
  },
});
