import { openDatabase } from '../../src/sqlite/database.js';
import { createKnowledgeBase, type KnowledgeBase } from '../../src/engines/local/knowledge/knowledge-base.js';
import { LocalEngine } from '../../src/engines/local/local-engine.js';
import { testConfig } from './test-config.js';

export const handbook = `# Travel policy

Employees book flights through the travel portal at least fourteen days before departure.
Economy class is required for flights shorter than six hours. Business class is allowed for longer flights.

## Expenses

Meals are reimbursed up to 60 euros per day when travelling. Receipts must be uploaded within thirty days.
Hotel stays are capped at 180 euros per night in most cities.
`;

export const security = `# Security handbook

Laptops must use full-disk encryption. Passwords are at least sixteen characters long.
Report a lost laptop to the security team within one hour.
`;

export type EngineFixture = {
  engine: LocalEngine<KnowledgeBase>;
  vectorStoreId: string;
  dataDir: string;
  reopen: () => EngineFixture;
  close: () => Promise<void>;
  cleanup: () => void;
};

/** A real LocalEngine over a temp data dir with a vector store holding two ingested files. */
export async function createEngineFixture(environment: Record<string, string> = {}): Promise<EngineFixture> {
  const config = testConfig(environment);
  const open = (vectorStoreId: string): EngineFixture => {
    const database = openDatabase(config.DATA_DIR);
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    const engine = new LocalEngine({ database, knowledge, config, ownsDatabase: true });
    return {
      engine,
      vectorStoreId,
      dataDir: config.DATA_DIR,
      reopen: () => open(vectorStoreId),
      close: () => engine.close(),
      cleanup: config.cleanup,
    };
  };
  const fixture = open('');
  const store = await fixture.engine.vectorStores.create({ name: 'Handbooks' });
  await fixture.engine.vectorStores.addFile(store.id, {
    fileName: 'travel.md',
    bytes: Buffer.from(handbook),
  });
  await fixture.engine.vectorStores.addFile(store.id, {
    fileName: 'security.md',
    bytes: Buffer.from(security),
  });
  await fixture.engine.knowledge.waitForIngestion(store.id);
  await fixture.close();
  return open(store.id);
}
