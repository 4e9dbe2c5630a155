import { monitorEventLoopDelay } from 'node:perf_hooks';
import { apiPaths, knowledgeFileListSchema, vectorStoreSummarySchema } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { textOf } from '../../../../../scripts/bench/ingest-documents.js';
import { multipartBody } from '../../../helpers/multipart-body.js';
import { useTestApp } from '../../../helpers/test-app.js';

/**
 * While a large text file ingests, the server keeps answering: parsing and chunking happen in the
 * document reader's child process and chunks are indexed a slice per event-loop turn. (Parsing
 * this 4 MB file in-process held the event loop for seconds.) `npm run bench:ingest` measures the
 * largest accepted files over HTTP.
 */
describe('ingesting a large text file', () => {
  const { app } = useTestApp({ MAX_UPLOAD_BYTES: String(8 * 1024 * 1024), RATE_LIMIT_MAX: '100000' });

  it('leaves /health answering and the event loop free', async () => {
    const store = vectorStoreSummarySchema.parse(
      (await app.inject({ method: 'POST', url: apiPaths.vectorStores, payload: { name: 'big' } })).json(),
    );
    const upload = multipartBody([{ fileName: 'big.txt', content: textOf(4 * 1024 * 1024) }]);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const uploaded = await app.inject({
      method: 'POST',
      url: apiPaths.vectorStoreFiles(store.id),
      ...upload,
    });
    expect(uploaded.statusCode).toBe(202);
    const healthMs: number[] = [];
    for (let polls = 0; polls < 3000; polls += 1) {
      const started = performance.now();
      expect((await app.inject({ url: apiPaths.health })).statusCode).toBe(200);
      healthMs.push(performance.now() - started);
      const files = knowledgeFileListSchema.parse(
        (await app.inject({ url: apiPaths.vectorStoreFiles(store.id) })).json(),
      );
      if (files.data[0]?.status !== 'in_progress') {
        expect(files.data[0]).toMatchObject({ status: 'completed' });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    delay.disable();
    const sorted = healthMs.sort((left, right) => left - right);
    const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? Number.NaN;
    expect(healthMs.length).toBeGreaterThan(10);
    expect(p99).toBeLessThan(100);
    expect(delay.percentile(99) / 1e6).toBeLessThan(100);
  }, 120_000);
});
