import type { ESLint } from 'eslint';

/** Feature folders of server/src, lowest layer first (see feature-boundaries.js). */
export declare const layers: string[][];
declare const plugin: ESLint.Plugin;
export default plugin;
