import type { FunctionToolCall, Message, SearchHit, Usage } from '@threadline/shared';
import type { StoredRunContext } from '../store/engine-store.js';

/** What an answerer produces, in order; the run turns pieces into message deltas and steps. */
export type AnswerPiece =
  | { type: 'text'; text: string }
  /** `source` is the 0-based index of the cited hit; `quote` the passage it supports. */
  | { type: 'citation'; source: number; quote: string }
  | { type: 'tool_calls'; calls: Array<{ id: string; name: string; arguments: string }> }
  | { type: 'usage'; usage: Usage };

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
};

export type Answerer = (input: AnswerInput) => AsyncIterable<AnswerPiece>;

export type { FunctionToolCall };
