/**
 * @module routes/chat
 * `/chat/stream`, `/chat/tool-outputs`, `/models`: Threadline's own chat API, one chat-service
 * call per handler.
 */
export { chatRoutes } from './chat-routes.js';
