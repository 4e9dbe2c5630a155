/**
 * @module engines/assistants
 * The `assistants` engine: any server still speaking the Assistants API, through the official
 * `openai` SDK's beta.threads client, its streams relayed with cancellation.
 */
export { AssistantsEngine } from './assistants-engine.js';
