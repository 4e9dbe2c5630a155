/**
 * @module engines/upstream
 * What the two upstream engines share: their runs in flight, vector stores and files through the
 * SDK, model listing, and upstream errors mapped to Threadline's.
 */
export { ActiveRuns } from './active-runs.js';
export { isAbortError, toUpstreamError, upstreamStatus } from './upstream-error.js';
export { upstreamIdentity } from './upstream-identity.js';
export { openAIFileApi, openAIVectorStoreApi, upstreamCaller } from './upstream-knowledge.js';
export { listOpenAIModels, probeOpenAI } from './upstream-models.js';
export type { UpstreamOptions } from './upstream-options.js';
