import { checkServer, type ServerStatus } from './lib/server-status.js';

/** Says plainly when the server cannot be reached, and what still works. */
export function StatusBanner({ status }: { status: ServerStatus }) {
  if (status.state !== 'unreachable') return null;
  return (
    <div className="status-banner" role="status">
      <span>
        <strong>The server is unreachable.</strong> You can keep typing: questions are queued and sent in
        order when it is back.
      </span>
      <button type="button" className="button small" onClick={() => void checkServer()}>
        Check again
      </button>
    </div>
  );
}
