/**
 * @module routes/v1
 * TODO describe
 */
export { v1Routes } from './v1-routes.js';
