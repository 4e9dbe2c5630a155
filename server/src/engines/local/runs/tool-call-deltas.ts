import type { RunStepDelta } from '@threadline/shared';

export type ToolCallDelta = NonNullable<
  NonNullable<RunStepDelta['delta']['step_details']>['tool_calls']
>[number];

const chunkSize = 64;

/**
 * A function call's arguments as OpenAI streamed them into a step the `created` event already
 * announced (id, name, empty arguments): an opening delta with empty arguments, then the
 * arguments in pieces. Never the id or name again: the SDKs concatenate every string a delta
 * repeats. The opening delta is what makes the SDKs' `toolCallCreated` fire; the pieces fire
 * `toolCallDelta`.
 */
export function functionCallDeltas(index: number, callArguments: string): ToolCallDelta[] {
  const pieces = [''];
  for (let start = 0; start < callArguments.length; start += chunkSize)
    pieces.push(callArguments.slice(start, start + chunkSize));
  return pieces.map((piece) => ({ index, type: 'function', function: { arguments: piece } }));
}
