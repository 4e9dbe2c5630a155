/**
 * @module ownership
 * TODO describe
 */
export { createKnowledgeOwners } from './sqlite-owners.js';
export type { KnowledgeOwners } from './sqlite-owners.js';
export { findOwnedThread, threadOwnerKey } from './thread-access.js';
