/** A Piper voice's `.onnx.json`: what turns phonemes into the model's input ids. */
export type PiperVoiceConfig = {
  audio: { sample_rate: number };
  espeak: { voice: string };
  inference: { noise_scale: number; length_scale: number; noise_w: number };
  phoneme_id_map: Record<string, number[]>;
};

/**
 * The model's input ids for one sentence, as Piper builds them: `^`, then every phoneme followed
 * by the pad `_`, then `$`. `clauses` are eSpeak NG's IPA lines for the sentence (`espeak-ng -q
 * --ipa` puts each clause on its own line and drops punctuation), joined with a comma and closed
 * with the sentence's own end mark, so the voice pauses and intones as Piper's phonemizer has it.
 * Characters the voice does not know are skipped, as Piper does.
 */
export function piperPhonemeIds(
  clauses: readonly string[],
  endMark: string,
  idMap: PiperVoiceConfig['phoneme_id_map'],
): number[] {
  const pad = idMap._ ?? [0];
  const phonemes = clauses
    .map((clause) => clause.trim())
    .filter(Boolean)
    .join(', ')
    .normalize('NFD');
  const ids = [...(idMap['^'] ?? []), ...pad];
  for (const phoneme of `${phonemes}${endMark}`) {
    const id = idMap[phoneme];
    if (id) ids.push(...id, ...pad);
  }
  ids.push(...(idMap.$ ?? []));
  return ids;
}

/**
 * The end mark Piper keeps for a piece: its own `?` or `!`, a comma for a first piece cut at a
 * clause (the sentence goes on), else a full stop.
 */
export const endMarkOf = (piece: string): string => {
  const mark = /([.!?,;:])["')\]]*\s*$/.exec(piece)?.[1];
  if (mark === '?' || mark === '!') return mark;
  return mark === ',' || mark === ';' || mark === ':' ? ',' : '.';
};
