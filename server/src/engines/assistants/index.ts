/**
 * @module engines/assistants
 * TODO describe
 */
export { AssistantsEngine } from './assistants-engine.js';
