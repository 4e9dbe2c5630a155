import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answerEvents, citation, delta, toNdjson, toSse } from '../../test/events.js';
import { ComparePage } from './compare-page.js';

const base = 'http://threadline.test';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
});
afterAll(() => server.close());

describe('ComparePage', () => {
  it('asks both backends at once and lists each run with its measurements', async () => {
    const marker = '【0†a.md】';
    const requests: string[] = [];
    server.use(
      http.post(`${base}/chat/stream`, () => {
        requests.push('threadline');
        const events = answerEvents(['New backend answer', marker]);
        events.splice(4, 0, delta('', [citation(marker, 18, 'file_a', 'quoted')]));
        return new HttpResponse(toSse(events), { headers: { 'content-type': 'text/event-stream' } });
      }),
      http.get(`${base}/knowledge/files/file_a`, () =>
        HttpResponse.json({
          id: 'file_a',
          fileName: 'a.md',
          bytes: 1,
          createdAt: '2026-01-01T00:00:00.000Z',
        }),
      ),
      http.post(`${base}/api/assistants/threads`, () => {
        requests.push('legacy-thread');
        return HttpResponse.json({ threadId: 'thread_old' });
      }),
      http.post(`${base}/api/assistants/threads/thread_old/messages`, () => {
        requests.push('legacy-message');
        return new HttpResponse(toNdjson(answerEvents(['Old backend answer'])));
      }),
    );
    render(<ComparePage />);
    await userEvent.type(screen.getByLabelText('Question to compare'), 'What changed?');
    await userEvent.click(screen.getByRole('button', { name: 'Compare' }));

    await screen.findByText("This session's results");
    expect(screen.getByText('New backend answer')).toBeTruthy();
    expect(screen.getByText('Old backend answer')).toBeTruthy();
    expect(requests.sort()).toEqual(['legacy-message', 'legacy-thread', 'threadline']);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]?.textContent).toMatch(/What changed\?Threadlinecompleted.*1$/);
    expect(rows[1]?.textContent).toMatch(/Legacy routecompleted.*0$/);
    const metrics = document.querySelectorAll('.metrics');
    expect(metrics).toHaveLength(2);
    for (const line of metrics) expect(line.textContent).toMatch(/First token\d+ ms.*Citations\d/);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Compare' })).toBeTruthy());
  });
});
