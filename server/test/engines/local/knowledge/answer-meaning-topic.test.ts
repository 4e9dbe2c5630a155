import type { SearchHit } from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAnswer } from '../../../../src/engines/local/answer/answer-evidence.js';
import { minimumCoverage } from '../../../../src/engines/local/answer/passage-selection.js';
import { passagePlainText } from '../../../../src/engines/local/answer/passage-blocks.js';
import type { ChunkEmbedder } from '../../../../src/engines/local/knowledge/embed/embedder.js';
import { createMinilmEmbedder } from '../../../../src/engines/local/knowledge/embed/minilm/minilm-embedder.js';
import {
  createPassageSimilarity,
  minilmScale,
} from '../../../../src/engines/local/knowledge/search/passage-similarity.js';
import { newMessage } from '../../../../src/engines/local/runs/run-objects.js';
import { createTextVectorCache } from '../../../../src/engines/local/knowledge/search/text-vector-cache.js';
import { isModelTestSkipped, testModelDir } from '../../../helpers/embedding-model.js';

const hit = (rank: number, text: string): SearchHit => ({
  fileId: 'file-mounttab',
  fileName: 'mounttab.txt',
  chunkId: `chunk-${rank}`,
  score: 1 / rank,
  text,
  keywordRank: rank,
  vectorRank: rank,
});

// A mount table's manual page, written for this test in the shape of fstab(5) as a DOCX gives
// it: option entries that say what they do in their own words, and a field's paragraph that
// shares the question's words without being about it.
const hits = [
  hit(
    1,
    '**nofail**\n\nDo not report errors for this device if it does not exist, such as an unplugged disk.\n\n**noauto**\n\nDo not mount when mount -a is given (e.g., at boot time).',
  ),
  hit(
    2,
    '**user**\n\nAllow an ordinary user to mount the filesystem.\n\n**owner**\n\nAllow the owner of the block file to mount it.',
  ),
  hit(
    3,
    '**The first field (spec).**\n\nThis field describes the block special device to be mounted. It is not the mount point: for ordinary mounts it holds the device node, a LABEL or a UUID (to avoid ambiguity, prefer the UUID), and on a boot partition the UUID printed by blkid; a LABEL without quotes is read up to the first blank.',
  ),
];

describe.skipIf(isModelTestSkipped)('answers weighed by meaning with the in-process model', () => {
  let model: ChunkEmbedder;

  beforeAll(async () => {
    model = await createMinilmEmbedder({ modelDir: testModelDir, dataDir: '.', isDownloadAllowed: false });
  });
  afterAll(async () => {
    await model?.close();
  });

  it('does not answer with a passage the model finds unrelated, however many of the words it shares', async () => {
    const similarity = createPassageSimilarity(
      { ready: Promise.resolve(model), current: () => model, close: async () => {} },
      createTextVectorCache(),
    );
    const question = 'How do I avoid errors at boot when a device is missing?';
    const found = await findAnswer(
      {
        query: question,
        hits,
        conversation: [newMessage('thread_1', { content: question })],
        instructions: null,
        model: 'extractive',
        functionTools: [],
        toolRounds: [],
        signal: new AbortController().signal,
      },
      { similarity },
    );
    const spec = found.selection.passages.find((item) => item.passage.label === 'The first field (spec).');
    // The field's paragraph carries enough of the question's words to answer on words alone, and
    // the model finds it unrelated (below all-MiniLM-L6-v2's unrelated ceiling).
    expect(spec?.coverage).toBeGreaterThanOrEqual(minimumCoverage);
    expect(spec?.hasAction).toBe(true);
    expect(spec?.similarity).toBeLessThan(minilmScale.unrelated);
    const [first] = found.chosen;
    expect(first && passagePlainText(first.passage, first.blocks)).toContain('nofail');
  });
});
