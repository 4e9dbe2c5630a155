import type { ServerResponse } from 'node:http';

/** Why an engine call was aborted: the client went away before the response finished. */
export class ClientDisconnectedError extends Error {
  override readonly name = 'ClientDisconnectedError';
  constructor() {
    super('the client closed the connection');
  }
}

/**
 * An AbortSignal that fires when the client leaves. It listens on the RESPONSE's `close`: the
 * request's `close` fires as soon as the body has been read, long before the stream is over.
 * A stream passes its own controller so one signal carries every reason to stop it.
 */
export function watchDisconnect(
  response: ServerResponse,
  controller: AbortController = new AbortController(),
): AbortSignal {
  response.once('close', () => {
    if (!response.writableFinished) controller.abort(new ClientDisconnectedError());
  });
  return controller.signal;
}
