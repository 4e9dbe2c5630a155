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
