/** Said when retrieval found nothing relevant: an honest answer instead of an invented one. */
export const noRelevantInformationText =
  "I couldn't find any relevant information in the knowledge base to answer that question.";

/**
 * The refusal, saying what was not found when the question names something no document mentions
 * ("… The documents never mention PyPI."): the person learns that the search looked for it and
 * that rewording will not help, rather than only that nothing relevant turned up.
 */
export function notFoundText(unmentioned: readonly string[]): string {
  const [first, ...rest] = unmentioned;
  if (first === undefined) return noRelevantInformationText;
  const listed = rest.length === 0 ? first : `${[first, ...rest.slice(0, -1)].join(', ')} or ${rest.at(-1)}`;
  return `${noRelevantInformationText} The documents never mention ${listed}.`;
}

export const noKnowledgeBaseText =
  'No knowledge base is attached to this conversation, so there is nothing to search. Attach a vector store with documents and ask again.';
