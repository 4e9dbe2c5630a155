import { HttpResponse } from 'msw';

type ChunkDelta = {
  content?: string;
  tool_calls?: Array<{
    index: number;
    id?: string;
    type?: 'function';
    function: { name?: string; arguments?: string };
  }>;
};

const chunk = (delta: ChunkDelta | null, usage?: { prompt_tokens: number; completion_tokens: number }) => ({
  id: 'chatcmpl-recorded',
  object: 'chat.completion.chunk',
  created: 1_760_000_000,
  model: 'gpt-4o-mini-2024-07-18',
  choices: delta ? [{ index: 0, delta, logprobs: null, finish_reason: null }] : [],
  ...(usage
    ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } }
    : { usage: null }),
});

/**
 * A chat-completions SSE response in the documented wire format: a role chunk, content or
 * tool-call chunks, a finish chunk, the usage chunk (`stream_options.include_usage`), `[DONE]`.
 */
export function chatCompletionStream(
  parts: ChunkDelta[],
  finishReason: 'stop' | 'tool_calls' = 'stop',
): HttpResponse<string> {
  const chunks = [
    chunk({ content: '' }),
    ...parts.map((part) => chunk(part)),
    { ...chunk({}), choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }] },
    chunk(null, { prompt_tokens: 321, completion_tokens: 12 }),
  ];
  const body = chunks.map((item) => `data: ${JSON.stringify(item)}\n\n`).join('') + 'data: [DONE]\n\n';
  return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
}
