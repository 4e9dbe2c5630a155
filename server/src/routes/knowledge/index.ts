/**
 * @module routes/knowledge
 * TODO describe
 */
export { knowledgeRoutes } from './knowledge-routes.js';
