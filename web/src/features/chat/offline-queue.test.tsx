import { chatRequestSchema } from '@threadline/shared';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { offlineQueue } from '../../lib/offline-queue.js';
import { answerEvents, toSse } from '../../test/events.js';
import { ChatPage } from './chat-page.js';

const base = 'http://threadline.test';
// The store picker reads the user's stores and default knowledge base (none here).
const server = setupServer(
  // The microphone and Read aloud ask what speech the server offers.
  http.get(`${base}/speech`, () =>
    HttpResponse.json({
      transcription: { available: true, via: 'test double' },
      speech: { available: true, via: 'test double' },
    }),
  ),
  http.get(`${base}/knowledge/vector-stores`, () => HttpResponse.json({ data: [] })),
  http.get(`${base}/knowledge/default`, () => HttpResponse.json({ vectorStores: [] })),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
  offlineQueue.set([]);
});
afterAll(() => server.close());

describe('offline queue', () => {
  it('queues questions while the server is unreachable and sends them in order when it returns', async () => {
    const sent: string[] = [];
    server.use(
      http.post(`${base}/chat/stream`, async ({ request }) => {
        const body = chatRequestSchema.parse(await request.json());
        sent.push(body.content);
        return new HttpResponse(toSse(answerEvents([`Answer to ${body.content}`])), {
          headers: { 'content-type': 'text/event-stream' },
        });
      }),
    );
    const props = {
      backend: 'threadline' as const,
      threadId: null,
      onThreadCreated: () => undefined,
      onRunEnded: () => undefined,
    };
    const { rerender } = render(<ChatPage {...props} serverState="unreachable" />);
    const input = screen.getByLabelText('Your question');
    await userEvent.type(input, 'first{Enter}');
    await userEvent.type(input, 'second{Enter}');
    expect(screen.getAllByText(/Waiting for the server/)).toHaveLength(2);
    expect(offlineQueue.get().map((item) => item.content)).toEqual(['first', 'second']);
    expect(JSON.parse(localStorage.getItem('threadline.offlineQueue') ?? '[]')).toHaveLength(2);
    expect(sent).toEqual([]);

    rerender(<ChatPage {...props} serverState="reachable" />);
    expect(await screen.findByText('Answer to second')).toBeTruthy();
    expect(screen.getByText('Answer to first')).toBeTruthy();
    expect(sent).toEqual(['first', 'second']);
    await waitFor(() => expect(screen.queryByText(/Waiting for the server/)).toBeNull());
    expect(offlineQueue.get()).toEqual([]);
  });
});
