/**
 * @module conversations
 * TODO describe
 */
export { AdmissionGate } from './admission-gate.js';
export { changesStores, searchedStores } from './searched-stores.js';
export { ThreadSerialiser } from './thread-serialiser.js';
export type { ThreadTurn } from './thread-serialiser.js';
