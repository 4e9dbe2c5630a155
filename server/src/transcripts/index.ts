/**
 * @module transcripts
 * TODO describe
 */
export { compareTitlePrefix, defaultThreadTitle } from './thread-text.js';
export type { ThreadRecord } from './transcript-recorder.js';
export type { StoredThread, TranscriptStore } from './transcript-store.js';
export { persistencePlugin } from './transcripts-plugin.js';
