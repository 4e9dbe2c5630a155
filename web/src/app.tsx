import { healthSchema, type Health } from '@threadline/shared';
import { useEffect, useState } from 'react';

/** Placeholder shell until the chat UI lands: shows whether the server is healthy. */
export function App() {
  const [health, setHealth] = useState<Health | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    fetch('/health', { signal: controller.signal })
      .then(async (response) => {
        const parsed = healthSchema.safeParse(await response.json());
        if (parsed.success) setHealth(parsed.data);
        else setProblem('The server answered /health with an unexpected shape.');
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setProblem(`The server is unreachable: ${String(error)}`);
      });
    return () => controller.abort();
  }, []);

  return (
    <main
      style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 720, margin: '3rem auto', padding: '0 1rem' }}
    >
      <h1>Threadline</h1>
      <p>Knowledge-base chat: ask questions of your documents.</p>
      {health && (
        <p data-testid="health">
          Server {health.status}; engine {health.engine.name}; store {health.store.kind}.
        </p>
      )}
      {problem && <p role="alert">{problem}</p>}
    </main>
  );
}
