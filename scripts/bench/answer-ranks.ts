import { join } from 'node:path';
import { loadConfig } from '../../server/src/config.js';
import { createKnowledgeBase } from '../../server/src/engines/local/knowledge/knowledge-base.js';
import { openDatabase } from '../../server/src/sqlite/database.js';
import { answerCorpora } from './answer-corpora.js';

/**
 * Where retrieval puts the answer, in seconds rather than a whole `bench:answers` run: for each
 * question of the kept sets, the rank of the first hit from an expected file holding an expected
 * answer, and of the first hit from an expected file; per set, the share answered within the top
 * 5 and the top 8 hits (the answerer reads 8) and the mean reciprocal rank. Reads the sets kept by
 * `BENCH_KEEP_DIR=dir npm run bench:answers`:
 *
 *   BENCH_KEEP_DIR=dir npx tsx scripts/bench/answer-ranks.ts [--verbose] [set …]
 *
 * The sets changes are judged on (own-files-judge, own-files-blind) and checked on (own-files-unseen) are refused:
 * tuning retrieval to their questions would make them tuning sets.
 */
const keptDir = process.env.BENCH_KEEP_DIR;
if (!keptDir)
  throw new Error('usage: BENCH_KEEP_DIR=dir tsx scripts/bench/answer-ranks.ts [--verbose] [set …]');
const arguments_ = process.argv.slice(2);
const isVerbose = arguments_.includes('--verbose');
const named = arguments_.filter((argument) => !argument.startsWith('--'));
const refused = ['own-files-judge', 'own-files-blind', 'own-files-unseen'];
const asked = refused.find((name) => named.includes(name));
if (asked) throw new Error(`${asked} is never tuned on: only bench:answers' totals count.`);
const sets = named.length > 0 ? named : ['git-docs', 'fastify-docs', 'own-files', 'own-files-held-out'];

const stemOf = (fileName: string) => fileName.replace(/\.[^.]+$/, '');
type Tally = { questions: number; answerAt5: number; answerAt8: number; fileAt8: number; reciprocal: number };
const empty = (): Tally => ({ questions: 0, answerAt5: 0, answerAt8: 0, fileAt8: 0, reciprocal: 0 });
const line = (name: string, tally: Tally) => {
  const share = (count: number) => (count / Math.max(1, tally.questions)).toFixed(2);
  return `${name}: ${tally.questions} questions · answer in top 5 ${share(tally.answerAt5)}, top 8 ${share(tally.answerAt8)} · expected file in top 8 ${share(tally.fileAt8)} · MRR ${(tally.reciprocal / Math.max(1, tally.questions)).toFixed(3)}`;
};

const total = empty();
for (const corpus of answerCorpora().filter((candidate) => sets.includes(candidate.name))) {
  const dataDir = join(keptDir, corpus.name);
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const database = openDatabase(dataDir);
  const knowledge = createKnowledgeBase({ database, dataDir, config });
  try {
    const store = (await knowledge.vectorStores.list()).find((item) => item.name === corpus.name);
    if (!store)
      throw new Error(`${corpus.name} is not kept in ${keptDir}: run bench:answers with BENCH_KEEP_DIR`);
    await knowledge.waitForIngestion(store.id);
    const tally = empty();
    for (const question of corpus.questions) {
      // The answerer's own search: 20 hits, of which it reads the top 8.
      const hits = await knowledge.vectorStores.search([store.id], { query: question.q, maxNumResults: 20 });
      const isExpectedFile = (hit: { fileName: string }) => question.gold.includes(stemOf(hit.fileName));
      const holdsAnswer = (text: string) =>
        question.ans.some((expected) => text.toLowerCase().includes(expected.toLowerCase()));
      const answerRank = hits.findIndex((hit) => isExpectedFile(hit) && holdsAnswer(hit.text)) + 1;
      const fileRank = hits.findIndex(isExpectedFile) + 1;
      tally.questions += 1;
      if (answerRank > 0 && answerRank <= 5) tally.answerAt5 += 1;
      if (answerRank > 0 && answerRank <= 8) tally.answerAt8 += 1;
      if (fileRank > 0 && fileRank <= 8) tally.fileAt8 += 1;
      if (answerRank > 0) tally.reciprocal += 1 / answerRank;
      if (isVerbose)
        console.log(
          `  answer ${answerRank || '-'}\tfile ${fileRank || '-'}\t${question.q}\t| ${hits
            .slice(0, 5)
            .map((hit) => stemOf(hit.fileName))
            .join(' ')}`,
        );
    }
    console.log(line(corpus.name, tally));
    for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += tally[key];
  } finally {
    await knowledge.close();
    database.close();
  }
}
console.log(line('all', total));
