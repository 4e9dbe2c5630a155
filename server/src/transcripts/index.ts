/**
 * @module transcripts
 * Conversation history: the transcript store (MongoDB or SQLite) behind a background writer with
 * a durable outbox, the records it keeps, and thread titles and previews.
 */
export { compareTitlePrefix, defaultThreadTitle } from './thread-text.js';
export type { MessageRecord, ThreadRecord, TranscriptRecorder } from './transcript-recorder.js';
export type { StoredThread, TranscriptStore } from './transcript-store.js';
export { persistencePlugin } from './transcripts-plugin.js';
