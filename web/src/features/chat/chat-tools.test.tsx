import { maxMessageCharacters, type VectorStoreSummary } from '@threadline/shared';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { shortcutOf } from '../../lib/use-shortcuts.js';
import { answerEvents, runEvent, toSse } from '../../test/events.js';
import { ChatPage } from './chat-page.js';
import { counterFrom } from './composer.js';

const base = 'http://threadline.test';
const store = (id: string, name: string, total: number): VectorStoreSummary => ({
  id,
  name,
  createdAt: '2026-01-01T00:00:00.000Z',
  fileCounts: { in_progress: 0, completed: total, failed: 0, cancelled: 0, total },
  usageBytes: 0,
});
const stores = [store('vs_docs', 'User guide (sample)', 9), store('vs_hr', 'HR handbook', 1)];
let savedDefault: string[] = ['vs_docs'];
const server = setupServer(
  // The microphone and Read aloud ask what speech the server offers.
  http.get(`${base}/speech`, () =>
    HttpResponse.json({
      transcription: { available: true, via: 'test double' },
      speech: { available: true, via: 'test double' },
    }),
  ),
  http.get(`${base}/knowledge/vector-stores`, () => HttpResponse.json({ data: stores })),
  http.get(`${base}/knowledge/default`, () =>
    HttpResponse.json({ vectorStores: stores.filter((item) => savedDefault.includes(item.id)) }),
  ),
  http.put(`${base}/knowledge/default`, async ({ request }) => {
    savedDefault = ((await request.json()) as { vectorStoreIds: string[] }).vectorStoreIds;
    return HttpResponse.json({ vectorStores: stores.filter((item) => savedDefault.includes(item.id)) });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
  savedDefault = ['vs_docs'];
});
afterAll(() => server.close());

const renderChat = () =>
  render(
    <ChatPage
      backend="threadline"
      threadId={null}
      serverState="reachable"
      onThreadCreated={() => undefined}
      onRunEnded={() => undefined}
    />,
  );

describe('the chat’s knowledge base', () => {
  it('names the store a new conversation searches and saves a change as the default', async () => {
    renderChat();
    const summary = await screen.findByRole('button', { name: /Searching: User guide \(sample\)/ });
    await userEvent.click(summary);
    expect(screen.getByText('9 files')).toBeTruthy();
    expect(screen.getByText('1 file')).toBeTruthy();
    await userEvent.click(screen.getByRole('checkbox', { name: /HR handbook/ }));
    await waitFor(() => expect(savedDefault).toEqual(['vs_docs', 'vs_hr']));
    expect(screen.getByRole('button', { name: /Searching: 2 stores/ })).toBeTruthy();
  });

  it('sends no store ids for a new conversation: the server searches the default', async () => {
    let body: unknown = null;
    server.use(
      http.post(`${base}/chat/stream`, async ({ request }) => {
        body = await request.json();
        return new HttpResponse(toSse(answerEvents(['Answer'], [runEvent('thread.run.completed')])), {
          headers: { 'content-type': 'text/event-stream' },
        });
      }),
    );
    renderChat();
    await userEvent.type(screen.getByLabelText('Your question'), 'Question?{Enter}');
    await screen.findByText('Answer');
    expect(body).toEqual({ content: 'Question?' });
  });
});

describe('copy, edit and regenerate', () => {
  it('copies an answer with its sources, edits a question and asks the last one again', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const questions: string[] = [];
    server.use(
      http.post(`${base}/chat/stream`, async ({ request }) => {
        questions.push(((await request.json()) as { content: string }).content);
        return new HttpResponse(
          toSse(answerEvents(['Back up daily【1:0†faq.md】.'], [runEvent('thread.run.completed')])),
          { headers: { 'content-type': 'text/event-stream' } },
        );
      }),
    );
    renderChat();
    const input = screen.getByLabelText<HTMLTextAreaElement>('Your question');
    await userEvent.type(input, 'How do I back up?{Enter}');
    await userEvent.click(await screen.findByRole('button', { name: 'Copy answer' }));
    expect(writeText).toHaveBeenCalledWith('Back up daily[1].\n\nSources:\n[1] faq.md');
    expect(await screen.findByText('Copied')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Edit question' }));
    expect(input.value).toBe('How do I back up?');
    expect(document.activeElement).toBe(input);

    await userEvent.click(screen.getByRole('button', { name: 'Regenerate answer' }));
    await waitFor(() => expect(questions).toEqual(['How do I back up?', 'How do I back up?']));
  });
});

describe('the composer near the length limit', () => {
  it('shows a counter from near the limit, and says when the limit is reached', () => {
    renderChat();
    const input = screen.getByLabelText<HTMLTextAreaElement>('Your question');
    const counter = () => document.getElementById('composer-counter');
    fireEvent.change(input, { target: { value: 'x'.repeat(counterFrom - 1) } });
    expect(counter()?.hidden).toBe(true);
    fireEvent.change(input, { target: { value: 'x'.repeat(counterFrom + 10) } });
    expect(counter()?.hidden).toBe(false);
    expect(counter()?.textContent).toBe(`${(counterFrom + 10).toLocaleString('en-US')} / 32,768`);
    fireEvent.change(input, { target: { value: 'x'.repeat(maxMessageCharacters) } });
    expect(counter()?.textContent).toMatch(/32,768 \/ 32,768 — the limit/);
  });
});

describe('shortcutOf', () => {
  const key = (
    key: string,
    modifiers: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey', boolean>>,
  ) => ({
    key,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    altKey: false,
    ...modifiers,
  });
  it.each([
    [key('O', { ctrlKey: true, shiftKey: true }), 'new-chat'],
    [key('o', { metaKey: true, shiftKey: true }), 'new-chat'],
    [key('k', { ctrlKey: true }), 'search'],
    [key('k', {}), null],
    [key('o', { ctrlKey: true }), null],
    [key('k', { ctrlKey: true, altKey: true }), null],
  ])('%o → %s', (event, expected) => {
    expect(shortcutOf(event)).toBe(expected);
  });
});
