/** Said when retrieval found nothing relevant: an honest answer instead of an invented one. */
export const noRelevantInformationText =
  "I couldn't find any relevant information in the knowledge base to answer that question.";

export const noKnowledgeBaseText =
  'No knowledge base is attached to this conversation, so there is nothing to search. Attach a vector store with documents and ask again.';
