/**
 * @module routes/legacy
 * TODO describe
 */
export { legacyRoutes } from './legacy-routes.js';
