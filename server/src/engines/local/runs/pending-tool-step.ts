import type { Run, RunStep } from '@threadline/shared';
import { AppError } from '../../../http/index.js';
import type { ToolOutput } from '../../engine.js';
import type { EngineState } from '../store/engine-state.js';

/**
 * The tool-calls step a `requires_action` run waits on, once `toolOutputs` answer exactly its
 * calls: OpenAI rejects both missing and unknown call ids, and so does this.
 */
export async function pendingToolStep(
  store: EngineState,
  run: Run,
  toolOutputs: ToolOutput[],
): Promise<RunStep> {
  const expected = run.required_action?.submit_tool_outputs.tool_calls.map((call) => call.id) ?? [];
  const given = new Set(toolOutputs.map((output) => output.tool_call_id));
  const missing = expected.filter((id) => !given.has(id));
  const unknown = [...given].filter((id) => !expected.includes(id));
  if (missing.length > 0 || unknown.length > 0) {
    throw new AppError(
      'bad_request',
      400,
      `Expected tool outputs for call_ids ${JSON.stringify(expected)}, got ${JSON.stringify([...given])}`,
    );
  }
  const toolStep = (await store.steps.list(run.id, { limit: 100, order: 'desc' })).data.find(
    (step) => step.type === 'tool_calls' && step.status === 'in_progress',
  );
  if (!toolStep) throw new AppError('bad_request', 400, `Run ${run.id} has no pending tool calls.`);
  return toolStep;
}
