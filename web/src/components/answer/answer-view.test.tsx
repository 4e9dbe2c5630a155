import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyAnswer, type Answer } from './answer.js';
import { AnswerView } from './answer-view.js';

const stopped = (text: string): Answer => ({
  ...emptyAnswer,
  text,
  outcome: 'cancelled',
  isStreaming: false,
});

describe('AnswerView after Stop', () => {
  afterEach(cleanup);

  it('points at the partial answer that was kept', () => {
    render(<AnswerView answer={stopped('The background writer retries with backoff')} />);
    expect(screen.getByText(/retries with backoff/)).toBeTruthy();
    expect(screen.getByText(/^Stopped\. The answer above is what was kept/)).toBeTruthy();
  });

  it('says nothing was kept when the stop came before any words', () => {
    render(<AnswerView answer={stopped('')} />);
    expect(screen.getByText('Stopped before any answer arrived; nothing was kept.')).toBeTruthy();
    expect(screen.queryByText(/answer above/)).toBeNull();
  });
});

describe('AnswerView of a quoted answer', () => {
  afterEach(cleanup);

  const quoted = (model: string | null): Answer => ({
    ...emptyAnswer,
    text: '**Settings**\n\n| setting | default |\n| --- | --- |\n| `PORT` | 8000 |\n\n【1:0†configuration.md】',
    citations: [
      {
        marker: '【1:0†configuration.md】',
        startIndex: null,
        endIndex: null,
        fileId: 'file_1',
        fileName: 'configuration.md',
        quote: '**Settings**\n\n| setting | default |\n| --- | --- |\n| `PORT` | 8000 |',
      },
    ],
    outcome: 'completed',
    isStreaming: false,
    model,
  });

  it('renders a Markdown table as a table', () => {
    const { container } = render(<AnswerView answer={quoted('threadline-extractive')} />);
    const cells = [...container.querySelectorAll('.markdown table td')].map((cell) => cell.textContent);
    expect(cells).toEqual(['PORT', '8000']);
    expect(container.querySelector('.markdown')?.textContent).not.toContain('|');
  });

  it('says the answer is quoted and how to get written answers', async () => {
    render(<AnswerView answer={quoted('threadline-extractive')} />);
    expect(screen.getByText(/Quoted from your documents/)).toBeTruthy();
    screen.getByRole('button', { name: 'How to get written answers' }).click();
    expect(await screen.findByText(/LLM_BASE_URL/)).toBeTruthy();
  });

  it('says nothing of the kind under a model’s written answer', () => {
    render(<AnswerView answer={quoted('gpt-4o-mini')} />);
    expect(screen.queryByText(/Quoted from your documents/)).toBeNull();
  });
});
