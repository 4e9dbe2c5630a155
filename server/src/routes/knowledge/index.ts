/**
 * @module routes/knowledge
 * `/knowledge/*`: vector stores and their files (multipart uploads, status per file), default
 * stores, the sample knowledge base, retrieval search for debugging, and cited file views.
 */
export { knowledgeRoutes } from './knowledge-routes.js';
