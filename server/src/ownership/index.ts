/**
 * @module ownership
 * Who owns what: the one rule for threads (and so their runs), vector stores, files and
 * assistants, which every door and every instance asks (`app.ownership`; someone else's id
 * answers exactly like a missing one); the owner records it reads, kept in MongoDB, Redis or the
 * embedded database (MongoDB's with a copy here, for its outages); and each user's default stores,
 * kept beside them.
 */
export type { DefaultStoreRecords } from './owner-records.js';
export { ownershipPlugin } from './ownership-plugin.js';
export type { Ownership } from './ownership-rule.js';
export { findOwnedThread, threadOwnerKey } from './thread-access.js';
