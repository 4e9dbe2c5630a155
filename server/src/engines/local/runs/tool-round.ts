import type { FunctionToolCall, RunStep } from '@threadline/shared';
import type { ToolOutput } from '../../engine.js';
import type { StoredRunContext } from '../store/engine-store.js';

type ToolRound = StoredRunContext['toolRounds'][number];

const outputFor = (outputs: ToolOutput[], callId: string) =>
  outputs.find((output) => output.tool_call_id === callId)?.output ?? '';

/** The waiting tool-calls step with each call's submitted output filled in, as OpenAI shows it. */
export function completedToolStep(
  toolStep: RunStep,
  calls: FunctionToolCall[],
  outputs: ToolOutput[],
): RunStep {
  return {
    ...toolStep,
    step_details: {
      type: 'tool_calls',
      tool_calls: calls.map((call) => ({
        ...call,
        function: { ...call.function, output: outputFor(outputs, call.id) },
      })),
    },
  };
}

/** What the next answer needs to see of this round: the calls the model made and their outputs. */
export function toolRoundOf(calls: FunctionToolCall[], outputs: ToolOutput[]): ToolRound {
  return {
    calls: calls.map((call) => ({
      id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    })),
    outputs,
  };
}
