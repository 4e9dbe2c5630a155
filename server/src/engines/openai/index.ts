/**
 * @module engines/openai
 * TODO describe
 */
export { OpenAIEngine } from './openai-engine.js';
