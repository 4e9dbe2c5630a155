import { describe, expect, it } from 'vitest';
import type { AnswerPiece } from './answer-piece.js';
import { noRelevantInformationText } from './no-answer.js';
import { isRefusal, RefusalGate } from './refusal.js';

describe('isRefusal', () => {
  it.each<[string, boolean]>([
    // Refusals as models word them (Llama 3, Qwen, Gemma, Mistral, gpt-oss answers over RAG prompts).
    ['The provided documents do not mention the CEO’s salary.', true],
    ["I'm sorry, but the sources don't contain information about parking fees.", true],
    ['Sorry! The context does not specify a limit for taxis.', true],
    ["I couldn't find any relevant information in the knowledge base to answer that question.", true],
    ['I could not find anything about quantum physics in your documents [1].', true],
    ['There is no information about the holiday schedule in the documents.', true],
    ['The refund policy is not mentioned in the provided sources. They only cover meals [1].', true],
    ['Based on the given context, I cannot answer this question.', true],
    ["I don't know.", true],
    ['Unfortunately, the documents provided do not include details on stock options.', true],
    // Answers, including ones that start with a caveat and go on to answer at length.
    ['Meals are reimbursed up to 60 euros per day [1].', false],
    ['Use `git rebase --abort` to stop the rebase and go back to where you were [2].', false],
    [
      'The documents do not mention a separate taxi limit. ' +
        'However, they explain in detail that all local transport, including buses, trams, trains and taxis, ' +
        'is reimbursed at cost when a receipt is attached, that receipts must be submitted within 30 days, ' +
        'that anything above 50 euros needs a manager’s approval beforehand, and that rides to the airport ' +
        'are covered for trips longer than two days, as listed in the travel policy [1][2].',
      false,
    ],
    ['There is no need to restart the server after a reload [1].', false],
    ['', false],
  ])('%s → %s', (text, expected) => {
    expect(isRefusal(text)).toBe(expected);
  });
});

describe('RefusalGate', () => {
  const run = (pieces: Array<Extract<AnswerPiece, { type: 'text' | 'citation' }>>) => {
    const gate = new RefusalGate();
    const out = pieces.flatMap((piece) => gate.push(piece));
    const end = gate.end();
    return { pieces: [...out, ...end.pieces], isRefusal: end.isRefusal };
  };

  it('lets an answer through, citations included, once its first sentence is written', () => {
    const gate = new RefusalGate();
    expect(gate.push({ type: 'text', text: 'Meals are ' })).toEqual([]);
    expect(gate.push({ type: 'text', text: 'capped at sixty euros ' })).toEqual([]);
    expect(gate.push({ type: 'citation', source: 0, quote: 'q' })).toEqual([]);
    expect(gate.push({ type: 'text', text: '. Hotels' })).toEqual([
      { type: 'text', text: 'Meals are ' },
      { type: 'text', text: 'capped at sixty euros ' },
      { type: 'citation', source: 0, quote: 'q' },
      { type: 'text', text: '. Hotels' },
    ]);
    expect(gate.push({ type: 'text', text: ' too.' })).toEqual([{ type: 'text', text: ' too.' }]);
    expect(gate.end()).toEqual({ pieces: [], isRefusal: false });
  });

  it('replaces an own-words refusal by the one refusal sentence and drops its citations', () => {
    expect(
      run([
        { type: 'text', text: 'The provided documents do not ' },
        { type: 'text', text: 'mention the salary ' },
        { type: 'citation', source: 1, quote: 'q' },
        { type: 'text', text: '. They cover travel.' },
      ]),
    ).toEqual({ pieces: [{ type: 'text', text: noRelevantInformationText }], isRefusal: true });
  });

  it('lets a reply with no sentence end through after a dozen words without a negation', () => {
    const gate = new RefusalGate();
    const words = Array.from({ length: 12 }, (_, index) => ({ type: 'text' as const, text: `w${index} ` }));
    expect(words.slice(0, 11).flatMap((piece) => gate.push(piece))).toEqual([]);
    expect(gate.push(words[11] ?? { type: 'text', text: '' })).toHaveLength(12);
  });

  it('releases a short unfinished reply at the end as it is', () => {
    expect(run([{ type: 'text', text: 'Sixty euros' }])).toEqual({
      pieces: [{ type: 'text', text: 'Sixty euros' }],
      isRefusal: false,
    });
  });
});
