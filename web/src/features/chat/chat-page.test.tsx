import type { AssistantStreamEvent } from '@threadline/shared';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  answerEvents,
  citation,
  delta,
  done,
  message,
  runEvent,
  toNdjson,
  toSse,
} from '../../test/events.js';
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
  localStorage.clear();
});
afterAll(() => server.close());

const sse = (events: AssistantStreamEvent[]) =>
  new HttpResponse(toSse(events), { headers: { 'content-type': 'text/event-stream' } });

function renderChat(backend: 'threadline' | 'legacy' = 'threadline') {
  const onThreadCreated = vi.fn();
  render(
    <ChatPage
      backend={backend}
      threadId={null}
      serverState="reachable"
      onThreadCreated={onThreadCreated}
      onRunEnded={() => undefined}
    />,
  );
  return { input: screen.getByLabelText('Your question'), onThreadCreated };
}

const isDisabled = (element: HTMLElement) => (element as HTMLTextAreaElement).disabled;

async function ask(input: HTMLElement, text: string) {
  await userEvent.type(input, text);
  await userEvent.keyboard('{Enter}');
}

describe('ChatPage run outcomes', () => {
  it.each([
    ['completed', [runEvent('thread.run.completed'), done], null],
    [
      'failed',
      [runEvent('thread.run.failed', { last_error: { code: 'server_error', message: 'Engine crashed.' } })],
      /Engine crashed/,
    ],
    ['cancelled', [runEvent('thread.run.cancelled')], /Stopped/],
    ['expired', [runEvent('thread.run.expired')], /took too long/],
    [
      'incomplete',
      [runEvent('thread.run.incomplete', { incomplete_details: { reason: 'max_tokens' } })],
      /max_tokens/,
    ],
    [
      'error event',
      [{ event: 'error', data: { code: 'x', message: 'Index unavailable.' } }],
      /Index unavailable/,
    ],
    ['dropped connection', [], /connection dropped/],
  ] as const)('%s: shows the outcome and re-enables the input', async (_name, end, expected) => {
    server.use(http.post(`${base}/chat/stream`, () => sse(answerEvents(['Partial answer'], [...end]))));
    const { input } = renderChat();
    await ask(input, 'Question?');
    await waitFor(() => expect(isDisabled(input)).toBe(false));
    expect(screen.getByText('Partial answer')).toBeTruthy();
    if (expected) expect(screen.getByText(expected)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
  });

  it('shows an HTTP error readably and retries it', async () => {
    let calls = 0;
    server.use(
      http.post(`${base}/chat/stream`, () => {
        calls += 1;
        return calls === 1
          ? HttpResponse.json(
              { statusCode: 503, code: 'upstream_unavailable', message: 'The model is unavailable' },
              { status: 503 },
            )
          : sse(answerEvents(['Second try worked'], [runEvent('thread.run.completed')]));
      }),
    );
    const { input } = renderChat();
    await ask(input, 'Question?');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/The model is unavailable.*retry/i);
    expect(isDisabled(input)).toBe(false);
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Second try worked')).toBeTruthy();
    expect(calls).toBe(2);
  });

  it('stops a streaming answer with the Stop button and frees the input', async () => {
    server.use(
      http.post(`${base}/chat/stream`, () => {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(toSse(answerEvents(['Streaming…'], []))));
          },
        });
        return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
      }),
    );
    const { input } = renderChat();
    await ask(input, 'Long question');
    await screen.findByText('Streaming…');
    expect(isDisabled(input)).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(isDisabled(input)).toBe(false));
    expect(screen.getByText(/Stopped/)).toBeTruthy();
  });

  it('Shift+Enter adds a line instead of sending', async () => {
    const handler = vi.fn(() => sse(answerEvents(['x'])));
    server.use(http.post(`${base}/chat/stream`, handler));
    const { input } = renderChat();
    await userEvent.type(input, 'line one{Shift>}{Enter}{/Shift}line two');
    expect((input as HTMLTextAreaElement).value).toBe('line one\nline two');
    expect(handler).not.toHaveBeenCalled();
  });

  it('shows tool calls the run asks for', async () => {
    const requiresAction = runEvent('thread.run.requires_action', {
      required_action: {
        type: 'submit_tool_outputs',
        submit_tool_outputs: {
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"id":7}' } },
          ],
        },
      },
    });
    server.use(http.post(`${base}/chat/stream`, () => sse([runEvent('thread.run.created'), requiresAction])));
    const { input } = renderChat();
    await ask(input, 'Where is my order?');
    expect(await screen.findByText('lookup_order({"id":7})')).toBeTruthy();
    await waitFor(() => expect(isDisabled(input)).toBe(false));
  });
});

describe('ChatPage citations', () => {
  const marker1 = '【4:0†handbook.md】';
  const marker2 = '【4:1†policy.md】';
  const text = `Use the VPN${marker1} and rotate passwords${marker2}, see also${marker1}.`;
  const completed: AssistantStreamEvent = {
    event: 'thread.message.completed',
    data: message(text, [
      citation(
        marker1,
        text.indexOf(marker1),
        'file_hb',
        'Connect through the VPN before opening internal tools.',
      ),
      citation(marker2, text.indexOf(marker2), 'file_pol', 'Passwords are rotated every 90 days.'),
    ]),
  };

  it.each([
    ['threadline (SSE)', 'threadline'],
    ['legacy (NDJSON)', 'legacy'],
  ] as const)(
    '%s: markers become numbered chips that open the file name and passage',
    async (_name, backend) => {
      const events = [
        ...answerEvents([text.slice(0, 20), text.slice(20)], []),
        completed,
        runEvent('thread.run.completed'),
      ];
      server.use(
        http.post(`${base}/chat/stream`, () => sse(events)),
        http.post(`${base}/api/assistants/threads`, () => HttpResponse.json({ threadId: 'thread_legacy' })),
        http.post(
          `${base}/api/assistants/threads/thread_legacy/messages`,
          () => new HttpResponse(toNdjson(events)),
        ),
        http.get(`${base}/knowledge/files/:fileId`, ({ params }) =>
          HttpResponse.json({
            id: String(params.fileId),
            fileName: params.fileId === 'file_hb' ? 'Employee Handbook.md' : 'Security Policy.md',
            bytes: 10,
            createdAt: '2026-01-01T00:00:00.000Z',
          }),
        ),
      );
      const { input } = renderChat(backend);
      await ask(input, 'How do I connect?');
      await waitFor(() => expect(isDisabled(input)).toBe(false));

      const answer = document.querySelector('.answer');
      if (!answer) throw new Error('no answer rendered');
      const chips = [...answer.querySelectorAll('.markdown .citation-chip')].map((chip) => chip.textContent);
      expect(chips).toEqual(['1', '2', '1']);
      expect(answer.textContent).not.toContain('【');

      const [firstChip] = within(answer as HTMLElement).getAllByRole('button', { name: /^Source 1/ });
      if (!firstChip) throw new Error('no chip');
      fireEvent.click(firstChip);
      const popover = await screen.findByRole('dialog', { name: 'Source 1' });
      expect(popover.textContent).toContain('Connect through the VPN before opening internal tools.');
      await waitFor(() => expect(popover.textContent).toContain('Employee Handbook.md'));

      const sources = answer.querySelector('.sources');
      expect(sources?.textContent).toContain('2 sources');
      expect(sources?.textContent).toContain('Passwords are rotated every 90 days.');
      act(() => void fireEvent.keyDown(document, { key: 'Escape' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    },
  );

  it('renders markdown but never raw HTML from the model', async () => {
    server.use(
      http.post(`${base}/chat/stream`, () =>
        sse(
          answerEvents(
            ['**bold** <img src=x onerror="alert(1)"><script>alert(2)</script> [link](javascript:alert(3))'],
            [runEvent('thread.run.completed')],
          ),
        ),
      ),
    );
    const { input } = renderChat();
    await ask(input, 'Hi');
    await waitFor(() => expect(isDisabled(input)).toBe(false));
    const answer = document.querySelector('.answer');
    expect(answer?.querySelector('strong')?.textContent).toBe('bold');
    expect(answer?.querySelector('img, script')).toBeNull();
    expect(answer?.querySelector('a')?.getAttribute('href') ?? '').not.toMatch(/javascript/);
  });

  it('uses a stream that delivers the citation only in deltas', async () => {
    server.use(
      http.post(`${base}/chat/stream`, () =>
        sse([
          ...answerEvents([`Fact${marker2}`], []),
          delta('', [citation(marker2, 4, 'file_pol', 'Rotated every 90 days.')]),
          runEvent('thread.run.completed'),
        ]),
      ),
    );
    const { input } = renderChat();
    await ask(input, 'Hi');
    await waitFor(() => expect(isDisabled(input)).toBe(false));
    expect(document.querySelector('.sources')?.textContent).toContain('Rotated every 90 days.');
  });
});
