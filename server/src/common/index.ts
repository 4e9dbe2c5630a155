/**
 * @module common
 * Small dependency-free helpers every layer may use: the auth-off user's id, the user the current
 * work acts for, reading a Markdown table row as text, ending an async stream when a signal aborts,
 * an indented block's lines without their shared indentation.
 */
export { actAs, actingUserId } from './acting-user.js';
export { dedent, indentWidth } from './indentation.js';
export { localUserId } from './local-user.js';
export { tableRowText, tableSeparatorRow } from './markdown-table.js';
export { untilAborted } from './until-aborted.js';
