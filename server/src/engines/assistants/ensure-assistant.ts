import type OpenAI from 'openai';

/** Marks the assistant Threadline made, so a restart reuses it instead of making another. */
export const threadlineAssistantMetadata = { threadline: 'default' } as const;

/**
 * Finds the assistant Threadline created earlier on this server, or creates one with
 * file_search, on the configured model when the server has it, else its first model. Used
 * when ASSISTANTS_ASSISTANT_ID is not set.
 */
export async function ensureAssistant(client: OpenAI, model: string): Promise<string> {
  for await (const assistant of await client.beta.assistants.list({ limit: 100, order: 'desc' })) {
    const metadata: unknown = assistant.metadata;
    if (
      typeof metadata === 'object' &&
      metadata !== null &&
      'threadline' in metadata &&
      metadata.threadline === threadlineAssistantMetadata.threadline
    ) {
      return assistant.id;
    }
  }
  // The configured model may not exist on this server (another Threadline serves its own).
  const available: string[] = [];
  for await (const entry of await client.models.list()) available.push(entry.id);
  const created = await client.beta.assistants.create({
    model: available.length === 0 || available.includes(model) ? model : (available[0] ?? model),
    name: 'Threadline',
    instructions:
      'Answer from the files you can search. Cite the passages you use. When the files do not contain the answer, say so.',
    tools: [{ type: 'file_search' }],
    metadata: { ...threadlineAssistantMetadata },
  });
  return created.id;
}
