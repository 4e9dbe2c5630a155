import type { SearchHit } from '@threadline/shared';
import { joinedPairs, lightStem, searchTerms } from '../knowledge/search/search-terms.js';
import { inverseDocumentFrequency, type TermStatistics } from '../knowledge/search/term-statistics.js';
import { everydayDiscount } from './common-english.js';
import { comparedThings } from './compared-things.js';
import { passagePlainText, splitPassages, type Block, type Passage } from './passage-blocks.js';
import { coversAction, questionTopic } from './question-topic.js';

export type SelectionInput = {
  /** The user's latest message. */
  focus: string;
  /** Earlier questions a follow-up leans on, or null. */
  context: string | null;
  hits: readonly SearchHit[];
  topicFileIds: readonly string[];
  /** What the answer a follow-up continues said, or null. */
  previousAnswer?: string | null | undefined;
  termStatistics?: TermStatistics | undefined;
};

export type ScoredPassage = {
  /** Index of the hit (source) the passage comes from. */
  source: number;
  passage: Passage;
  blocks: Block[];
  /** Weighted share of the question's distinctive terms the passage (or its file's name) covers. */
  coverage: number;
  score: number;
  /** Whether it carries a code block or command transcript (an example, for a how-to). */
  hasCode: boolean;
  coveredTerms: Set<string>;
  /** Whether the passage says the question's action (in its words or a synonym), or there is none. */
  hasAction: boolean;
  /** Whether the passage or its file's name names what the question's action is done to (or there is no action). */
  hasObject: boolean;
  /** Similarity to the question's meaning, once a semantic model has scored the passage. */
  similarity?: number;
  /** Whether it comes from a file the conversation's last answer cited. */
  isTopic: boolean;
  /** The passages after it in the same chunk: where a how-to's example usually follows. */
  following: Passage[];
};

export type Selection = {
  passages: ScoredPassage[];
  /** Whether the question asks how to do something (an example then belongs in the answer). */
  wantsCode: boolean;
  /** The best coverage found: below `minimumCoverage` the documents do not answer the question. */
  coverage: number;
  terms: Map<string, number>;
  /** Whether the question continues an earlier one (a follow-up). */
  isFollowUp: boolean;
  /** The question's action (a how-to's verb), if any. */
  action: string | null;
  /** What the action is done to (the first topic term after it), if any. */
  object: string | null;
  /**
   * Topic terms of the question the knowledge base never mentions that name what it is about (a
   * name, or what kind of thing it acts on; not everyday English): the documents cannot be about
   * what the question is about.
   */
  unknownTerms: string[];
  /** What the answer a follow-up continues said (its citation markers dropped), or null. */
  previousAnswer: string | null;
  /** Names the question writes that the knowledge base uses ("Windows", "Node.js", "GPG"). */
  knownNames: string[];
  /** The two things a question compares, each as the names its entry may carry, or null. */
  compared: [string[], string[]] | null;
};

/**
 * Share of what is distinctive in a question that must appear in one passage before it counts
 * as an answer. Terms are weighted by rarity in the knowledge base (idf) and discounted when
 * they are everyday English, so a passage matching only the common part of a question ("how do
 * I change a flat *tire*") stays below it. Off-topic questions measured 0.00–0.35 on two
 * unrelated document sets, answerable ones mostly 0.6–1.0 (`npm run bench:answers`).
 */
export const minimumCoverage = 0.4;

const maxHitsRead = 8;
/**
 * How many of the hits read may come from one file. A document whose title and lead carry the
 * question's words ranks all of its chunks high (the title field weighs 8 in BM25, and the title
 * list adds to it), which can fill every read hit with one page before vectors are in: the
 * product's "How do I store transcripts in MongoDB?" read nine chunks of deployment.md, whose lead
 * mentions MongoDB, and never the FAQ entry asking exactly that, tenth. Past this share, the next
 * files' best hits are read instead.
 */
export const maxReadPerFile = 5;

/**
 * Indexes of the hits whose passages are read, in rank order: the top `maxHitsRead`, at most
 * `maxReadPerFile` of them from one file while other files' hits are there to read, and every
 * hit of `alsoFileIds` (the files a follow-up's conversation cited), wherever it ranks.
 */
export function hitsToRead(hits: readonly SearchHit[], alsoFileIds: readonly string[] = []): number[] {
  const read: number[] = [];
  const perFile = new Map<string, number>();
  for (const [index, hit] of hits.entries()) {
    if (read.length === maxHitsRead) break;
    const count = perFile.get(hit.fileId) ?? 0;
    if (count >= maxReadPerFile) continue;
    perFile.set(hit.fileId, count + 1);
    read.push(index);
  }
  for (const index of hits.keys()) {
    if (read.length >= maxHitsRead) break;
    if (!read.includes(index)) read.push(index);
  }
  const also = new Set(alsoFileIds);
  for (const [index, hit] of hits.entries())
    if (also.has(hit.fileId) && !read.includes(index)) read.push(index);
  return read.sort((left, right) => left - right);
}
const maxPassageCharacters = 1400;
// A follow-up's earlier question picks the topic (retrieval, the files already cited); the
// passage must answer the follow-up's own words.
const contextWeight = 0.5;
const earlierTieBreak = 0.05;
/** How fast trust in a hit falls with its rank: the top hit weighs 1, the fifth 1/(1 + 4 × 0.3). */
const rankDecay = 0.3;
/**
 * A follow-up is searched with the question it continues, so its hits are ranked by that
 * question as much as by its own words ("what if it goes wrong halfway, how do I get out of
 * it?" after an interactive rebase ranks the rebase's how-to first, `--abort` lower): its rank
 * says less about which passage answers it. Measured with `npm run bench:answers` (MiniLM):
 * Git follow-ups 0.67 → 0.83, every other figure of the eight sets unchanged; the same at 0.15;
 * at 0.1 own-files lost a follow-up; one decay for every question (0.2) lost Git answers.
 */
const followUpRankDecay = 0.2;
const offTopicFollowUpWeight = 0.4;
const titleMatchWeight = 0.7;
/** A passage of another document joins the answer when it scores at least this share of the best. */
const secondSourceShare = 0.5;
/** How much a heading naming every distinctive word of the question weighs (neutral on the bench sets, where such headings are rare). */
const questionHeadingWeight = 3;
/** How much a label naming part of the question raises its passage (×1.5 for a label naming all of it but a word). */
const labelWeight = 0.5;

export const isHowTo = (text: string) =>
  /^\s*(how|can|could|what command|which command|show me|is there a way)\b/i.test(text);

/**
 * Cuts the top hits into passages and ranks them by how much of the question they cover
 * (rare terms weigh more; a follow-up's own words weigh more than the earlier question's),
 * favouring higher-ranked hits, the files the conversation is already about, and, for a
 * how-to, passages that carry a command or code example.
 */
export function selectPassages(input: SelectionInput): Selection {
  // A comparison is answered by each thing's entry, wherever its search ranked it (searched for
  // alone, its chunks close the list): every hit is read.
  const compared = input.context === null ? comparedThings(input.focus) : null;
  // A follow-up is most likely answered in the files the conversation cited: their hits are all
  // read, the search's best chunks of them for the follow-up's own words among them.
  const readIndexes = compared
    ? [...input.hits.keys()]
    : hitsToRead(input.hits, input.context === null ? [] : input.topicFileIds);
  const hits = readIndexes.map((index) => input.hits[index]).filter((hit) => hit !== undefined);
  const asTopic = questionTopic(input.focus);
  // A phrasal verb's words are its action ("turn on" is *enable*), searched as that.
  const focusWords = [
    ...searchTerms(input.focus).filter((term) => !asTopic.phrasalTerms.includes(term)),
    ...(asTopic.phrasalTerms.length > 0 && asTopic.action !== null ? [asTopic.action] : []),
  ];
  const contextWords = input.context ? searchTerms(input.context) : [];
  const asked = [...focusWords, ...contextWords];
  const spelled = input.termStatistics
    ? documentSpelling(asked, input.termStatistics)
    : new Map<string, string>();
  const respell = (term: string) => spelled.get(term) ?? term;
  const ownTerms = focusWords.map(respell);
  const contextTerms = new Set(contextWords.map(respell));
  // A phrase the documents write as one word ("check out" where they say `checkout`) is that word
  // too: its joined forms are weighed with the rest, and those a chunk holds join the question's.
  const pairs = input.termStatistics ? joinedPairs(input.focus) : [];
  const statistics = input.termStatistics?.weights([...ownTerms, ...contextTerms, ...pairs]);
  const joined = oneFormEach(pairs.filter((term) => (statistics?.get(term)?.chunks ?? 0) > 0));
  const focusTerms = new Set([...ownTerms, ...joined]);
  const idf = statistics
    ? new Map([...statistics].map(([term, weight]) => [term, weight.idf]))
    : localIdf([...focusTerms, ...contextTerms], hits);
  // Only a name the documents never use marks a question as not theirs ("Docker", "PyPI",
  // "GitLab"): a plain word they happen not to use ("cleanup", "halfway", "csv") is only a word,
  // weighed as the question's typical word (the median of the words they use), not as the
  // highest weight there is.
  const names = new Set([...namesIn(input.focus), ...toolIn(input.focus)].map(respell));
  const isUnused = (term: string) => statistics?.get(term)?.isKnown === false;
  const usedWeights = [...focusTerms, ...contextTerms]
    .filter((term) => !isUnused(term))
    .map((term) => (idf.get(term) ?? 1) * everydayDiscount(term))
    .sort((left, right) => left - right);
  const typicalUsed = usedWeights[Math.floor(usedWeights.length / 2)] ?? 1;
  const weightOf = (term: string) =>
    isUnused(term) && !names.has(term) ? typicalUsed : (idf.get(term) ?? 1) * everydayDiscount(term);
  const action = asTopic.action === null ? null : respell(asTopic.action);
  const object = asTopic.object === null ? null : respell(asTopic.object);
  const topic = asTopic.topic.map(respell);
  const topicWeights = new Map(topic.map((term) => [term, weightOf(term)]));
  const topicTotal = sum(topicWeights.values());
  const mainTopic =
    [...topicWeights].filter(([term]) => term !== action).sort((left, right) => right[1] - left[1])[0]?.[0] ??
    null;
  const modifier = asTopic.modifier === null ? null : respell(asTopic.modifier);
  const isUnknownKind = modifier !== null && isUnknownModifier(modifier, isUnused, input.termStatistics);
  const knownNames = statistics ? [...names].filter((term) => !isUnused(term)) : [];
  const unknownTerms = topic.filter(
    (term) => (names.has(term) && isUnused(term)) || (isUnknownKind && term === modifier),
  );
  const terms = new Map<string, number>();
  const earlier = new Map<string, number>();
  const focusShares = compoundShares(input.focus, respell);
  const contextShares = input.context ? compoundShares(input.context, respell) : new Map<string, number>();
  for (const term of focusTerms) terms.set(term, weightOf(term) * (focusShares.get(term) ?? 1));
  for (const term of contextTerms)
    if (!focusTerms.has(term)) earlier.set(term, weightOf(term) * (contextShares.get(term) ?? 1));
  const total = sum(terms.values());
  const earlierTotal = sum(earlier.values());
  if (total + earlierTotal === 0)
    return {
      passages: [],
      coverage: 0,
      terms,
      isFollowUp: earlier.size > 0,
      wantsCode: false,
      action,
      object,
      unknownTerms,
      previousAnswer: input.previousAnswer ?? null,
      knownNames,
      compared: null,
    };
  const wantsCode = isHowTo(input.focus);
  const asksNegation = saysNegation(new Set(focusWords));
  const subject = definitionSubject(input.focus);
  const questionKey = normalise(input.focus);
  const topics = new Set(input.topicFileIds);
  const seen = new Set<string>();
  const passages: ScoredPassage[] = [];
  const sections = wholeSections(hits);
  const answeredWords = input.previousAnswer
    ? new Set(searchTerms(input.previousAnswer).map(foldFinalE))
    : null;
  hits.forEach((hit, position) => {
    const source = readIndexes[position] ?? position;
    const fileTerms = new Set(searchTerms(hit.fileName.replace(/\.[^.]+$/, '')));
    const chunkPassages = sections[position] ?? [];
    for (const [order, passage] of chunkPassages.entries()) {
      const windowed = narrowItems(windowOf(passage, terms, wantsCode, action), terms);
      // The entry a "what is X" question names is its answer, without its neighbours' rows.
      const blocks = subject ? entryRows(windowed, subject.entry) : windowed;
      const text = passagePlainText(passage, blocks);
      const key = normalise(text);
      if (key.length < 12 || seen.has(key) || isEcho(key, questionKey)) continue;
      seen.add(key);
      const words = new Set(searchTerms(text).map(foldFinalE));
      const coveredTerms = new Set<string>();
      const matchedOf = (weights: Map<string, number>) => {
        let matched = 0;
        for (const [term, weight] of weights) {
          if (words.has(foldFinalE(term))) {
            matched += weight;
            coveredTerms.add(term);
          } else if (fileTerms.has(term)) matched += weight * titleMatchWeight;
        }
        return matched;
      };
      const matched = matchedOf(terms);
      const matchedEarlier = matchedOf(earlier);
      const ownCoverage = total > 0 ? matched / total : 0;
      const earlierCoverage = earlierTotal > 0 ? matchedEarlier / earlierTotal : 0;
      // Evidence for a follow-up may come from the subject it continues ("how do I delete it?"
      // is answered where the tag was created); the ranking stays on the follow-up's own words.
      const coverage =
        earlier.size === 0
          ? ownCoverage
          : Math.max(
              ownCoverage,
              (matched + contextWeight * matchedEarlier) / (total + contextWeight * earlierTotal),
            );
      const hasCode = blocks.some((block) => block.type === 'code');
      // What the passage says counts in the whole passage (its label too), not only the blocks shown.
      const passageWords = new Set(searchTerms(passagePlainText(passage)).map(foldFinalE));
      // "How do I avoid overwriting files?" is not answered by `--overwrite` ("Overwrite existing
      // files"): a passage saying to do what the question asks to stop, with no negation, says the
      // opposite and is no answer at all.
      const isOpposite =
        asTopic.negated !== null &&
        passageWords.has(foldFinalE(asTopic.negated)) &&
        !coversAction('stop', passageWords) &&
        !passageWords.has('no') &&
        !passageWords.has('without');
      if (isOpposite) continue;
      // An entry named after what the question acts on is how that is done, whatever verb the
      // question says ("ask the user a question" is `rl.question()`).
      const entryName = new Set(searchTerms(withoutPlaceholders(passage.label ?? '')).map(foldFinalE));
      const hasAction =
        action === null ||
        coversAction(foldFinalE(action), passageWords) ||
        coversAction(action, passageWords) ||
        (object !== null && entryName.has(foldFinalE(object))) ||
        // With nothing acted on, an option named after what the question is most about is how
        // it is done ("download in the background" is wget's `-b --background`).
        (object === null && passage.isTerm && mainTopic !== null && entryName.has(foldFinalE(mainTopic)));
      const hasObject =
        object === null ||
        passageWords.has(foldFinalE(object)) ||
        hasDerivedForm(object, passageWords) ||
        fileTerms.has(object);

      const rankPrior = 1 / (1 + (input.context === null ? rankDecay : followUpRankDecay) * position);
      // A how-to is answered by an example or by the entry for the option or subcommand that does it.
      // Code alone (a synopsis listing every form of a command) shows no more than it names.
      const hasProse = blocks.some((block) => block.type !== 'code');
      const codeBonus = wantsCode && ((hasCode && hasProse) || passage.isTerm) ? 1.15 : 1;
      const isTopic = topics.has(hit.fileId);
      // A one-line summary (a manual's NAME line) names a topic rather than answering about it.
      // An option's one-line entry ("drop: Remove a single stash entry") is an answer, though.
      // A table row or term entry named by "what is X" is the entry for X, however short.
      const isEntry = subject !== null && isEntryOf(subject.entry, passage, blocks);
      const brevity = text.length < 100 && !passage.isTerm && !isEntry ? 0.85 : 1;
      // A passage that only introduces a group ("These options control tar actions when
      // extracting…") names what its entries are about; the entry is the answer.
      const groupFactor = isGroupIntro(passage) ? groupIntroWeight : 1;
      // "What is X?" is answered by the sentence that says what X is, best in the section
      // named after X itself (the README's "# Threadline", not "Deploying Threadline").
      const definitionBonus = !subject
        ? 1
        : (passage.label !== null &&
              normalise(passage.label) === subject.name &&
              subject.pattern.test(text)) ||
            isEntry
          ? 2.5
          : subject.pattern.test(text)
            ? 1.3
            : 1;
      // A section whose heading asks the question itself (a FAQ's "**How do I …?**") is its
      // answer, wherever retrieval ranked the chunk.
      // A section titled with part of the question (`-u, --include-untracked` for "stash untracked
      // files") is about that part; one titled with all of it answers it.
      const labelShare = total > 0 ? matchedWeight(passage.label ?? '', terms) / total : 0;
      // The entry's name counts, not its placeholders and optional parts (`pop [<stash>]` is "pop").
      const labelName = (passage.label ?? '').replace(/\[[^\]]*\]|<[^>]*>/g, ' ');
      // Two words of the question the label writes as one (`PIDFile=` for "the PID file") count as said.
      const labelTopicShare =
        topicTotal > 0
          ? (matchedWeight(labelName, topicWeights) + joinedWeight(labelName, topic, topicWeights)) /
            topicTotal
          : 0;
      // An entry named after the question's verb (`-t, --list` or `list [<log-options>]` for "how
      // do I list …") is the option or subcommand that does it; `--listed-incremental` is not. Not
      // when the verb names the document itself: every entry of sort(1) sorts, `--sort=WORD` too.
      // So is one named after the second task a question asks (`-k --keep` for "compress a file
      // and keep the original").
      const labelNames = passage.isTerm ? entryNames(labelName) : [];
      const namesVerb = [asTopic.verb, asTopic.secondVerb].some(
        (verb) => verb !== null && !fileTerms.has(lightStem(verb)) && labelNames.includes(verb),
      );
      // An entry named after a term of the question (its stem, a final e folded), unless the file
      // is named after it too.
      const isNamedAfter = (term: string | null) =>
        term !== null &&
        !fileTerms.has(term) &&
        labelNames.some((name) => foldFinalE(lightStem(name)) === foldFinalE(term));
      // So is an entry named after the kind the question asks for (`-a, --annotate` for "create an
      // *annotated* tag", `--bare` for "a *bare* repository"): the option that makes that kind.
      // Measured with `npm run bench:answers` (MiniLM, nine sets): Git correct 0.72 -> 0.76 (the
      // annotated tag, where gitcore-tutorial's "Tagging a version" ranked first), every other
      // figure unchanged.
      const namesKind = isNamedAfter(modifier);
      // And one named after what the question acts on (`-x, --proxy` for "use a proxy", where
      // `--proxy-tls13-ciphers` only starts with it; `-G, --groups` for "add the user to extra
      // groups").
      // Or after it written as one word with its kind (`PIDFile=` for "the PID file").
      const namesObject =
        isNamedAfter(object) || (modifier !== null && object !== null && isNamedAfter(modifier + object));
      // An entry named for not doing something (`-L, --files-without-match`, `-h, --no-filename`)
      // does the opposite of what a question asks that negates nothing ("show the names of files
      // that match", "and the file name too?"); its twin without the negation is the answer.
      // Not one that names its positive form too (`--include-untracked, --no-include-untracked`).
      const longNames = labelNames.filter((name) => name.length > 1);
      const oppositeFactor =
        !asksNegation && longNames.length > 0 && longNames.every((name) => negatingName.test(name))
          ? oppositeEntryWeight
          : 1;
      const headingBonus =
        labelShare >= 0.99
          ? questionHeadingWeight
          : 1 + labelWeight * (labelTopicShare + (namesVerb || namesKind || namesObject ? 1 : 0));
      // The passage the last answer quoted: a follow-up about "it" ("and what is its default?")
      // is most likely answered there, when it says any of the follow-up's words.
      const quotedShare =
        answeredWords === null || passageWords.size === 0
          ? 0
          : [...passageWords].filter((word) => answeredWords.has(word)).length / passageWords.size;
      const quotedBonus = quotedShare >= quotedPassageShare && matched > 0 ? quotedPassageWeight : 1;
      passages.push({
        source,
        passage,
        blocks,
        coverage,
        hasCode,
        coveredTerms,
        hasAction,
        hasObject,
        following: chunkPassages.slice(order + 1, order + 3),
        isTopic,
        score:
          (ownCoverage + earlierTieBreak * earlierCoverage) *
          rankPrior *
          codeBonus *
          brevity *
          definitionBonus *
          headingBonus *
          groupFactor *
          quotedBonus *
          oppositeFactor,
      });
    }
  });
  // A follow-up continues the conversation: while the files the last answer cited hold
  // evidence for it, a passage elsewhere that merely shares its words ("bring it back") is not it.
  if (passages.some((passage) => passage.isTopic && passage.coverage >= minimumCoverage)) {
    for (const passage of passages) if (!passage.isTopic) passage.score *= offTopicFollowUpWeight;
  }
  passages.sort((left, right) => right.score - left.score);
  // The read hits' passages are split already; only the hits past them are split again.
  const passagesOf = (index: number) =>
    sections[readIndexes.indexOf(index)] ?? splitPassages(input.hits[index]?.text ?? '');
  citeHomesOfSharedText(passages, input.hits, passagesOf, terms, topics);
  return {
    passages,
    coverage: Math.max(0, ...passages.map((item) => item.coverage)),
    terms,
    isFollowUp: earlier.size > 0,
    wantsCode,
    action,
    object,
    unknownTerms,
    previousAnswer: input.previousAnswer ?? null,
    knownNames,
    compared,
  };
}

/**
 * Where the same entry is written in several documents (an option list included in each command's
 * manual: `-S, --gpg-sign` reads word for word in git-commit, git-revert, git-rebase and
 * git-cherry-pick), the passage is cited from the one whose name says more of what the question
 * is about ("sign my *commits*" is git-commit's), among all the hits retrieval returned, read or
 * not. The text quoted is the same; only which copy it is cited from changes. A follow-up keeps
 * citing the files its conversation cited.
 */
function citeHomesOfSharedText(
  passages: readonly ScoredPassage[],
  hits: readonly SearchHit[],
  passagesOf: (index: number) => readonly Passage[],
  terms: Map<string, number>,
  topics: ReadonlySet<string>,
): void {
  const holders = new Map<string, number[]>();
  for (const index of hits.keys()) {
    for (const passage of passagesOf(index)) {
      const key = entryKey(passage);
      if (key === null) continue;
      const list = holders.get(key) ?? [];
      if (!list.includes(index)) list.push(index);
      holders.set(key, list);
    }
  }
  const nameWeight = (index: number) =>
    matchedWeight((hits[index]?.fileName ?? '').replace(/\.[^.]+$/, ''), terms);
  const isTopic = (index: number) => topics.has(hits[index]?.fileId ?? '');
  for (const item of passages) {
    const key = entryKey(item.passage);
    const list = key === null ? undefined : holders.get(key);
    if (!list || list.length < 2) continue;
    let home = item.source;
    for (const index of list) {
      if (item.isTopic && !isTopic(index)) continue;
      if (nameWeight(index) > nameWeight(home)) home = index;
    }
    item.source = home;
  }
}

/** An entry's label with its first block: what identifies the same entry written in another file. */
function entryKey(passage: Passage): string | null {
  const [first] = passage.blocks;
  if (passage.label === null || !first) return null;
  const key = normalise(`${passage.label} ${first.text}`);
  return key.length < minimumSharedText ? null : key;
}
/** Shorter shared text ("See git(1)") is boilerplate, not an entry worth a home. */
const minimumSharedText = 60;

/**
 * Passages to answer with: the best; one more of the same document only when it adds evidence
 * the best lacks (or the example a how-to needs); and the best passage of another document that
 * scores at least half as well, since a second source with comparable evidence is often where
 * the answer is when words alone pick the first wrongly (measured on recorded retrieval: 7 → 11 of
 * 25 questions right on the Git docs, 13 → 15 of 20 on Fastify's; see `npm run bench:answers`).
 */
export function answerPassages(selection: Selection, hits: readonly SearchHit[]): ScoredPassage[] {
  const [best, ...rest] = selection.passages;
  if (!best) return [];
  const entries = comparedEntries(selection);
  if (entries) return entries;
  const chosen = [best];
  const fileOf = (item: ScoredPassage) => hits[item.source]?.fileId;
  const missing = (candidate: ScoredPassage) =>
    [...candidate.coveredTerms].filter((term) => !best.coveredTerms.has(term));
  const total = sum(selection.terms.values());
  // A follow-up stays with the documents the conversation is about.
  const eligible = rest.slice(0, 10).filter((candidate) => !best.isTopic || candidate.isTopic);
  const sameDocument = eligible.slice(0, 6).find((candidate) => {
    if (fileOf(candidate) !== fileOf(best) || candidate.score < best.score * 0.35) return false;
    const added =
      missing(candidate).reduce((value, term) => value + (selection.terms.get(term) ?? 0), 0) / total;
    // The example a how-to needs is one of doing what it asks, not any code of the same page.
    const addsExample =
      selection.wantsCode &&
      !best.hasCode &&
      candidate.hasCode &&
      candidate.source === best.source &&
      selection.action !== null &&
      candidate.hasAction;
    return added >= 0.15 || addsExample;
  });
  if (sameDocument) chosen.push(sameDocument);
  const otherDocument = eligible.find(
    (candidate) => fileOf(candidate) !== fileOf(best) && candidate.score >= best.score * secondSourceShare,
  );
  if (otherDocument) chosen.push(otherDocument);
  return chosen;
}

/**
 * The passages of each hit, with a section that chunking split between overlapping chunks of one
 * file made whole again: where one chunk's passage goes on in another's (the later one repeats
 * its last blocks, or opens with none of its own heading), the blocks are joined, so the part of
 * a section that answers is found with its heading and its neighbours.
 */
function wholeSections(hits: readonly SearchHit[]): Passage[][] {
  const byHit = hits.map((hit) => splitPassages(hit.text));
  const key = (block: Block) => `${block.type}:${block.text}`;
  for (const [index, passages] of byHit.entries()) {
    for (const passage of passages) {
      for (const [otherIndex, others] of byHit.entries()) {
        if (otherIndex === index || hits[otherIndex]?.fileId !== hits[index]?.fileId) continue;
        for (const other of others) {
          if (other === passage || (other.label !== null && other.label !== passage.label)) continue;
          const last = passage.blocks.at(-1);
          const start = last ? other.blocks.findIndex((block) => key(block) === key(last)) : -1;
          // `other` repeats this passage's last block and goes on past it: the section continues there.
          if (start === -1 || start === other.blocks.length - 1) continue;
          const overlap = other.blocks.slice(0, start + 1);
          const ownTail = passage.blocks.slice(-overlap.length);
          if (
            overlap.every((block, position) => ownTail[position] && key(block) === key(ownTail[position]))
          ) {
            passage.blocks = [...passage.blocks, ...other.blocks.slice(start + 1)];
          }
        }
      }
    }
  }
  return byHit;
}

/**
 * A long passage shrinks to the block that matches best (the one saying what the question asks
 * to do, if one does), with the code example that follows it.
 */
function windowOf(
  passage: Passage,
  terms: Map<string, number>,
  wantsCode: boolean,
  action: string | null,
): Block[] {
  const length = (blocks: readonly Block[]) => blocks.reduce((sum, block) => sum + block.text.length, 0);
  if (length(passage.blocks) <= maxPassageCharacters) return passage.blocks;
  const actionWeight = sum(terms.values()) / 2;
  let bestIndex = 0;
  let bestScore = -1;
  passage.blocks.forEach((block, index) => {
    const words = new Set(searchTerms(block.text));
    let score = 0;
    for (const [term, weight] of terms) if (words.has(term)) score += weight;
    if (action !== null && coversAction(action, words)) score += actionWeight;
    if (score > bestScore) {
      bestScore = score;
      bestIndex = index;
    }
  });
  const window: Block[] = [];
  for (let index = bestIndex; index < passage.blocks.length; index += 1) {
    const block = passage.blocks[index];
    if (!block) break;
    if (window.length > 0 && length(window) + block.text.length > maxPassageCharacters) break;
    window.push(block);
    if (window.some((item) => item.type === 'code') && !wantsCode) break;
    if (block.type === 'code') break;
  }
  // A code block on its own needs the sentence that introduces it.
  const before = passage.blocks[bestIndex - 1];
  if (window[0]?.type === 'code' && before && before.type !== 'code') window.unshift(before);
  return window;
}

/** For "what is X?" / "what are Xs?": X, and a pattern finding "X is …" / "Xs are …" in a passage. */
function definitionSubject(question: string): { name: string; entry: string; pattern: RegExp } | null {
  const match =
    /^\s*(?:what|who)\s+(?:is|are)\s+(?:an?\s+|the\s+)?([\p{L}\p{N}][\p{L}\p{N} ._-]{0,40}?)\s*\??\s*$/iu.exec(
      question,
    );
  if (!match?.[1]) return null;
  const escaped = match[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // "What is the MONGODB_DB setting?" asks about the entry named MONGODB_DB.
  const entry = match[1].replace(/\s+(?:setting|option|variable|flag|field|parameter|command|key)s?$/i, '');
  return {
    name: normalise(match[1]),
    entry: normalise(entry),
    pattern: new RegExp(`\\b${escaped}\\b[*_\`]*\\s+(?:is|are)\\b`, 'i'),
  };
}

/**
 * "What is the difference between dependencies and devDependencies?" is answered by the two
 * entries, in the order asked, each quoted from its opening: package.json's page answered with
 * `optionalDependencies` and `dependencies`, the two best passages by words, and never said what
 * `devDependencies` is for. Only when the documents have an entry (a heading, an option or a term)
 * named after each; otherwise the question is answered as any other.
 */
export function comparedEntries(selection: Selection): ScoredPassage[] | null {
  if (!selection.compared) return null;
  const [first, second] = selection.compared.map((forms) => {
    const names = new Set(forms.map(normalise));
    return selection.passages.find((item) => namesEntry(names, item.passage));
  });
  return first && second && first !== second ? [first, second] : null;
}

/** An entry's label as its name: without placeholders (`<stash>`), optional parts or argument lists. */
const withoutPlaceholders = (label: string) => label.replace(/\[[^\]]*\]|<[^>]*>|\([^)]*\)/g, ' ');

/** Whether the passage is the entry (its heading, option or term) named by one of `names`. */
function namesEntry(names: ReadonlySet<string>, passage: Passage): boolean {
  if (passage.label === null) return false;
  const label = withoutPlaceholders(passage.label);
  if (names.has(normalise(label))) return true;
  // A heading that gives examples after its name ("Tilde Ranges `~1.2.3` `~1.2` `~1`" in semver's
  // README) is named by its words.
  const words = label.replace(/`[^`]*`/g, ' ');
  if (/\p{L}/u.test(words) && names.has(normalise(words))) return true;
  return passage.isTerm && entryNames(label).some((name) => names.has(normalise(name)));
}

/**
 * Whether the passage is the entry named by a "what is X" question: a table row whose first
 * cell is X (a settings table's `MONGODB_DB` row) or a term entry labelled X (an option list's
 * `--force`). That entry is X's definition, whatever words its sentence uses.
 */
function isEntryOf(entry: string, passage: Passage, blocks: readonly Block[]): boolean {
  if (passage.isTerm && passage.label !== null && normalise(passage.label) === entry) return true;
  return blocks.some(
    (block) =>
      block.type === 'table' &&
      block.text
        .split('\n')
        .slice(2)
        .some((row) => isRowOf(entry, row)),
  );
}

const isRowOf = (entry: string, row: string) =>
  normalise(row.replace(/^\s*\|/, '').split('|')[0] ?? '') === entry;

/** Tables cut to the header and the row whose first cell is `entry`, where there is one. */
function entryRows(blocks: Block[], entry: string): Block[] {
  return blocks.map((block) => {
    if (block.type !== 'table') return block;
    const lines = block.text.split('\n');
    const rows = lines.slice(2).filter((row) => isRowOf(entry, row));
    return rows.length === 0 ? block : { type: 'table', text: [...lines.slice(0, 2), ...rows].join('\n') };
  });
}

/**
 * A long list or table answers with the items that match: table rows keep their header, and a
 * block where nothing matches stays whole.
 */
function narrowItems(blocks: readonly Block[], terms: Map<string, number>): Block[] {
  return blocks.map((block) => {
    if (block.type !== 'list' && block.type !== 'table') return block;
    const lines = block.text.split('\n');
    const header = block.type === 'table' ? lines.slice(0, 2).filter((line) => /\|/.test(line)) : [];
    const items = block.type === 'table' && /^\|?[\s:|-]+\|?$/.test(lines[1] ?? '') ? lines.slice(2) : lines;
    if (items.length <= 2) return block;
    const weights = items.map((line) => matchedWeight(line, terms));
    const best = Math.max(...weights);
    // Items that match at least half as well as the best one.
    const matching = best > 0 ? items.filter((_line, index) => (weights[index] ?? 0) >= best / 2) : [];
    if (matching.length === 0 || matching.length === items.length) return block;
    const kept = block.type === 'table' && header.length === 2 ? [...header, ...matching] : matching;
    return { type: block.type, text: kept.join('\n') };
  });
}

function localIdf(terms: readonly string[], hits: readonly SearchHit[]): Map<string, number> {
  const documents = hits.map((hit) => new Set(searchTerms(hit.text)));
  const weights = new Map<string, number>();
  for (const term of terms) {
    const found = documents.filter((words) => words.has(term)).length;
    weights.set(term, inverseDocumentFrequency(documents.length, found));
  }
  return weights;
}

/**
 * One written word is one piece of evidence: "Node.js" is searched as `node`, `js` and `nodejs`,
 * "path.join" as `path`, `join` and `pathjoin`, and counted three times it outweighed the rest of
 * the question ("make an HTTP request in Node.js" was answered by a page that only says Node.js).
 * Each term of a word that splits into several weighs a share (a third, of three terms), so the
 * word counts about as one term — except the whole of a name written in one piece ("MongoDB"),
 * which weighs as the name it is; a term the question also writes on its own keeps its full weight.
 */
export function compoundShares(text: string, respell: (term: string) => string = (term) => term) {
  const shares = new Map<string, number>();
  const single = new Set<string>();
  for (const word of text.split(/\s+/)) {
    const terms = [...new Set(searchTerms(word).map(respell))];
    if (terms.length === 1 && terms[0] !== undefined) single.add(terms[0]);
    // A name written in one piece and split only at its capitals (`MongoDB` → `mongodb`, `mongo`,
    // `db`) is evidence as the name: its whole term keeps its weight and its fragments add a share.
    // Words joined by punctuation (`Node.js`, `path.join`) are words of their own: all a share.
    const isOnePiece = !/[._\-/:@]\p{L}/u.test(word);
    const whole = isOnePiece
      ? terms.reduce((longest, term) => (term.length > longest.length ? term : longest), '')
      : null;
    if (terms.length > 1)
      for (const term of terms) if (term !== whole && !shares.has(term)) shares.set(term, 1 / terms.length);
  }
  for (const term of single) shares.delete(term);
  return shares;
}

/** Weight of the question's terms that `text` contains (a final e folded, as in coverage). */
function matchedWeight(text: string, terms: Map<string, number>): number {
  const words = new Set(searchTerms(text).map(foldFinalE));
  return sum([...terms].map(([term, weight]) => (words.has(foldFinalE(term)) ? weight : 0)));
}

/**
 * The weight of the question's consecutive terms that a text writes as one word ("PID file" as
 * `PIDFile`), when it does not say them apart.
 */
function joinedWeight(text: string, ordered: readonly string[], weights: Map<string, number>): number {
  const words = new Set(searchTerms(text).map(foldFinalE));
  let weight = 0;
  ordered.forEach((term, index) => {
    const next = ordered[index + 1];
    if (next === undefined || words.has(foldFinalE(term)) || words.has(foldFinalE(next))) return;
    if (words.has(foldFinalE(lightStem(term + next))))
      weight += (weights.get(term) ?? 0) + (weights.get(next) ?? 0);
  });
  return weight;
}

/** Share of a passage's words the last answer said, from which it is the passage that answer quoted. */
const quotedPassageShare = 0.8;
/** How much the passage the last answer quoted weighs for a follow-up (1.3 and 1.5 measured alike on the seven sets; 2 lost a Git follow-up). */
const quotedPassageWeight = 1.5;
/** How much a passage introducing a group of entries weighs against an entry (0.6: measured on the seven `bench:answers` sets, one answer gained, none lost). */
const groupIntroWeight = 0.6;
const groupIntro =
  /^(?:these|the following)\s+(?:[\p{L}-]+\s+){0,3}?(?:options?|commands?|settings?|flags?|keywords?|fields?|variables?|directives?|parameters?|methods?|functions?|hooks?|events?)\b/iu;
/** One paragraph opening "These options …" / "The following settings …": a group's introduction. */
export function isGroupIntro(passage: Passage): boolean {
  const first = passage.blocks[0];
  return (
    passage.blocks.length === 1 && first !== undefined && first.type !== 'code' && groupIntro.test(first.text)
  );
}

/** An option's name that says not to do something: `no-filename`, `files-without-match`. */
const negatingName = /^(?:no|non|not|without)-|-(?:without|not|no)-/;
/**
 * How much an entry named for not doing something weighs when the question negates nothing.
 * Measured with `npm run bench:answers` (MiniLM, ten sets): every figure unchanged (no set asks
 * for an option's positive twin); on a probe set made of grep(1) as a PDF, "show only the names
 * of files that match" and "and the file name too?" move from `-L` and `-h` to `-l` and `-H`.
 */
const oppositeEntryWeight = 0.5;
/** Whether a question's terms ask not to do something, or to undo, hide or leave out something. */
function saysNegation(words: ReadonlySet<string>): boolean {
  return (
    // "stop" covers its synonyms and "not", "never".
    ['no', 'without', 'non', 'off', 'none', 'nor'].some((word) => words.has(word)) ||
    ['stop', 'hide', 'ignore', 'delete'].some((verb) => coversAction(verb, words))
  );
}

/**
 * The names an entry's label gives it: `-t, --list` and `-t --list` are `t` and `list`;
 * `pop [<stash>]` is `pop`.
 */
function entryNames(label: string): string[] {
  return label
    .split(/[,|]|\s+(?=-)/)
    .map((part) =>
      part
        .trim()
        .replace(/^[-`.]+/, '')
        .replace(/[=\s(`].*$/, '')
        .toLowerCase(),
    )
    .filter((name) => name !== '');
}

const sum = (values: Iterable<number>) => {
  let total = 0;
  for (const value of values) total += value;
  return total;
};

/**
 * The search terms of the words a question writes as names: capitalised past its first word, in
 * mixed case or with digits ("Docker", "PyPI", "gRPC", "FAT32").
 */
export function namesIn(question: string): string[] {
  const words = question.match(/[\p{L}\p{N}][\p{L}\p{N}.+#_-]*/gu) ?? [];
  return (
    words
      .slice(1)
      .filter((word) => /\p{Lu}/u.test(word) || (/\p{L}/u.test(word) && /\d/.test(word)))
      // A quantity is a value the question sets, not a thing it names ("shrink the journal to
      // 500M", "a timeout of 30s"): the documents say how to set it, never that value.
      .filter((word) => !quantity.test(word) && !versionNumber.test(word))
      .flatMap((word) => searchTerms(word))
      // A capitalised everyday word is not a name ("per May?", as a transcription mishears "per day").
      .filter((term) => everydayDiscount(term) > minimumEverydayDiscount)
  );
}

/**
 * A version a question gives ("turn a loose string like v1.2 into a valid version", "upgrade to
 * 2.0.0-beta.1"): a value, as a quantity is, not a thing the documents must name.
 */
const versionNumber = /^v?\d+(?:\.\d+)+(?:[-+][\p{L}\p{N}.-]*)?$/iu;

/** A number with a unit of size, time or rate: 500M, 2GiB, 30s, 100ms, 1.5x, 64k. */
const quantity =
  /^\d+(?:[.,]\d+)?(?:[kmgtpe]i?b?|b|bytes?|ms|us|ns|s|sec|secs|min|mins|h|hrs?|d|days?|w|x|hz|khz|mhz|ghz|fps|px|em|rem|pt|%)$/i;

/**
 * The tool a how-to names at its end, however it is written ("remove a package *with apt*",
 * "sort files by date *with ls*", "in *git*"): a word outside everyday English after the last
 * `with`, `using`, `via`, `in` or `on`. Like a name, it says where the answer must come from.
 */
export function toolIn(question: string): string[] {
  if (!isHowTo(question)) return [];
  const match = toolPhrase.exec(question.trim());
  const word = match?.[1];
  if (!word) return [];
  return searchTerms(word).filter((term) => everydayDiscount(term) > everydayToolDiscount);
}

const toolPhrase =
  /\b(?:with|using|via|in|on)\s+(?:(?:a|an|the|my|your|our|its)\s+)?([\p{L}\p{N}][\p{L}\p{N}.+#_-]*?)[.?!]*$/iu;
/** Words as everyday as "code", "key" or "history" (the 1,000 most common) say no tool. */
const everydayToolDiscount = 0.6;

/**
 * Whether the word of a question that says what kind of thing it acts on ("create a *zip* file",
 * "schedule a *cron* job") is one the documents never use and not everyday English: documents
 * that never say what kind is meant do not answer how to make or use one of that kind, whatever
 * they say about files or jobs (tar's manual creates archives, not zip files), as with a name.
 * Measured with `npm run bench:answers` (MiniLM): far-off questions refused on the Fastify docs
 * 0.94 → 1.00 and on the unseen set 0.90 → 1.00, every other figure of all seven sets unchanged.
 * A closed compound the documents write apart ("cleanup" where they say "clean up") is theirs.
 */
function isUnknownModifier(
  modifier: string,
  isUnused: (term: string) => boolean,
  statistics: TermStatistics | undefined,
): boolean {
  return (
    statistics !== undefined &&
    isUnused(modifier) &&
    everydayDiscount(modifier) === 1 &&
    !isWrittenApart(modifier, statistics)
  );
}

/** Whether the documents use both halves of a word as words of their own ("cleanup": "clean", "up"). */
function isWrittenApart(term: string, statistics: TermStatistics): boolean {
  const halves: Array<[string, string]> = [];
  for (let cut = 2; cut <= term.length - 2; cut += 1) halves.push([term.slice(0, cut), term.slice(cut)]);
  const found = statistics.weights(halves.flat());
  const isUsed = (half: string) => (found.get(half)?.chunks ?? 0) > 0;
  return halves.some(([left, right]) => isUsed(left) && isUsed(right));
}

/** The discount of the ~300 most everyday English words (see common-english.ts). */
const minimumEverydayDiscount = 0.3;

/**
 * A question's British spellings as the documents spell them, and the other way round
 * ("customise" where they say "customize", "colour" where they say "color"), for the terms the
 * documents do not use as asked.
 */
function documentSpelling(terms: readonly string[], statistics: TermStatistics): Map<string, string> {
  const variants = new Map<string, string>();
  for (const term of terms) {
    const variant = term.endsWith('our')
      ? `${term.slice(0, -3)}or`
      : /is(ation)?$/.test(term)
        ? term.replace(/is(ation)?$/, 'iz$1')
        : /iz(ation)?$/.test(term)
          ? term.replace(/iz(ation)?$/, 'is$1')
          : null;
    if (variant) variants.set(term, variant);
  }
  if (variants.size === 0) return new Map();
  const found = statistics.weights([...variants.keys(), ...variants.values()]);
  return new Map(
    [...variants].filter(
      ([term, variant]) => (found.get(term)?.chunks ?? 0) === 0 && (found.get(variant)?.chunks ?? 0) > 0,
    ),
  );
}

/**
 * One form of each joined phrase: the index may hold both `branchname` (a camel-cased name's
 * joined form) and `branchnam` (the word stemmed), and a passage saying either matches both, so
 * the phrase would weigh twice.
 */
function oneFormEach(terms: readonly string[]): string[] {
  const seen = new Set<string>();
  return terms.filter((term) => {
    const key = foldFinalE(lightStem(term));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether the words hold a form derived from the term ("accident" in "accidental", "verifi" in "verification"). */
function hasDerivedForm(term: string, words: ReadonlySet<string>): boolean {
  if (term.length < 5) return false;
  for (const word of words) if (word.length > term.length && word.startsWith(term)) return true;
  return false;
}

/**
 * The index's stemmer leaves "remove" but turns "removed" into "remov"; matching a question to
 * a passage folds a final e so the two meet (the index itself is left as it is stored).
 */
const foldFinalE = (term: string) => (term.length > 4 && term.endsWith('e') ? term.slice(0, -1) : term);

const normalise = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** The user's own question found in a document is not an answer to it. */
const isEcho = (passageKey: string, questionKey: string) =>
  questionKey.length > 0 && passageKey.includes(questionKey) && passageKey.length < questionKey.length * 1.6;
