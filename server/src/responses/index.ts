/**
 * @module responses
 * OpenAI's Responses and Conversations APIs over Threadline's threads and runs: a conversation
 * is a thread, a response is a run on one. What is here is the mapping (run events → Responses
 * events, thread → conversation items, request → run), the services over the local engine, and
 * the store of responses (their objects, input items and stream events). The HTTP routes are in
 * routes/v1/responses/.
 */
export { ConversationService } from './conversation-service.js';
export { ParamError, paramErrorOf } from './param-error.js';
export { ResponseService } from './response-service.js';
export { ResponseStore } from './response-store.js';
export type { EncodedResponseEvent } from './response-store.js';
