/**
 * @module routes/health
 * `GET /health`: engine, transcript store and writer queue.
 */
export { healthRoutes } from './health-routes.js';
