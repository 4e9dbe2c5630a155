import type { V1CreateRun } from '@threadline/shared';
import { z } from 'zod';
import { AppError } from '../../http/index.js';
import type { LocalRunOptions } from '../../engines/index.js';
import type { RunParameters } from '../../engines/index.js';
import { messageText } from './v1-engine.js';
import type { WireEngine } from '../../engines/index.js';

export const fileSearchContentInclude = 'step_details.tool_calls[*].file_search.results[*].content';

type IncludeQuery = { include?: string | string[] | undefined; 'include[]'?: string | string[] | undefined };

export const includesResultContent = (query: IncludeQuery) =>
  [query.include, query['include[]']].flat().includes(fileSearchContentInclude);

/**
 * Turns a /v1 run request into the engine's run options (assistant defaults, extra instructions).
 * Whether the caller may use the assistant was checked before the handler (installOwnership).
 */
export async function toRunOptions(
  engine: WireEngine,
  body: Omit<V1CreateRun, 'additional_messages' | 'additional_instructions'> & {
    additional_instructions?: string | null | undefined;
  },
  include: IncludeQuery,
): Promise<LocalRunOptions> {
  const assistant = await engine.getAssistant(body.assistant_id);
  const base = body.instructions ?? assistant.instructions;
  const instructions = [base, body.additional_instructions].filter(Boolean).join('\n\n') || null;
  return {
    assistantId: assistant.id,
    model: body.model ?? assistant.model,
    instructions: instructions ?? undefined,
    runTools: body.tools ?? assistant.tools,
    metadata: body.metadata,
    includeResultContent: includesResultContent(include),
    parameters: runParameters(body),
  };
}

export function requireText(content: Parameters<typeof messageText>[0]): string {
  const text = messageText(content);
  if (text === null) {
    throw new AppError(
      'bad_request',
      400,
      'Threadline supports text message content only; content must not be empty.',
    );
  }
  return text;
}

const truncationSchema = z.object({
  type: z.string(),
  last_messages: z.number().int().nullable().optional(),
});

/** Echoes what the caller chose (OpenAI's run object carries these), leaving defaults otherwise. */
function runParameters(body: Omit<V1CreateRun, 'additional_messages'>): RunParameters {
  const parameters: RunParameters = {};
  if (body.temperature !== undefined) parameters.temperature = body.temperature;
  if (body.top_p !== undefined) parameters.top_p = body.top_p;
  if (body.max_prompt_tokens !== undefined) parameters.max_prompt_tokens = body.max_prompt_tokens;
  if (body.max_completion_tokens !== undefined) parameters.max_completion_tokens = body.max_completion_tokens;
  const truncation = truncationSchema.safeParse(body.truncation_strategy);
  if (truncation.success) parameters.truncation_strategy = truncation.data;
  if (body.tool_choice !== undefined) parameters.tool_choice = body.tool_choice;
  if (body.parallel_tool_calls !== undefined) parameters.parallel_tool_calls = body.parallel_tool_calls;
  if (body.response_format !== undefined) parameters.response_format = body.response_format;
  return parameters;
}
