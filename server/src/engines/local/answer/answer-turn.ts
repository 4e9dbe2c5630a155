import type { Message, Run, Usage } from '@threadline/shared';
import { untilAborted } from '../../../common/index.js';
import type { AnswerPiece, Answerer, FunctionTool, RunLimits } from './answer-piece.js';
import { noKnowledgeBaseText, noRelevantInformationText } from './no-answer.js';
import type { AnswerMessage } from './answer-message.js';
import type { StoredRunContext } from '../store/engine-store.js';
import { estimateUsage } from '../runs/estimate-usage.js';
import { nowSeconds } from '../store/ids.js';
import type { RunPublisher } from '../runs/run-publisher.js';
import { functionCallDeltas } from '../runs/tool-call-deltas.js';

type RequestedCalls = Extract<AnswerPiece, { type: 'tool_calls' }>['calls'];

const functionToolsOf = (run: Run): FunctionTool[] =>
  run.tools.flatMap((tool) =>
    tool.type === 'function'
      ? [
          {
            name: tool.function.name,
            description: tool.function.description,
            parameters: tool.function.parameters,
          },
        ]
      : [],
  );

async function* fixedAnswer(text: string): AsyncIterable<AnswerPiece> {
  yield { type: 'text', text };
}

/**
 * Streams one answer into the run's message and ends the turn: `requires_action` when the model
 * asked for function calls, `completed` otherwise. Returns early, publishing nothing more, once
 * `signal` aborts (the cancel has already finished the run).
 */
export async function answerTurn(input: {
  publisher: RunPublisher;
  message: AnswerMessage;
  answerer: Answerer;
  context: StoredRunContext;
  conversation: Message[];
  hasStores: boolean;
  signal: AbortSignal;
}): Promise<void> {
  const { publisher, message, context, conversation, signal } = input;
  const { run } = publisher;
  const functionTools = functionToolsOf(run);
  const isNothingToSay = context.hits.length === 0 && functionTools.length === 0;
  const pieces: AsyncIterable<AnswerPiece> = isNothingToSay
    ? fixedAnswer(input.hasStores ? noRelevantInformationText : noKnowledgeBaseText)
    : input.answerer({
        query: context.query,
        hits: context.hits,
        conversation,
        instructions: run.instructions,
        model: run.model,
        functionTools,
        toolRounds: context.toolRounds,
        signal,
        limits: limitsOf(run),
      });
  let usage: Usage | null = null;
  let calls: RequestedCalls = [];
  let incomplete: Extract<AnswerPiece, { type: 'incomplete' }>['reason'] | null = null;
  for await (const piece of untilAborted(pieces, signal)) {
    if (signal.aborted) return;
    if (piece.type === 'usage') usage = piece.usage;
    else if (piece.type === 'tool_calls') calls = piece.calls;
    else if (piece.type === 'incomplete') incomplete = piece.reason;
    else message.append(piece);
  }
  if (signal.aborted) return;
  // A run's usage covers all its turns: the one before tool outputs, and this one.
  usage = addUsage(run.usage, usage ?? estimateUsage(context, conversation, message.text, run.instructions));
  if (incomplete) {
    if (message.isOpen) message.finish('incomplete', 'max_tokens');
    publisher.saveRun(
      { status: 'incomplete', incomplete_details: { reason: incomplete }, usage },
      'thread.run.incomplete',
    );
    return;
  }
  if (calls.length > 0) {
    requireAction(publisher, message, calls, usage);
    return;
  }
  message.ensure();
  message.finish('completed');
  publisher.saveRun({ status: 'completed', completed_at: nowSeconds(), usage }, 'thread.run.completed');
}

const limitsOf = (run: Run): RunLimits => ({
  maxPromptTokens: run.max_prompt_tokens ?? null,
  maxCompletionTokens: run.max_completion_tokens ?? null,
  lastMessages:
    run.truncation_strategy?.type === 'last_messages'
      ? (run.truncation_strategy.last_messages ?? null)
      : null,
  usedPromptTokens: run.usage?.prompt_tokens ?? 0,
  usedCompletionTokens: run.usage?.completion_tokens ?? 0,
});

const addUsage = (earlier: Usage | null, turn: Usage): Usage =>
  earlier
    ? {
        prompt_tokens: earlier.prompt_tokens + turn.prompt_tokens,
        completion_tokens: earlier.completion_tokens + turn.completion_tokens,
        total_tokens: earlier.total_tokens + turn.total_tokens,
      }
    : turn;

/** Text said before the calls stays a completed message of its own, as OpenAI shows it. */
function requireAction(publisher: RunPublisher, message: AnswerMessage, calls: RequestedCalls, usage: Usage) {
  if (message.isOpen) message.finish('completed');
  const toolCalls = calls.map((call) => ({
    id: call.id,
    type: 'function' as const,
    function: { name: call.name, arguments: call.arguments },
  }));
  // Announced with empty arguments, which then stream in, as OpenAI streamed them.
  const stepCalls = toolCalls.map((call) => ({ ...call, function: { ...call.function, output: null } }));
  const step = publisher.createStep(
    { type: 'tool_calls', tool_calls: stepCalls },
    {
      type: 'tool_calls',
      tool_calls: stepCalls.map((call) => ({ ...call, function: { ...call.function, arguments: '' } })),
    },
  );
  toolCalls.forEach((call, index) =>
    publisher.publishToolCallDeltas(step.id, functionCallDeltas(index, call.function.arguments)),
  );
  publisher.saveRun(
    {
      status: 'requires_action',
      required_action: { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: toolCalls } },
      usage,
    },
    'thread.run.requires_action',
  );
}
