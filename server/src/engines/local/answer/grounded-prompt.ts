import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { AnswerInput, FunctionTool } from './answer-piece.js';
import { noRelevantInformationText } from './no-answer.js';

const maxHistoryMessages = 20;

const rules =
  "Answer the user's question using only the numbered sources below, retrieved from their knowledge base. " +
  'Read a follow-up question in the context of the conversation. ' +
  'Cite every statement with the number of its source in square brackets, like [1] or [2][3]. ' +
  `If the sources do not contain the answer, reply with exactly this sentence and cite nothing: "${noRelevantInformationText}" ` +
  'Never invent facts that are not in the sources.';

/** What the model is shown as source n (1-based): a passage or a whole retrieved chunk. */
export type GroundedSource = { fileName: string; text: string };

/** The grounded conversation sent to a chat-completions model: rules + numbered sources, history, tool rounds. */
export function buildGroundedMessages(
  input: AnswerInput,
  sourceList: readonly GroundedSource[] = input.hits,
): ChatCompletionMessageParam[] {
  const sources =
    sourceList.length === 0
      ? 'No sources were found for this question.'
      : sourceList
          .map((source, index) => `[${index + 1}] (file: ${source.fileName})\n${source.text.trim()}`)
          .join('\n\n');
  const system = [input.instructions?.trim(), rules, `Sources:\n\n${sources}`].filter(Boolean).join('\n\n');
  const history: ChatCompletionMessageParam[] = input.conversation
    .slice(-maxHistoryMessages)
    .map((message) => {
      const text = message.content
        .map((part) => (part.type === 'text' ? part.text.value : ''))
        .join('\n')
        .replace(/【[^】]*】/g, '');
      return message.role === 'user' ? { role: 'user', content: text } : { role: 'assistant', content: text };
    });
  const toolTurns: ChatCompletionMessageParam[] = input.toolRounds.flatMap((round) => [
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
  return [{ role: 'system', content: system }, ...history, ...toolTurns];
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
