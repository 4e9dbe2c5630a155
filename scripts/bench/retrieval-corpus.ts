import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const corpusDir = resolve(repoRoot, '../shared/corpus');

const questionSchema = z.object({ q: z.string(), gold: z.array(z.string()), ans: z.array(z.string()) });
export type Question = z.infer<typeof questionSchema>;

/** The Git documentation corpus and its questions, or a clear exit when they are absent. */
export function loadCorpus(): {
  files: { fileName: string; bytes: Buffer }[];
  questions: Question[];
  paraphrases: Question[];
} {
  const docsDir = join(corpusDir, 'git-docs');
  const questionsFile = join(corpusDir, 'git-docs-qa.jsonl');
  if (!existsSync(docsDir) || !existsSync(questionsFile)) {
    console.error(
      `The retrieval corpus was not found at ${corpusDir} (expected git-docs/ and git-docs-qa.jsonl).`,
    );
    process.exit(2);
  }
  const files = readdirSync(docsDir)
    .filter((name) => name.endsWith('.txt'))
    .sort()
    .map((fileName) => ({ fileName, bytes: readFileSync(join(docsDir, fileName)) }));
  const paraphrasesFile = join(corpusDir, 'git-docs-paraphrases.jsonl');
  return {
    files,
    questions: readQuestions(questionsFile),
    paraphrases: existsSync(paraphrasesFile) ? readQuestions(paraphrasesFile) : [],
  };
}

const readQuestions = (file: string): Question[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => questionSchema.parse(JSON.parse(line)));

export type RankedPassage = { fileName: string; text: string };

export type QuestionScore = { answerHit: boolean; fileHit: boolean; reciprocalRank: number };

const stem = (fileName: string) => fileName.replace(/\.[^.]+$/, '');

/**
 * answer hit@5: a top-5 passage contains an `ans` string; file recall@5: the first five
 * distinct files include a gold file; reciprocal rank: 1/rank of the first top-10 passage
 * from a gold file.
 */
export function scoreQuestion(question: Question, ranked: readonly RankedPassage[]): QuestionScore {
  const topFive = ranked.slice(0, 5);
  const answerHit = topFive.some((passage) => question.ans.some((answer) => passage.text.includes(answer)));
  const distinctFiles = [...new Set(ranked.map((passage) => stem(passage.fileName)))].slice(0, 5);
  const fileHit = distinctFiles.some((file) => question.gold.includes(file));
  const firstGold = ranked
    .slice(0, 10)
    .findIndex((passage) => question.gold.includes(stem(passage.fileName)));
  return { answerHit, fileHit, reciprocalRank: firstGold === -1 ? 0 : 1 / (firstGold + 1) };
}

export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}
