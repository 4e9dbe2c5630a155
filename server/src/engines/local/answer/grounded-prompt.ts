import type { Message } from '@threadline/shared';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { AnswerInput, FunctionTool } from './answer-piece.js';
import { noRelevantInformationText } from './no-answer.js';

const rules =
  "Answer the user's question using only the numbered sources below, retrieved from their knowledge base. " +
  'Read a follow-up question in the context of the conversation. ' +
  'Cite every statement with the number of its source in square brackets, like [1] or [2][3]. ' +
  `If the sources do not contain the answer, reply with exactly this sentence and cite nothing: "${noRelevantInformationText}" ` +
  'Never invent facts that are not in the sources.';

/** What the model is shown as source n (1-based): a passage or a whole retrieved chunk. */
export type GroundedSource = { fileName: string; text: string };

type ChatMessage = ChatCompletionMessageParam;

/**
 * The grounded conversation, in the parts a token budget weighs separately: the system text
 * without its sources, each source as numbered, the history that may be dropped (oldest first),
 * and the turn itself (the question and any tool rounds), which is always sent.
 */
export type GroundedParts = {
  system: string;
  sources: string[];
  history: ChatMessage[];
  turn: ChatMessage[];
};

const textOf = (message: Message) =>
  message.content
    .map((part) => (part.type === 'text' ? part.text.value : ''))
    .join('\n')
    .replace(/【[^】]*】/g, '');

const toChatMessage = (message: Message): ChatMessage =>
  message.role === 'user'
    ? { role: 'user', content: textOf(message) }
    : { role: 'assistant', content: textOf(message) };

export const numberedSource = (source: GroundedSource, index: number): string =>
  `[${index + 1}] (file: ${source.fileName})\n${source.text.trim()}`;

/**
 * `lastMessages`: the run's `truncation_strategy` of type `last_messages` (the question counts
 * as one of them, as in the Assistants API).
 */
export function groundedParts(
  input: AnswerInput,
  sourceList: readonly GroundedSource[],
  lastMessages: number | null = null,
): GroundedParts {
  const system = [input.instructions?.trim(), rules].filter(Boolean).join('\n\n');
  const conversation = lastMessages === null ? input.conversation : input.conversation.slice(-lastMessages);
  const questionIndex = conversation.findLastIndex((message) => message.role === 'user');
  const toolTurns: ChatMessage[] = input.toolRounds.flatMap((round) => [
    {
      role: 'assistant' as const,
      content: null,
      tool_calls: round.calls.map((call) => ({
        id: call.id,
        type: 'function' as const,
        function: { name: call.name, arguments: call.arguments },
      })),
    },
    ...round.outputs.map((output) => ({
      role: 'tool' as const,
      tool_call_id: output.tool_call_id,
      content: output.output,
    })),
  ]);
  return {
    system,
    sources: sourceList.map(numberedSource),
    history: conversation.slice(0, Math.max(0, questionIndex)).map(toChatMessage),
    turn: [...conversation.slice(Math.max(0, questionIndex)).map(toChatMessage), ...toolTurns],
  };
}

/** The messages sent: rules and numbered sources as the system message, history, the turn. */
export function assembleMessages(parts: GroundedParts): ChatMessage[] {
  const sources =
    parts.sources.length === 0 ? 'No sources were found for this question.' : parts.sources.join('\n\n');
  return [
    { role: 'system', content: `${parts.system}\n\nSources:\n\n${sources}` },
    ...parts.history,
    ...parts.turn,
  ];
}

/** The grounded conversation sent to a chat-completions model, whole (no budget applied). */
export function buildGroundedMessages(
  input: AnswerInput,
  sourceList: readonly GroundedSource[] = input.hits,
): ChatMessage[] {
  return assembleMessages(groundedParts(input, sourceList));
}

export function toChatTools(tools: FunctionTool[]): ChatCompletionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      ...(tool.parameters !== undefined ? { parameters: tool.parameters } : {}),
    },
  }));
}
