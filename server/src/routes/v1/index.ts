/**
 * @module routes/v1
 * `/v1/*`: the OpenAI Assistants wire API over the local engine (assistants, threads, messages,
 * runs and steps, files, vector stores), in OpenAI's shapes and error format.
 */
export { v1Routes } from './v1-routes.js';
