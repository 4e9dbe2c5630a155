import type { Message, SearchHit } from '@threadline/shared';
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

  /** What the answerer finds for the conversation's last question, meaning weighed by the model. */
  const answer = (query: string, passages: SearchHit[], conversation: Message[]) =>
    findAnswer(
      {
        query,
        hits: passages,
        conversation,
        instructions: null,
        model: 'extractive',
        functionTools: [],
        toolRounds: [],
        signal: new AbortController().signal,
      },
      {
        similarity: createPassageSimilarity(
          { ready: Promise.resolve(model), current: () => model, close: async () => {} },
          createTextVectorCache(),
        ),
      },
    );

  it('does not answer with a passage the model finds unrelated, however many of the words it shares', async () => {
    const question = 'How do I avoid errors at boot when a device is missing?';
    const found = await answer(question, hits, [newMessage('thread_1', { content: question })]);
    const spec = found.selection.passages.find((item) => item.passage.label === 'The first field (spec).');
    // The field's paragraph carries enough of the question's words to answer on words alone, and
    // the model finds it unrelated (below all-MiniLM-L6-v2's unrelated ceiling).
    expect(spec?.coverage).toBeGreaterThanOrEqual(minimumCoverage);
    expect(spec?.hasAction).toBe(true);
    expect(spec?.similarity).toBeLessThan(minilmScale.unrelated);
    const [first] = found.chosen;
    expect(first && passagePlainText(first.passage, first.blocks)).toContain('nofail');
  });

  it('does not answer on meaning alone with a passage that says none of what the question is about', async () => {
    // Node's path page as the bench's unseen set holds it: path.format's example is close in
    // meaning to listing a directory's files (directories, file names) and says none of it.
    const path = (rank: number, text: string): SearchHit => ({
      ...hit(rank, text),
      fileId: 'file-path',
      fileName: 'path.html',
    });
    const pages = [
      path(
        1,
        "**`path.format(pathObject)`**\n\nFor example, on POSIX:\n\n```js\n// If `dir`, `root` and `base` are provided,\n// `${dir}${path.sep}${base}`\n// will be returned. `root` is ignored.\npath.format({\n  root: '/ignored',\n  dir: '/home/user/dir',\n  base: 'file.txt',\n});\n// Returns: '/home/user/dir/file.txt'\n```",
      ),
    ];
    const question = 'How do I list the files in a directory in Node.js?';
    const found = await answer(question, pages, [newMessage('thread_1', { content: question })]);
    const [format] = found.selection.passages;
    expect(format?.similarity).toBeGreaterThanOrEqual(minilmScale.answers);
    expect(format?.coverage).toBeLessThan(0.1);
    expect(found.chosen).toEqual([]);
  });

  it('answers a follow-up with the passage it means over one that only shares its few words', async () => {
    // A resolver's configuration page, written for this test in the shape of resolv.conf(5): the
    // option that says "happens", "list" and "any" (past the 300 characters meaning reads) is about
    // something else than the question.
    const resolver = (rank: number, text: string): SearchHit => ({
      ...hit(rank, text),
      fileId: 'file-resolver',
      fileName: 'resolver.conf.txt',
    });
    const pages = [
      resolver(
        1,
        '**single-request**\n\nSets RES_SNGLKUP in _res.options. By default, glibc performs IPv4 and IPv6 lookups in parallel since glibc 2.9. Some appliance DNS servers cannot handle these queries properly and make the requests time out. This option disables the behavior and makes glibc perform the IPv6 and IPv4 requests sequentially. When that happens, any reply is waited for in turn; list the option only for such servers.',
      ),
      resolver(
        2,
        '**nameserver**\n\nThe Internet address of a name server the resolver should query. Up to three may be given, one per keyword. If there are no nameserver lines, the default is to use the name server on the local machine.',
      ),
    ];
    const cited = newMessage('thread_1', {
      role: 'assistant',
      content: 'Use nameserver lines.【1:0†resolver.conf.txt】',
    });
    const text = cited.content[0];
    if (text?.type === 'text')
      text.text.annotations = [
        {
          type: 'file_citation',
          text: '【1:0†resolver.conf.txt】',
          start_index: 21,
          end_index: 44,
          file_citation: { file_id: 'file-resolver' },
        },
      ];
    const followUp = "What happens if I don't list any?";
    const first = 'How do I list the name servers the resolver should use?';
    const found = await answer(`${first} ${followUp}`, pages, [
      newMessage('thread_1', { content: first }),
      cited,
      newMessage('thread_1', { content: followUp }),
    ]);
    const shares = found.selection.passages.map((item) => [item.passage.label, item.similarity]);
    expect(found.chosen[0]?.passage.label, JSON.stringify(shares)).toBe('nameserver');
  });
});
