/**
 * @module engines/upstream
 * TODO describe
 */
export { ActiveRuns } from './active-runs.js';
export { isAbortError, toUpstreamError, upstreamStatus } from './upstream-error.js';
export { openAIFileApi, openAIVectorStoreApi, upstreamCaller } from './upstream-knowledge.js';
export { listOpenAIModels, probeOpenAI } from './upstream-models.js';
