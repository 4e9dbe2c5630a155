/**
 * @module routes/chat
 * TODO describe
 */
export { chatRoutes } from './chat-routes.js';
