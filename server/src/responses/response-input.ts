import type { ResponseCreateRequest, ResponseInputItem } from '@threadline/shared';
import { ParamError } from './param-error.js';

/** A message for the thread: a question (`user`) or an answer given back (`assistant`). */
export type InputMessage = { role: 'user' | 'assistant'; text: string };
export type InputOutput = { callId: string; output: string };

/**
 * What a response's `input` asks of the thread: messages to add, instructions (system and
 * developer messages, which OpenAI reads as instructions, not conversation), and function
 * outputs for calls the model made. Calls and file searches given back are already the thread's.
 */
export type ParsedInput = {
  messages: InputMessage[];
  instructions: string[];
  outputs: InputOutput[];
};

type Part = Exclude<Extract<ResponseInputItem, { role: string }>['content'], string>[number];

function partText(part: Part, param: string): string {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return part.text;
    case 'refusal':
      return part.refusal;
    case 'input_image':
    case 'input_file':
    case 'input_audio':
      throw new ParamError(
        `Invalid value: '${part.type}'. Threadline takes text content only (input_text, output_text).`,
        `${param}.type`,
        'invalid_value',
      );
  }
}

const outputText = (output: Extract<ResponseInputItem, { type: 'function_call_output' }>['output']) =>
  typeof output === 'string'
    ? output
    : output.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');

/**
 * Reads `input` (a string is one user message). `param` names where the items came from in
 * errors (`input`, or `items` for a conversation's). Refused with the parameter at fault: content
 * that is not text, item references, empty messages, and a message after function outputs (the
 * outputs finish the turn that called for them; a new question is the next response).
 */
export function parseInput(input: ResponseCreateRequest['input'], param = 'input'): ParsedInput {
  const parsed: ParsedInput = { messages: [], instructions: [], outputs: [] };
  if (input === undefined) return parsed;
  if (typeof input === 'string') {
    if (input.trim() === '')
      throw new ParamError(`Invalid '${param}': empty string.`, param, 'invalid_value');
    parsed.messages.push({ role: 'user', text: input });
    return parsed;
  }
  input.forEach((item, index) => {
    const at = `${param}[${index}]`;
    if (item.type === undefined || item.type === 'message') {
      const text =
        typeof item.content === 'string'
          ? item.content
          : item.content.map((part, partIndex) => partText(part, `${at}.content[${partIndex}]`)).join('\n');
      if (text.trim() === '')
        throw new ParamError(`Invalid '${at}.content': empty message.`, `${at}.content`, 'invalid_value');
      if (item.role === 'system' || item.role === 'developer') {
        parsed.instructions.push(text);
        return;
      }
      if (parsed.outputs.length > 0)
        throw new ParamError(
          `Invalid '${at}': a message cannot follow function call outputs; send it as the next response.`,
          at,
          'invalid_value',
        );
      parsed.messages.push({ role: item.role, text });
      return;
    }
    switch (item.type) {
      case 'function_call_output':
        parsed.outputs.push({ callId: item.call_id, output: outputText(item.output) });
        return;
      case 'function_call':
      case 'file_search_call':
      case 'reasoning':
        return;
      case 'item_reference':
        throw new ParamError(
          `Invalid value: 'item_reference'. Give the item itself, or continue with 'previous_response_id' or 'conversation'.`,
          `${at}.type`,
          'invalid_value',
        );
    }
  });
  return parsed;
}
