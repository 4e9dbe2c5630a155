/**
 * @module routes/threads
 * `/threads/*`: the caller's conversation history (list, read, rename, delete) and a thread's run
 * (follow from any event, stop). Route plugins only; the work is the transcript store's and the
 * chat service's.
 */
export { threadRoutes } from './thread-routes.js';
export { threadRunRoutes } from './thread-run-routes.js';
