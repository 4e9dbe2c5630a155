import { cleanup, render, screen, waitFor } from '@testing-library/react';
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

  it('shows a source that opens inside a table as a table, its quoted row marked', async () => {
    // A chunk without blank lines that starts below its table's header, as the sample docs' settings table is chunked.
    const quote =
      '| `MONGODB_URI` | unset | where transcripts go |\n| `MONGODB_DB` | threadline | the database name |\n| `PORT` | 8000 | the port |';
    const answer: Answer = {
      ...quoted('threadline-extractive'),
      text: '`MONGODB_DB` defaults to threadline, the database name 【1:0†configuration.md】',
      citations: [{ ...quoted(null).citations[0]!, quote }],
    };
    render(<AnswerView answer={answer} />);
    screen.getByRole('button', { name: /1/ }).click();
    const dialog = await screen.findByRole('dialog');
    const rowClasses = () => [...dialog.querySelectorAll('tbody tr')].map((row) => row.className);
    expect(dialog.textContent).not.toContain('|');
    expect(rowClasses()).toEqual(['cited']);
    expect(dialog.querySelector('tbody tr')?.textContent).toContain('MONGODB_DB');
    screen.getByRole('button', { name: 'Show the whole section' }).click();
    await waitFor(() => expect(rowClasses()).toEqual(['', 'cited', '']));
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
