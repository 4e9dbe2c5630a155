import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AppHeader } from './app-header.js';

afterEach(cleanup);

describe('AppHeader', () => {
  it('labels the backend picker on screen, apart from the product name', () => {
    render(
      <AppHeader route={{ page: 'chat', threadId: null }} backend="threadline" onToggleHistory={null} />,
    );
    const picker = screen.getByRole('combobox', { name: 'Backend' });
    const label = picker.closest('label');
    // A visible word, not only a screen reader's: "Threadline" alone read as the product.
    expect(within(label as HTMLElement).getByText('Backend').className).not.toContain('visually-hidden');
    expect(
      within(picker)
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual(['Threadline', 'Legacy route']);
  });
});
