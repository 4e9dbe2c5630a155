import { searchExistingStores } from '../../server/src/engines/local/runs/file-search-step.js';
import { join } from 'node:path';
import type { Message } from '@threadline/shared';
import { loadConfig } from '../../server/src/config.js';
import { findAnswer } from '../../server/src/engines/local/answer/answer-evidence.js';
import { createPassageAnswerer } from '../../server/src/engines/local/answer/passage-answer.js';
import { conversationQuestion } from '../../server/src/engines/local/answer/conversation-question.js';
import { passagePlainText } from '../../server/src/engines/local/answer/passage-blocks.js';
import { createKnowledgeBase } from '../../server/src/engines/local/knowledge/knowledge-base.js';
import { openDatabase } from '../../server/src/sqlite/database.js';
import { answerCorpora } from './answer-corpora.js';

/**
 * Why the extractive answerer chose what it chose: for each question, the question's action,
 * object and weighted terms, the top hits, and the best-scored passages with their coverage,
 * similarity and flags. Reads a set kept by `BENCH_KEEP_DIR=dir npm run bench:answers`:
 *
 *   BENCH_KEEP_DIR=dir npx tsx scripts/bench/answer-probe.ts git-docs "How do I …?" "First? || Follow-up?"
 *
 * A question written `first || then` is a conversation: each earlier turn is answered and its
 * cited files carried, as the engine does. PROBE_TEXT=1 prints each answer as the engine writes it.
 * The judge sets (those `answerCorpora` marks blind) are refused: their misses are never read.
 */
const [corpus, ...questions] = process.argv.slice(2);
const keptDir = process.env.BENCH_KEEP_DIR;
if (!corpus || !keptDir || questions.length === 0)
  throw new Error('usage: BENCH_KEEP_DIR=dir tsx scripts/bench/answer-probe.ts SET "question" …');
if (answerCorpora().find((item) => item.name === corpus)?.isBlind)
  throw new Error(`${corpus} is never read: only its totals count.`);
const dataDir = join(keptDir, corpus);
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
const database = openDatabase(dataDir);
const knowledge = createKnowledgeBase({ database, dataDir, config });
const store = (await knowledge.vectorStores.list()).find((item) => item.name === corpus);
if (!store)
  throw new Error(`${corpus} is not kept in ${keptDir}: run bench:answers with BENCH_KEEP_DIR first`);
await knowledge.waitForIngestion(store.id);
const evidence = { termStatistics: knowledge.termStatistics, similarity: knowledge.passageSimilarity };

const message = (role: 'user' | 'assistant', text: string, fileIds: string[] = []): Message => ({
  id: `msg_${Math.random()}`,
  object: 'thread.message',
  created_at: 0,
  thread_id: 'thread_probe',
  status: 'completed',
  incomplete_details: null,
  completed_at: 0,
  incomplete_at: null,
  role,
  content: [
    {
      type: 'text',
      text: {
        value: text,
        annotations: fileIds.map((fileId) => ({
          type: 'file_citation' as const,
          text: '【0†source】',
          start_index: 0,
          end_index: 1,
          file_citation: { file_id: fileId },
        })),
      },
    },
  ],
  assistant_id: null,
  run_id: null,
  attachments: [],
  metadata: {},
});

async function answer(conversation: Message[]) {
  const question = conversationQuestion(conversation);
  // As a run searches (searchExistingStores: a comparison is searched for each thing too, a
  // follow-up in the files the conversation cited too).
  const hits = await searchExistingStores(
    knowledge.vectorStores,
    [store?.id ?? ''],
    question.searchQuery,
    {
      vectorStoreIds: [store?.id ?? ''],
      isFileSearchOn: true,
      maxNumResults: 20,
      scoreThreshold: undefined,
      includeResultContent: true,
    },
    question.emphasis,
    question.topicFileIds,
  );
  const input = {
    query: question.searchQuery,
    hits,
    conversation,
    instructions: null,
    model: 'threadline-extractive',
    functionTools: [],
    toolRounds: [],
    signal: new AbortController().signal,
  };
  const found = await findAnswer(input, evidence);
  return { hits, found, input };
}

/** The answer as the quoted-answer engine writes it (PROBE_TEXT=1), citations as `[n: file]`. */
async function answerText(input: Awaited<ReturnType<typeof answer>>['input']): Promise<string> {
  let text = '';
  for await (const piece of createPassageAnswerer(evidence)(input)) {
    if (piece.type === 'text') text += piece.text;
    else if (piece.type === 'citation') text += `[${piece.source}: ${input.hits[piece.source]?.fileName}]`;
  }
  return text;
}

for (const asked of questions) {
  const turns = asked.split(' || ');
  const conversation: Message[] = [];
  for (const [index, turn] of turns.entries()) {
    conversation.push(message('user', turn));
    if (index === turns.length - 1) break;
    const { hits, found } = await answer(conversation);
    const cited = found.chosen.map((item) => hits[item.source]?.fileId ?? '');
    console.log(
      `(turn ${index + 1} cites ${found.chosen.map((item) => hits[item.source]?.fileName).join(', ')})`,
    );
    conversation.push(message('assistant', 'earlier answer', cited));
  }
  const { hits, found, input } = await answer(conversation);
  const { selection } = found;
  const place = (source: number) => `${hits[source]?.fileName}#${source}`;
  console.log(`\n### ${asked}`);
  console.log(
    `action ${selection.action} · object ${selection.object} · terms ${[...selection.terms].map(([term, weight]) => `${term} ${weight.toFixed(2)}`).join(', ')}`,
  );
  console.log(
    `unmentioned: ${found.unmentioned.join(', ')}\n` +
      `chosen: ${found.chosen.map((item) => `${place(item.source)} [${item.passage.label}]`).join(' | ')}`,
  );
  console.log(
    `hits: ${hits
      .slice(0, 10)
      .map((hit) => hit.fileName)
      .join(', ')}`,
  );
  for (const item of selection.passages.slice(0, 12)) {
    const text = passagePlainText(item.passage, item.blocks).slice(0, 110).replace(/\s+/g, ' ');
    console.log(
      `  ${item.score.toFixed(3)} coverage ${item.coverage.toFixed(2)} similarity ${item.similarity?.toFixed(2) ?? '-'}` +
        ` action ${item.hasAction ? 'y' : 'n'} object ${item.hasObject ? 'y' : 'n'} ${place(item.source)} ` +
        `[${item.passage.label ?? ''}${item.passage.isTerm ? ' (entry)' : ''}] ${text}`,
    );
  }
  if (process.env.PROBE_TEXT === '1') console.log(`answer:\n${await answerText(input)}`);
}
await knowledge.close();
database.close();
