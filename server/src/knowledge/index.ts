/**
 * @module knowledge
 * TODO describe
 */
export { defaultKnowledgePlugin } from './default-stores-plugin.js';
export { waitForIngestion } from './default-stores.js';
export { knowledgeOwnersPlugin } from './knowledge-plugin.js';
export { hiddenVectorStore } from './owned-knowledge.js';
export { pageOfQuote } from './pdf-page.js';
export { loadSampleKnowledgeBase, sampleStoreName } from './sample-knowledge-base.js';
