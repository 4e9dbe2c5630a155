/**
 * @module routes/legacy
 * The legacy `/api/assistants/…` and `/api/files/…` routes, as openai-assistants-quickstart's
 * Next.js routes behaved (NDJSON, no cancel, no persistence): the migration baseline.
 */
export { legacyRoutes } from './legacy-routes.js';
