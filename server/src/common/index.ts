/**
 * @module common
 * TODO describe
 */
export { localUserId } from './local-user.js';
export { tableRowText, tableSeparatorRow } from './markdown-table.js';
export { untilAborted } from './until-aborted.js';
