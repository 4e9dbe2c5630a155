/**
 * @module engines/openai
 * The `openai` engine: OpenAI's Responses + Conversations APIs, their events mapped to the
 * Assistants stream events and citations Threadline's clients read.
 */
export { OpenAIEngine } from './openai-engine.js';
