import { randomBytes } from 'node:crypto';

/**
 * Ids of the Responses API's objects. A response's own id is new (`resp_…`); every item's id is
 * derived from the thread object it shows, so a response's output, its input items and the
 * conversation's items name one thing by one id, and an id given back leads to its object:
 * a message is the thread's message (`msg_…`), a file search is its run step (`fs_` + the step's
 * id), a function call and its output are the call (`fc_` / `fco_` + the call's id).
 */

export const newResponseId = () => `resp_${randomBytes(24).toString('hex')}`;

const suffix = (id: string) => id.slice(id.indexOf('_') + 1);

export const fileSearchItemId = (stepId: string) => `fs_${suffix(stepId)}`;
export const functionCallItemId = (callId: string) => `fc_${suffix(callId)}`;
export const functionCallOutputItemId = (callId: string) => `fco_${suffix(callId)}`;
