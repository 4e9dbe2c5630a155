import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stream } from 'openai/core/streaming';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';

const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'openai');

/** The recorded Responses SSE text of a fixture in test/fixtures/openai. */
export const readOpenAIFixture = (name: string): string => readFileSync(join(fixtureDir, name), 'utf8');

/** Splits an SSE fixture into frames, so a test can serve part of it. */
export const sseFrames = (text: string): string[] =>
  text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => `${frame}\n\n`);

/** Decodes a fixture with the SDK's own SSE reader, exactly as the engine receives it. */
export async function readOpenAIFixtureEvents(name: string): Promise<ResponseStreamEvent[]> {
  const response = new Response(readOpenAIFixture(name), {
    headers: { 'content-type': 'text/event-stream' },
  });
  const events: ResponseStreamEvent[] = [];
  for await (const event of Stream.fromSSEResponse<ResponseStreamEvent>(response, new AbortController()))
    events.push(event);
  return events;
}
