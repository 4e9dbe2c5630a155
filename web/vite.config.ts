import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
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
