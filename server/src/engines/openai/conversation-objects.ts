import type { Message, MessageContent, Thread } from '@threadline/shared';
import type { Conversation } from 'openai/resources/conversations/conversations';
import type { ConversationItem } from 'openai/resources/conversations/items';
import { z } from 'zod';
import { insertCitationMarkers, type ResponsesFileCitation } from './citation-markers.js';
import { responsesAssistantId } from './assistants-objects.js';

/** Conversations have no tool resources, so a thread's vector stores live in its metadata. */
export const vectorStoresMetadataKey = 'threadline_vector_store_ids';

const metadataSchema = z.record(z.string(), z.string()).catch({});

export function vectorStoresOf(conversation: Conversation): string[] {
  const joined = metadataSchema.parse(conversation.metadata ?? {})[vectorStoresMetadataKey] ?? '';
  return joined.split(',').filter((id) => id !== '');
}

export function toThread(conversation: Conversation): Thread {
  const { [vectorStoresMetadataKey]: _stores, ...metadata } = metadataSchema.parse(
    conversation.metadata ?? {},
  );
  return {
    id: conversation.id,
    object: 'thread',
    created_at: Math.floor(conversation.created_at),
    metadata,
    tool_resources: { file_search: { vector_store_ids: vectorStoresOf(conversation) } },
  };
}

export function userMessage(
  threadId: string,
  id: string,
  content: string,
  createdAt: number,
  metadata: Record<string, string>,
): Message {
  return {
    id,
    object: 'thread.message',
    created_at: createdAt,
    thread_id: threadId,
    status: 'completed',
    incomplete_details: null,
    completed_at: createdAt,
    incomplete_at: null,
    role: 'user',
    content: [{ type: 'text', text: { value: content, annotations: [] } }],
    assistant_id: null,
    run_id: null,
    attachments: [],
    metadata,
  };
}

/**
 * A conversation's user and assistant messages as Assistants messages; tool calls and other
 * items are not messages. Items carry no timestamps, so the conversation's stands in.
 */
export function toMessage(item: ConversationItem, threadId: string, createdAt: number): Message | undefined {
  if (item.type !== 'message' || (item.role !== 'user' && item.role !== 'assistant')) return undefined;
  const content = item.content.flatMap((part): MessageContent[] => {
    if (part.type === 'input_text' || part.type === 'text') {
      return [{ type: 'text', text: { value: part.text, annotations: [] } }];
    }
    if (part.type === 'output_text') {
      const citations = part.annotations.flatMap((annotation): ResponsesFileCitation[] =>
        annotation.type === 'file_citation' ? [annotation] : [],
      );
      const cited = insertCitationMarkers(part.text, citations);
      return [{ type: 'text', text: { value: cited.text, annotations: cited.annotations } }];
    }
    if (part.type === 'refusal') return [{ type: 'refusal', refusal: part.refusal }];
    return [];
  });
  const isAssistant = item.role === 'assistant';
  return {
    ...userMessage(threadId, item.id, '', createdAt, {}),
    status: item.status,
    completed_at: item.status === 'completed' ? createdAt : null,
    incomplete_at: item.status === 'incomplete' ? createdAt : null,
    role: item.role,
    content,
    assistant_id: isAssistant ? responsesAssistantId : null,
  };
}
