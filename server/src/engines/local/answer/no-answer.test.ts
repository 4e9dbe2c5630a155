import { describe, expect, it } from 'vitest';
import { noRelevantInformationText, notFoundText } from './no-answer.js';

describe('notFoundText', () => {
  it('is the plain refusal when nothing the question names is missing from the documents', () => {
    expect(notFoundText([])).toBe(noRelevantInformationText);
  });

  it('names what the documents never mention, as a list a person reads', () => {
    expect(notFoundText(['PyPI'])).toBe(`${noRelevantInformationText} The documents never mention PyPI.`);
    expect(notFoundText(['Docker', 'Kubernetes'])).toMatch(/never mention Docker or Kubernetes\.$/);
    expect(notFoundText(['Docker', 'Kubernetes', 'Helm'])).toMatch(
      /never mention Docker, Kubernetes or Helm\.$/,
    );
  });
});
