import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { AnswerInput, FunctionTool } from './answer-piece.js';

const maxHistoryMessages = 20;

const rules =
  "Answer the user's question using only the numbered sources below, retrieved from their knowledge base. " +
  'Cite every statement with the number of its source in square brackets, like [1] or [2][3]. ' +
  'If the sources do not contain the answer, say that the knowledge base has no relevant information. ' +
  'Never invent facts that are not in the sources.';

/** The grounded conversation sent to a chat-completions model: rules + numbered sources, history, tool rounds. */
export function buildGroundedMessages(input: AnswerInput): ChatCompletionMessageParam[] {
  const sources =
    input.hits.length === 0
      ? 'No sources were found for this question.'
      : input.hits
          .map((hit, index) => `[${index + 1}] (file: ${hit.fileName})\n${hit.text.trim()}`)
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
