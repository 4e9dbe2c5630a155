import type { Assistant, AssistantStreamEvent, LegacyAssistantRequest, Tool } from '@threadline/shared';
import { migrate, type SqliteDatabase } from '../../sqlite/index.js';
import { AppError } from '../../http/index.js';
import type { LocalRunOptions, WireEngine } from '../../engines/index.js';

/**
 * The assistant openai-assistants-quickstart's `POST /api/assistants` made (its model aside: the
 * engine's default here). `code_interpreter` is kept, as /v1 keeps it, and never offered to the model.
 */
export const quickstartAssistant = {
  name: 'Quickstart Assistant',
  instructions: 'You are a helpful assistant.',
  tools: [
    { type: 'code_interpreter' },
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Determine weather in my location',
        parameters: {
          type: 'object',
          properties: {
            location: { type: 'string', description: 'The city and state e.g. San Francisco, CA' },
            unit: { type: 'string', enum: ['c', 'f'] },
          },
          required: ['location'],
        },
      },
    },
    { type: 'file_search' },
  ] satisfies Tool[],
};

const migrations = [
  `CREATE TABLE legacy_assistants (
     user_id TEXT PRIMARY KEY,
     assistant_id TEXT NOT NULL
   ) WITHOUT ROWID;`,
];

/**
 * Which assistant the legacy routes run with. The quickstart's browser never names one: its
 * server read it from config. Here `LEGACY_ASSISTANT_ID` pins one for every user; otherwise each
 * user's runs use the assistant they last made through `POST /api/assistants` (the quickstart's
 * "Create Assistant" step), remembered in the embedded database; with neither, the built-in one.
 */
export function createLegacyAssistants(input: {
  engine: Pick<WireEngine, 'createAssistant' | 'findAssistant' | 'defaultModel' | 'streamRun'>;
  database: SqliteDatabase;
  pinnedId: string | undefined;
}) {
  const { engine, database, pinnedId } = input;
  migrate(database, 'legacy', migrations);
  const choose = database.prepare(
    `INSERT INTO legacy_assistants (user_id, assistant_id) VALUES (?, ?)
     ON CONFLICT (user_id) DO UPDATE SET assistant_id = excluded.assistant_id`,
  );
  const chosen = database.prepare<[string], { assistant_id: string }>(
    'SELECT assistant_id FROM legacy_assistants WHERE user_id = ?',
  );
  const forget = database.prepare('DELETE FROM legacy_assistants WHERE user_id = ?');

  const assistantOf = async (userId: string): Promise<Assistant | null> => {
    if (pinnedId !== undefined) {
      const pinned = await engine.findAssistant(pinnedId);
      if (!pinned)
        throw new AppError(
          'not_found',
          404,
          `LEGACY_ASSISTANT_ID names assistant ${pinnedId}, which does not exist`,
        );
      return pinned;
    }
    const assistantId = chosen.get(userId)?.assistant_id;
    if (assistantId === undefined) return null;
    const assistant = await engine.findAssistant(assistantId);
    // Deleted since (through /v1): back to the built-in assistant, as before it was made.
    if (!assistant) forget.run(userId);
    return assistant;
  };

  return {
    /** Makes the user's assistant (the quickstart's, with `request`'s fields in place of its own). */
    async create(request: LegacyAssistantRequest, userId: string): Promise<Assistant> {
      const assistant = await engine.createAssistant(
        {
          model: request.model ?? engine.defaultModel,
          name: request.name ?? quickstartAssistant.name,
          instructions: request.instructions ?? quickstartAssistant.instructions,
          tools: request.tools ?? quickstartAssistant.tools,
        },
        userId,
      );
      choose.run(userId, assistant.id);
      return assistant;
    },
    /**
     * Starts a legacy run with the user's assistant (its tools, model and instructions) once the
     * returned function is called; the assistant is looked up now, so a missing pinned one is a
     * 404 rather than a broken stream.
     */
    async runFor(userId: string, threadId: string, vectorStoreIds: string[]) {
      const assistant = await assistantOf(userId);
      const options: LocalRunOptions = assistant
        ? { vectorStoreIds, assistantId: assistant.id, runTools: assistant.tools }
        : { vectorStoreIds };
      return (signal: AbortSignal): AsyncIterable<AssistantStreamEvent> =>
        engine.streamRun(threadId, options, signal);
    },
  };
}
export type LegacyAssistants = ReturnType<typeof createLegacyAssistants>;
