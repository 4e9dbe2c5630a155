import type { Health } from '@threadline/shared';
import { act, renderHook, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useServerStatus } from './server-status.js';

const health: Health = {
  status: 'ok',
  version: '0.1.0',
  uptimeSeconds: 1,
  engine: { name: 'local', reachable: true },
  store: { kind: 'sqlite', reachable: true },
  queue: { depth: 0, outbox: 0, oldestPendingAgeMs: null, lastError: null, dead: 0 },
};
let healthRequests = 0;
const server = setupServer(
  http.get('http://threadline.test/health', () => {
    healthRequests += 1;
    return HttpResponse.json(health);
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => vi.restoreAllMocks());
afterAll(() => server.close());

describe('useServerStatus', () => {
  it('checks again when the network returns after the app started offline', async () => {
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    const { result, unmount } = renderHook(() => useServerStatus());
    await waitFor(() => expect(result.current.state).toBe('unreachable'));
    expect(healthRequests).toBe(0);

    onLine.mockReturnValue(true);
    act(() => {
      window.dispatchEvent(new Event('online'));
    });
    await waitFor(() => expect(result.current.state).toBe('reachable'));
    expect(healthRequests).toBe(1);
    expect(result.current.health?.engine.name).toBe('local');
    unmount();
  });
});
