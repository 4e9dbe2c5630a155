/**
 * The MongoDB-compatible server the Mongo suites run against (`npm test` starts one and sets it).
 * Without one they are skipped loudly, except in CI, where a missing server is a failure.
 */
export const mongoTestUri = process.env.THREADLINE_TEST_MONGODB_URI ?? '';
const isCi = process.env.CI === 'true' || process.env.CI === '1';

export function announceMongoSkip(suite: string): void {
  if (mongoTestUri !== '') return;
  if (isCi) throw new Error(`CI: THREADLINE_TEST_MONGODB_URI is empty, so "${suite}" cannot run. Failing.`);
  const line = '!'.repeat(78);
  console.warn(
    `\n${line}\nMongoDB suite "${suite}" was SKIPPED: THREADLINE_TEST_MONGODB_URI is empty.\n` +
      `Run \`npm test\` (starts a MongoDB-compatible server) or set the variable.\n${line}\n`,
  );
}
