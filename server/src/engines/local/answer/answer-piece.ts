import type { FunctionToolCall, Message, SearchHit, Usage } from '@threadline/shared';
import type { StoredRunContext } from '../store/engine-store.js';

/** What an answerer produces, in order; the run turns pieces into message deltas and steps. */
export type AnswerPiece =
  | { type: 'text'; text: string }
  /** `source` is the 0-based index of the cited hit; `quote` the passage it supports. */
  | { type: 'citation'; source: number; quote: string }
  | { type: 'tool_calls'; calls: Array<{ id: string; name: string; arguments: string }> }
  | { type: 'usage'; usage: Usage }
  /** The run's own token limit ended the answer (the run ends `incomplete`, as OpenAI's did). */
  | { type: 'incomplete'; reason: 'max_prompt_tokens' | 'max_completion_tokens' };

/**
 * The run's token limits, as the Assistants API defines them, and what its earlier turns (before
 * tool outputs) already used: `max_prompt_tokens` and `max_completion_tokens` count over the run.
 */
export type RunLimits = {
  maxPromptTokens: number | null;
  maxCompletionTokens: number | null;
  /** `truncation_strategy: { type: 'last_messages' }`: only this many recent messages. */
  lastMessages: number | null;
  usedPromptTokens: number;
  usedCompletionTokens: number;
};

export type FunctionTool = {
  name: string;
  description?: string | undefined;
  parameters?: Record<string, unknown> | undefined;
};

export type AnswerInput = {
  query: string;
  hits: SearchHit[];
  /** The thread's messages before the answer, oldest first (the last is usually the question). */
  conversation: Message[];
  instructions: string | null;
  model: string;
  functionTools: FunctionTool[];
  toolRounds: StoredRunContext['toolRounds'];
  signal: AbortSignal;
  limits?: RunLimits | undefined;
};

export type Answerer = (input: AnswerInput) => AsyncIterable<AnswerPiece>;

export type { FunctionToolCall };
