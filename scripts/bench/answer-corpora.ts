import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { corpusDir, repoRoot } from './retrieval-corpus.js';

const answerSets = join(repoRoot, 'scripts/bench/answer-sets');

const questionSchema = z.object({
  kind: z.enum(['follow-up', 'off-topic']).optional(),
  /** An off-topic question that shares words with the documents (their verbs, their field). */
  near: z.boolean().optional(),
  q: z.string(),
  then: z.string().optional(),
  gold: z.array(z.string()).default([]),
  ans: z.array(z.string()).default([]),
});
export type AnswerQuestion = z.infer<typeof questionSchema>;

export type AnswerCorpus = {
  name: string;
  files: { fileName: string; bytes: Buffer }[];
  questions: AnswerQuestion[];
  followUps: AnswerQuestion[];
  offTopic: AnswerQuestion[];
  paraphrases: AnswerQuestion[];
  /** A judge set: its misses are never printed, so no rule can be fitted to them. */
  isBlind?: boolean;
};

const readQuestions = (path: string): AnswerQuestion[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => questionSchema.parse(JSON.parse(line)))
    : [];

function filesUnder(directory: string, extension = ''): { fileName: string; bytes: Buffer }[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .map((path) => ({ fileName: basename(path), bytes: readFileSync(path) }));
}

function corpusOf(
  name: string,
  files: AnswerCorpus['files'],
  questionDir: string,
  prefix: string,
): AnswerCorpus {
  // Questions added beside a corpus kept elsewhere (near-topic ones for the Git docs) live here.
  const conversations = [
    ...readQuestions(join(questionDir, `${prefix}-answers.jsonl`)),
    ...(questionDir === answerSets ? [] : readQuestions(join(answerSets, `${prefix}-answers.jsonl`))),
  ];
  return {
    name,
    files,
    questions: readQuestions(join(questionDir, `${prefix}-qa.jsonl`)),
    followUps: conversations.filter((question) => question.kind === 'follow-up'),
    offTopic: conversations.filter((question) => question.kind === 'off-topic'),
    paraphrases: readQuestions(join(questionDir, `${prefix}-paraphrases.jsonl`)),
  };
}

/**
 * The Git documentation (the test corpus beside the repository); as documents the answerer was
 * not tuned on, Fastify's own documentation as installed in node_modules; and the sample
 * knowledge base (Threadline's docs), where time to first token is measured as a new user
 * meets it. Question sets beyond the Git docs' live in scripts/bench/answer-sets.
 */
export function answerCorpora(): AnswerCorpus[] {
  const corpora: AnswerCorpus[] = [];
  const gitDocs = join(corpusDir, 'git-docs');
  if (existsSync(gitDocs))
    corpora.push(corpusOf('git-docs', filesUnder(gitDocs, '.txt'), corpusDir, 'git-docs'));
  else console.error(`The Git docs corpus was not found at ${corpusDir}; skipping it.`);
  const fastifyDocs = join(repoRoot, 'node_modules/fastify/docs');
  if (existsSync(fastifyDocs))
    corpora.push(corpusOf('fastify-docs', filesUnder(fastifyDocs, '.md'), answerSets, 'fastify-docs'));
  // Files a person brings: a manual page printed to PDF, one saved as Word, a web page as
  // downloaded (scripts/bench/own-files/README.md); the held-out set is never tuned on.
  const ownFiles = join(repoRoot, 'scripts/bench/own-files');
  corpora.push(corpusOf('own-files', filesUnder(join(ownFiles, 'tuning')), answerSets, 'own-files'));
  corpora.push(
    corpusOf('own-files-held-out', filesUnder(join(ownFiles, 'held-out')), answerSets, 'own-files-held-out'),
  );
  // A third set, written after the held-out one had been read: the check that no rule is fitted.
  corpora.push(
    corpusOf('own-files-unseen', filesUnder(join(ownFiles, 'unseen')), answerSets, 'own-files-unseen'),
  );
  // A fourth, the judge of each change to the answerer: only its totals are ever printed.
  corpora.push({
    ...corpusOf('own-files-judge', filesUnder(join(ownFiles, 'judge')), answerSets, 'own-files-judge'),
    isBlind: true,
  });
  // A fifth, written blind (issue #23, fourth round) after the held-out and unseen misses had been
  // read and rules fitted to them: the check that those rules hold on files nobody tuned on.
  corpora.push({
    ...corpusOf('own-files-blind', filesUnder(join(ownFiles, 'blind')), answerSets, 'own-files-blind'),
    isBlind: true,
  });
  // A sixth (issue #23, sixth round): manuals made by other tools than the first five's groff,
  // python-docx and Node's doc generator (DocBook HTML, Chromium's print to PDF, pandoc's Word),
  // its questions written before the engine ran on them.
  corpora.push(
    corpusOf('own-files-manuals', filesUnder(join(ownFiles, 'manuals')), answerSets, 'own-files-manuals'),
  );
  // A seventh (issue #23, seventh round): API reference pages (Node.js's events, url and util),
  // written before the engine ran on them to judge a rule about API entries fitted on another
  // set's misses; only its totals are printed.
  corpora.push({
    ...corpusOf('own-files-api', filesUnder(join(ownFiles, 'api')), answerSets, 'own-files-api'),
    isBlind: true,
  });
  // The sample knowledge base that ships with the product: what a new user asks first.
  const sample = [
    'README.md',
    'QUICK_START.md',
    ...readdirSync(join(repoRoot, 'docs')).map((name) => `docs/${name}`),
  ]
    .filter((path) => path.endsWith('.md'))
    .map((path) => ({ fileName: basename(path), bytes: readFileSync(join(repoRoot, path)) }));
  corpora.push(corpusOf('threadline-docs', sample, answerSets, 'threadline-docs'));
  return corpora;
}
