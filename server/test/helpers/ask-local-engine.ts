import type { Message } from '@threadline/shared';
import { openDatabase, type SqliteDatabase } from '../../src/sqlite/database.js';
import { createKnowledgeBase, type KnowledgeBase } from '../../src/engines/local/knowledge/knowledge-base.js';
import { LocalEngine } from '../../src/engines/local/local-engine.js';
import { testConfig } from './test-config.js';

export type EngineAnswer = { text: string; quotes: string[]; citedFiles: string[] };

/** A local engine over one vector store of real files, ingested for real, to ask as a person does. */
export type FilesEngine = {
  engine: LocalEngine<KnowledgeBase>;
  database: SqliteDatabase;
  storeId: string;
  /** File name by file id. */
  fileNames: Map<string, string>;
  newThread(): Promise<string>;
  /** Asks on a thread (a follow-up when it already holds a question), run to the end. */
  askOn(threadId: string, question: string): Promise<EngineAnswer>;
  /** Asks on a new thread. */
  ask(question: string): Promise<EngineAnswer>;
  close(): Promise<void>;
};

export async function engineWithFiles(
  storeName: string,
  files: ReadonlyArray<readonly [fileName: string, bytes: Buffer]>,
  /** Settings beside the test defaults (hashed embeddings unless these name the model). */
  environment: Record<string, string> = {},
): Promise<FilesEngine> {
  const config = testConfig(environment);
  const database = openDatabase(config.DATA_DIR);
  const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
  const engine = new LocalEngine({ database, knowledge, config, ownsDatabase: true });
  const store = await knowledge.vectorStores.create({ name: storeName });
  const fileNames = new Map<string, string>();
  for (const [fileName, bytes] of files) {
    const file = await knowledge.vectorStores.addFile(store.id, { fileName, bytes });
    fileNames.set(file.id, fileName);
  }
  await knowledge.waitForIngestion(store.id);
  const newThread = async () => (await engine.createThread({ vectorStoreIds: [store.id] })).id;
  const askOn = async (threadId: string, question: string): Promise<EngineAnswer> => {
    await engine.appendMessage(threadId, { content: question });
    let message: Message | null = null;
    for await (const event of engine.streamRun(threadId, {}, new AbortController().signal)) {
      if (event.event === 'thread.message.completed') message = event.data;
    }
    const part = message?.content[0];
    if (part?.type !== 'text') throw new Error('no text answer');
    const citations = part.text.annotations.flatMap((annotation) =>
      annotation.type === 'file_citation' ? [annotation.file_citation] : [],
    );
    return {
      text: part.text.value,
      quotes: citations.map((citation) => citation.quote ?? ''),
      citedFiles: citations.map((citation) => fileNames.get(citation.file_id) ?? citation.file_id),
    };
  };
  return {
    engine,
    database,
    storeId: store.id,
    fileNames,
    newThread,
    askOn,
    ask: async (question) => askOn(await newThread(), question),
    close: async () => {
      await engine.close();
      config.cleanup();
    },
  };
}
