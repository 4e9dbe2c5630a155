/**
 * @module routes/health
 * TODO describe
 */
export { healthRoutes } from './health-routes.js';
