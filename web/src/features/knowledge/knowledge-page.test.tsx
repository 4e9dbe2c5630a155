import type { KnowledgeFile } from '@threadline/shared';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { vectorStorePreference } from '../../lib/preferences.js';
import { KnowledgePage } from './knowledge-page.js';

const base = 'http://threadline.test';
// The page re-reads its stores when the server comes back, so it watches /health too.
const healthy = {
  status: 'ok',
  version: '0.1.0',
  uptimeSeconds: 1,
  engine: { name: 'local', reachable: true },
  store: { kind: 'sqlite', reachable: true },
  queue: { depth: 0, outbox: 0, oldestPendingAgeMs: null, lastError: null, dead: 0 },
};
const server = setupServer(
  http.get('http://threadline.test/health', () => HttpResponse.json(healthy)),
  http.get('http://threadline.test/knowledge/limits', () =>
    HttpResponse.json({ maxUploadBytes: 50 * 1024 * 1024, acceptedFileExtensions: ['.md'] }),
  ),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
  localStorage.clear();
  vectorStorePreference.set(null);
});
afterAll(() => server.close());

const now = '2026-01-01T00:00:00.000Z';
const store = (id: string, name: string, total = 0) => ({
  id,
  name,
  createdAt: now,
  fileCounts: { in_progress: 0, completed: total, failed: 0, cancelled: 0, total },
  usageBytes: 0,
});
const file = (
  id: string,
  fileName: string,
  status: KnowledgeFile['status'],
  extra: Partial<KnowledgeFile> = {},
): KnowledgeFile => ({
  id,
  vectorStoreId: 'vs_1',
  fileName,
  bytes: 2048,
  status,
  lastError: null,
  chunkCount: status === 'completed' ? 3 : 0,
  createdAt: now,
  ...extra,
});

describe('KnowledgePage', () => {
  it('loads the sample knowledge base in one click and selects it for chat', async () => {
    let stores = [store('vs_other', 'Other')];
    server.use(
      http.get(`${base}/knowledge/vector-stores`, () => HttpResponse.json({ data: stores })),
      http.get(`${base}/knowledge/vector-stores/:id/files`, () =>
        HttpResponse.json({ data: [file('f1', 'README.md', 'completed')] }),
      ),
      http.post(`${base}/knowledge/sample`, () => {
        stores = [...stores, store('vs_1', 'User guide (sample)', 1)];
        return HttpResponse.json({ vectorStore: stores[1], files: [file('f1', 'README.md', 'completed')] });
      }),
    );
    render(<KnowledgePage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Load the sample knowledge base' }));
    expect(await screen.findByText('README.md')).toBeTruthy();
    await waitFor(() => expect(vectorStorePreference.get()).toBe('vs_1'));
    expect(screen.getByText('Ready · 3 chunks')).toBeTruthy();
  });

  it('polls ingestion until files settle and shows why one failed', async () => {
    vectorStorePreference.set('vs_1');
    let polls = 0;
    server.use(
      http.get(`${base}/knowledge/vector-stores`, () =>
        HttpResponse.json({ data: [store('vs_1', 'Docs', 2)] }),
      ),
      http.get(`${base}/knowledge/vector-stores/vs_1/files`, () => {
        polls += 1;
        return HttpResponse.json({
          data:
            polls < 2
              ? [file('f1', 'a.md', 'in_progress'), file('f2', 'b.pdf', 'in_progress')]
              : [
                  file('f1', 'a.md', 'completed'),
                  file('f2', 'b.pdf', 'failed', {
                    lastError: { code: 'parse_failed', message: 'The PDF has no text layer' },
                  }),
                ],
        });
      }),
    );
    render(<KnowledgePage />);
    expect(await screen.findAllByText('Processing…')).toHaveLength(2);
    expect(
      await screen.findByText('Failed: The PDF has no text layer', undefined, { timeout: 4000 }),
    ).toBeTruthy();
    expect(screen.getByText('Ready · 3 chunks')).toBeTruthy();
  });

  it('shows the meaning index filling per file and per store, and polls until it is full', async () => {
    vectorStorePreference.set('vs_1');
    let polls = 0;
    const index = (embeddedChunks: number) => ({ embeddedChunks, totalChunks: 10 });
    server.use(
      http.get(`${base}/knowledge/vector-stores`, () =>
        HttpResponse.json({
          data: [{ ...store('vs_1', 'Docs', 1), meaningIndex: index(polls < 2 ? 4 : 10) }],
        }),
      ),
      http.get(`${base}/knowledge/vector-stores/vs_1/files`, () => {
        polls += 1;
        const meaningIndex = index(polls < 2 ? 4 : 10);
        return HttpResponse.json({
          data: [file('f1', 'a.md', 'completed', { chunkCount: 10, meaningIndex })],
        });
      }),
    );
    render(<KnowledgePage />);
    expect(await screen.findByText('Ready · 10 chunks · meaning index 40%')).toBeTruthy();
    expect(screen.getByRole('option', { name: 'Docs (1 file · meaning index 40%)' })).toBeTruthy();
    // The page keeps polling a searchable file until its vectors are all in.
    expect(await screen.findByText('Ready · 10 chunks', undefined, { timeout: 4000 })).toBeTruthy();
    await waitFor(() => expect(screen.getByRole('option', { name: 'Docs (1 file)' })).toBeTruthy());
  });

  it('uploads dropped files with progress, skips unsupported ones, and deletes a file', async () => {
    vectorStorePreference.set('vs_1');
    const uploaded: string[] = [];
    let deleted = '';
    server.use(
      http.get(`${base}/knowledge/vector-stores`, () => HttpResponse.json({ data: [store('vs_1', 'Docs')] })),
      http.get(`${base}/knowledge/vector-stores/vs_1/files`, () => HttpResponse.json({ data: [] })),
      http.post(`${base}/knowledge/vector-stores/vs_1/files`, ({ request }) => {
        // jsdom's FormData does not survive msw's XHR bridge intact, so the file names the
        // server "stores" are numbered here; one request per file is what is asserted.
        uploaded.push(request.headers.get('content-type') ?? '');
        const name = `stored-${uploaded.length}.md`;
        return HttpResponse.json(
          { data: [file(`f_${uploaded.length}`, name, 'completed')] },
          { status: 202 },
        );
      }),
      http.delete(`${base}/knowledge/vector-stores/vs_1/files/:fileId`, ({ params }) => {
        deleted = String(params.fileId);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    render(<KnowledgePage />);
    const dropzone = (await screen.findByText('Drop files here')).closest('.dropzone');
    if (!dropzone) throw new Error('no dropzone');
    const files = [
      new File(['# Guide'], 'guide.md', { type: 'text/markdown' }),
      new File(['notes'], 'notes.txt', { type: 'text/plain' }),
      new File(['x'], 'image.png', { type: 'image/png' }),
    ];
    fireEvent.drop(dropzone, { dataTransfer: { files } });
    expect(screen.getByRole('alert').textContent).toContain('image.png');
    await waitFor(() => expect(screen.queryAllByText(/Ready/)).toHaveLength(2));
    expect(uploaded).toHaveLength(2);
    expect(uploaded.every((type) => type.startsWith('multipart/form-data'))).toBe(true);

    const row = screen.getByText('stored-2.md', { selector: 'td' }).closest('tr');
    if (!row) throw new Error('no row');
    await userEvent.click(within(row).getByRole('button', { name: 'Delete stored-2.md' }));
    await waitFor(() => expect(screen.queryByText('stored-2.md', { selector: 'td' })).toBeNull());
    expect(deleted).toBe('f_2');
  });

  it('shows a readable error when the server refuses', async () => {
    server.use(
      http.get(`${base}/knowledge/vector-stores`, () =>
        HttpResponse.json(
          { statusCode: 503, code: 'store_unavailable', message: 'The store is unavailable' },
          { status: 503 },
        ),
      ),
    );
    render(<KnowledgePage />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/The store is unavailable\. The server had a problem; retry/);
  });

  it('never claims there are no stores when the list could not be read', async () => {
    server.use(http.get(`${base}/knowledge/vector-stores`, () => HttpResponse.error()));
    render(<KnowledgePage />);
    await screen.findByRole('alert');
    expect(screen.queryByRole('option', { name: 'No stores yet' })).toBeNull();
    expect(screen.getByRole('option', { name: /Stores unavailable/ })).toBeTruthy();
  });
});
