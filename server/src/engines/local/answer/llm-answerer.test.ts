import type { SearchHit } from '@threadline/shared';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chatCompletionStream } from '../../../../test/helpers/chat-completion-sse.js';
import type { TermStatistics } from '../knowledge/search/term-statistics.js';
import type { AnswerInput, AnswerPiece } from './answer-piece.js';
import { createLlmAnswerer } from './llm-answerer.js';

const baseURL = 'http://llm.test/v1';
const requestSchema = z.object({ messages: z.array(z.looseObject({ content: z.unknown() })) }).loose();
const hits: SearchHit[] = [
  {
    fileId: 'file-a',
    fileName: 'travel.md',
    chunkId: 'c1',
    score: 0.9,
    text: 'Meals: 60 euros per day.',
    keywordRank: 1,
    vectorRank: 1,
  },
  {
    fileId: 'file-b',
    fileName: 'hotels.md',
    chunkId: 'c2',
    score: 0.8,
    text: 'Hotels: 180 euros.',
    keywordRank: 2,
    vectorRank: 2,
  },
];
const input = (changes: Partial<AnswerInput> = {}): AnswerInput => ({
  query: 'What are the limits?',
  hits,
  conversation: [
    {
      id: 'msg_1',
      object: 'thread.message',
      created_at: 1,
      thread_id: 't',
      status: 'completed',
      incomplete_details: null,
      completed_at: 1,
      incomplete_at: null,
      role: 'user',
      assistant_id: null,
      run_id: null,
      attachments: null,
      metadata: null,
      content: [{ type: 'text', text: { value: 'What are the limits?', annotations: [] } }],
    },
  ],
  instructions: 'Be brief.',
  model: 'gpt-4o-mini',
  functionTools: [],
  toolRounds: [],
  signal: new AbortController().signal,
  ...changes,
});

describe('createLlmAnswerer', () => {
  const requests: unknown[] = [];
  let reply = () => chatCompletionStream([]);
  const server = setupServer(
    http.post(`${baseURL}/chat/completions`, async ({ request }) => {
      requests.push(await request.json());
      return reply();
    }),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    requests.length = 0;
  });
  afterAll(() => server.close());

  const collect = async (answerInput: AnswerInput) => {
    const pieces: AnswerPiece[] = [];
    for await (const piece of createLlmAnswerer({ baseURL, apiKey: 'k', contextTokens: 8192 })(answerInput))
      pieces.push(piece);
    return pieces;
  };

  it('sends a grounded prompt with numbered sources and turns [n] into citations', async () => {
    reply = () =>
      chatCompletionStream([
        { content: 'Meals are 60 euros' },
        { content: ' [' },
        { content: '1]. Hotels [2' },
        { content: '].' },
      ]);
    const pieces = await collect(input());
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        {
          role: 'system',
          content: expect.stringContaining('[1] (file: travel.md)\nMeals: 60 euros per day.') as unknown,
        },
        { role: 'user', content: 'What are the limits?' },
      ],
    });
    expect(requests[0]).not.toHaveProperty('tools');
    const system = requestSchema.parse(requests[0]).messages[0]?.content;
    expect(system).toMatch(/^Be brief\./);
    expect(system).toContain('[2] (file: hotels.md)');
    expect(pieces.filter((piece) => piece.type !== 'text')).toEqual([
      { type: 'citation', source: 0, quote: 'Meals: 60 euros per day.' },
      { type: 'citation', source: 1, quote: 'Hotels: 180 euros.' },
      { type: 'usage', usage: { prompt_tokens: 321, completion_tokens: 12, total_tokens: 333 } },
    ]);
    const text = pieces.flatMap((piece) => (piece.type === 'text' ? [piece.text] : [])).join('');
    expect(text).toBe('Meals are 60 euros . Hotels .');
  });

  it('passes function tools to the model and reports its tool calls', async () => {
    reply = () =>
      chatCompletionStream(
        [
          {
            tool_calls: [
              {
                index: 0,
                id: 'call_abc',
                type: 'function',
                function: { name: 'get_weather', arguments: '' },
              },
            ],
          },
          { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
          { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
        ],
        'tool_calls',
      );
    const pieces = await collect(
      input({
        functionTools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }],
      }),
    );
    expect(requests[0]).toMatchObject({
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } },
        },
      ],
    });
    expect(pieces).toContainEqual({
      type: 'tool_calls',
      calls: [{ id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}' }],
    });
  });

  it('replays earlier tool rounds as assistant tool_calls and tool messages', async () => {
    reply = () => chatCompletionStream([{ content: 'Sunny.' }]);
    await collect(
      input({
        toolRounds: [
          {
            calls: [{ id: 'call_abc', name: 'get_weather', arguments: '{}' }],
            outputs: [{ tool_call_id: 'call_abc', output: 'sunny' }],
          },
        ],
      }),
    );
    const messages = requestSchema.parse(requests[0]).messages;
    expect(messages.slice(-2)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_abc', content: 'sunny' },
    ]);
  });

  it('shows the model the passages that answer, and cites exactly those passages', async () => {
    const guide: SearchHit = {
      fileId: 'file-c',
      fileName: 'guide.md',
      chunkId: 'c3',
      score: 0.9,
      text: '## Meals\n\nMeals are reimbursed up to 60 euros per day.\n\n## Parking\n\nParking is never reimbursed.',
      keywordRank: 1,
      vectorRank: 1,
    };
    reply = () => chatCompletionStream([{ content: 'Up to 60 euros a day [1].' }]);
    const pieces = await collect(
      input({ hits: [guide], conversation: [], query: 'How much are meals reimbursed per day?' }),
    );
    const system = String(requestSchema.parse(requests[0]).messages[0]?.content);
    expect(system).toContain(
      '[1] (file: guide.md)\n**Meals**\n\nMeals are reimbursed up to 60 euros per day.',
    );
    expect(pieces).toContainEqual({
      type: 'citation',
      source: 0,
      quote: 'Meals\nMeals are reimbursed up to 60 euros per day.',
    });
  });

  it('refuses a question about something no document mentions without asking the model, unless tools may answer', async () => {
    // What the index says of each term (term-statistics.ts): `pypi` is in no chunk in any form.
    const termStatistics: TermStatistics = {
      weights: (terms) =>
        new Map(
          terms.map((term) => {
            const isKnown = term !== 'pypi';
            return [term, { idf: isKnown ? 1 : 3, chunks: isKnown ? 2 : 0, isKnown }];
          }),
        ),
      inFile: (_fileId, terms) => new Set(terms.filter((term) => term !== 'pypi')),
    };
    const answerer = createLlmAnswerer({
      baseURL,
      apiKey: 'k',
      contextTokens: 8192,
      evidence: { termStatistics },
    });
    const ask = async (changes: Partial<AnswerInput>) => {
      const pieces: AnswerPiece[] = [];
      for await (const piece of answerer(
        input({ conversation: [], query: 'How do I publish a package to PyPI?', ...changes }),
      ))
        pieces.push(piece);
      return pieces;
    };
    reply = () => chatCompletionStream([{ content: 'Run twine upload dist/*.' }]);
    expect(await ask({})).toEqual([
      {
        type: 'text',
        text: "I couldn't find any relevant information in the knowledge base to answer that question. The documents never mention PyPI.",
      },
    ]);
    expect(requests).toHaveLength(0);
    // A client's tool may know what the documents do not: the model decides.
    await ask({
      functionTools: [{ name: 'search_web', description: 'Web', parameters: { type: 'object' } }],
    });
    expect(requests).toHaveLength(1);
  });

  it("keeps the model's refusal as a refusal: no citation even when it adds a number", async () => {
    reply = () =>
      chatCompletionStream([
        {
          content:
            "I couldn't find any relevant information in the knowledge base to answer that question. [1]",
        },
      ]);
    const pieces = await collect(input());
    expect(pieces.filter((piece) => piece.type === 'citation')).toEqual([]);
    expect(String(requestSchema.parse(requests[0]).messages[0]?.content)).toContain(
      `reply with exactly this sentence and cite nothing: "I couldn't find any relevant information`,
    );
  });
});
