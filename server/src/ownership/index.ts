/**
 * @module ownership
 * Who owns what: the one rule for threads, vector stores and files (someone else's id answers
 * exactly like a missing one), and the owner records it reads.
 */
export { createKnowledgeOwners } from './sqlite-owners.js';
export type { KnowledgeOwners } from './sqlite-owners.js';
export { findOwnedThread, threadOwnerKey } from './thread-access.js';
