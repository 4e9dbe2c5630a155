/**
 * @module startup
 * TODO describe
 */
export {
  StartupError,
  checkDataDirectory,
  checkPortFree,
  checkRequiredModel,
  listenProblem,
} from './startup-checks.js';
export { startupSummary } from './startup-summary.js';
