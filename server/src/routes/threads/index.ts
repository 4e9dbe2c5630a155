/**
 * @module routes/threads
 * TODO describe
 */
export { threadRoutes } from './thread-routes.js';
