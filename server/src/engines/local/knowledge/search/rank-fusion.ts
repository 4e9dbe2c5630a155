/** One ranked list to fuse: ids best first, and how much this list counts. */
export type RankedList = { name: 'keyword' | 'vector' | 'title'; weight: number; ids: readonly string[] };

export type FusedResult = {
  id: string;
  /** 0..1: 1 means ranked first by every list that has weight. */
  score: number;
  ranks: { keyword: number | null; vector: number | null; title: number | null };
};

/**
 * Weighted reciprocal rank fusion: score = Σ weight / (k + rank). Scores are divided by the
 * best possible sum (first in every weighted list) so a score threshold means the same thing
 * whatever the weights or k.
 */
export function fuseRankings(lists: readonly RankedList[], k = 60): FusedResult[] {
  const totalWeight = lists.reduce((sum, list) => sum + Math.max(0, list.weight), 0);
  const best = totalWeight / (k + 1);
  const results = new Map<string, FusedResult & { raw: number }>();
  for (const list of lists) {
    if (list.weight <= 0) continue;
    list.ids.forEach((id, index) => {
      const rank = index + 1;
      const entry = results.get(id) ?? {
        id,
        score: 0,
        raw: 0,
        ranks: { keyword: null, vector: null, title: null },
      };
      if (entry.ranks[list.name] !== null) return; // a duplicate id in one list counts once
      entry.ranks[list.name] = rank;
      entry.raw += list.weight / (k + rank);
      results.set(id, entry);
    });
  }
  return [...results.values()]
    .map(({ raw, ...entry }) => ({ ...entry, score: best > 0 ? raw / best : 0 }))
    .sort((left, right) => right.score - left.score || bestRank(left) - bestRank(right));
}

const bestRank = (result: FusedResult) =>
  Math.min(result.ranks.keyword ?? Number.POSITIVE_INFINITY, result.ranks.vector ?? Number.POSITIVE_INFINITY);

/**
 * The vector ranking with the keyword candidates that have no vector yet (a file still in the
 * background lane, or embedded by another model) placed at their keyword rank, as if meaning
 * agreed with words about them. Without them, a store whose vectors are partly in ranks the
 * files embedded first above every other file, whatever they say: the product's docs, a second
 * after they were read, answered "How do I use MongoDB instead of SQLite?" from the three files
 * the lane had reached. Ties go to the chunk ranked by its own vector.
 */
export function withPendingAtKeywordRank<Id>(
  vectorIds: readonly Id[],
  keywordIds: readonly Id[],
  pending: ReadonlySet<Id>,
): Id[] {
  if (pending.size === 0) return [...vectorIds];
  const entries = [
    ...vectorIds.map((id, rank) => ({ id, rank })),
    ...keywordIds.flatMap((id, rank) => (pending.has(id) ? [{ id, rank }] : [])),
  ];
  return entries.sort((left, right) => left.rank - right.rank).map((entry) => entry.id);
}
