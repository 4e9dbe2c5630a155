/**
 * @module sqlite
 * TODO describe
 */
export { migrate, openDatabase } from './database.js';
export type { SqliteDatabase } from './database.js';
