/**
 * @module knowledge
 * What a user's knowledge base is, whatever engine holds it: the engine's stores and files as one
 * user sees them (`app.knowledgeFor`), each user's default stores (`app.defaultKnowledge`) and the
 * sample documentation they start with, and where a cited quote sits in a PDF.
 */
export { defaultKnowledgePlugin } from './default-stores-plugin.js';
export { waitForIngestion } from './default-stores.js';
export type { DefaultKnowledge } from './default-stores.js';
export { knowledgePlugin } from './knowledge-plugin.js';
export { hiddenVectorStore } from './owned-knowledge.js';
export type { OwnedKnowledge } from './owned-knowledge.js';
export { pageOfQuote } from './pdf-page.js';
export { loadSampleKnowledgeBase } from './sample-knowledge-base.js';
