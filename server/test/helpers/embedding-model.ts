/**
 * The all-MiniLM-L6-v2 folder for the tests that run the real model: EMBEDDING_MODEL_DIR, which
 * .ci/run fills from PyPI. Locally without it those tests are skipped, loudly; in CI they run
 * and fail, so a broken model download can never pass unnoticed.
 */
export const testModelDir = process.env.EMBEDDING_MODEL_DIR || undefined;
const isCi = process.env.CI === 'true' || process.env.CI === '1';
export const isModelTestSkipped = testModelDir === undefined && !isCi;

if (isModelTestSkipped) {
  console.warn(
    `\n${'!'.repeat(78)}\nEMBEDDING_MODEL_DIR is not set: the all-MiniLM-L6-v2 tests are SKIPPED (see docs/configuration.md)\n${'!'.repeat(78)}\n`,
  );
}
