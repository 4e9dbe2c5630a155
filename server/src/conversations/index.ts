/**
 * @module conversations
 * A conversation's turns: the chat service admits a send, checks ownership, chooses the stores
 * searched, takes the thread's turn (cancelling the run in progress), appends the question, runs
 * the engine into the thread's run log, follows it to the client and records the transcript.
 * Exports the service (`app.chat`) and its plugin.
 */
export { chatPlugin } from './chat-plugin.js';
