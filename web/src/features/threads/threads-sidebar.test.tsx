import type { ThreadSummary } from '@threadline/shared';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ThreadsSidebar } from './threads-sidebar.js';

const base = 'http://threadline.test';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
});
afterAll(() => server.close());

const thread = (index: number): ThreadSummary => ({
  id: `thread_${index}`,
  title: `Conversation ${index}`,
  engine: 'local',
  vectorStoreIds: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 60 - index)).toISOString(),
  messageCount: 2,
  lastMessagePreview: `Preview ${index}`,
});
const all = Array.from({ length: 25 }, (_, index) => thread(index + 1));

function useThreadApi() {
  const queries: string[] = [];
  server.use(
    http.get(`${base}/threads`, ({ request }) => {
      const url = new URL(request.url);
      queries.push(url.search);
      const q = url.searchParams.get('q')?.toLowerCase() ?? '';
      const matching = all.filter((item) => item.title.toLowerCase().includes(q));
      const start = Number(url.searchParams.get('cursor') ?? 0);
      const limit = Number(url.searchParams.get('limit'));
      const page = matching.slice(start, start + limit);
      return HttpResponse.json({
        data: page,
        nextCursor: start + limit < matching.length ? String(start + limit) : null,
      });
    }),
  );
  return queries;
}

const renderSidebar = () => {
  const props = { onOpen: vi.fn(), onNew: vi.fn(), onDeleted: vi.fn() };
  render(<ThreadsSidebar currentThreadId="thread_2" refreshKey={0} hasHistory={true} {...props} />);
  return props;
};

describe('ThreadsSidebar', () => {
  it('lists newest first in pages and loads older ones on demand', async () => {
    useThreadApi();
    renderSidebar();
    await screen.findByText('Conversation 1');
    expect(screen.getAllByRole('listitem')).toHaveLength(20);
    expect(screen.getByText('Conversation 2').closest('button')?.getAttribute('aria-current')).toBe('true');
    await userEvent.click(screen.getByRole('button', { name: 'Load older conversations' }));
    await screen.findByText('Conversation 25');
    expect(screen.getAllByRole('listitem')).toHaveLength(25);
    expect(screen.queryByRole('button', { name: 'Load older conversations' })).toBeNull();
  });

  it('searches (debounced) and says when nothing matches', async () => {
    const queries = useThreadApi();
    renderSidebar();
    await screen.findByText('Conversation 1');
    await userEvent.type(screen.getByLabelText('Search conversations'), 'Conversation 13');
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(1));
    expect(queries.at(-1)).toContain('q=Conversation+13');
    expect(queries.length).toBeLessThan(6); // not one request per key
    await userEvent.type(screen.getByLabelText('Search conversations'), 'x');
    expect(await screen.findByText('No conversation matches.')).toBeTruthy();
  });

  it('opens, renames and deletes a thread', async () => {
    useThreadApi();
    let renamed: unknown;
    server.use(
      http.patch(`${base}/threads/thread_1`, async ({ request }) => {
        renamed = await request.json();
        return HttpResponse.json({ ...thread(1), title: 'VPN questions' });
      }),
      http.delete(`${base}/threads/thread_3`, () => new HttpResponse(null, { status: 204 })),
    );
    const props = renderSidebar();
    await userEvent.click(await screen.findByText('Conversation 4'));
    expect(props.onOpen).toHaveBeenCalledWith('thread_4');

    await userEvent.click(screen.getByRole('button', { name: 'Rename Conversation 1' }));
    const input = screen.getByLabelText('New title');
    await userEvent.clear(input);
    await userEvent.type(input, 'VPN questions{Enter}');
    expect(await screen.findByText('VPN questions')).toBeTruthy();
    expect(renamed).toEqual({ title: 'VPN questions' });

    await userEvent.click(screen.getByRole('button', { name: 'Delete Conversation 3' }));
    const item = screen.getByText('Delete this conversation?').closest('li');
    if (!item) throw new Error('no item');
    await userEvent.click(within(item).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByText('Conversation 3')).toBeNull());
    expect(props.onDeleted).toHaveBeenCalledWith('thread_3');
  });
});
