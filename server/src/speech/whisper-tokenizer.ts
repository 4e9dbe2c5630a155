/**
 * Whisper's byte-level BPE (GPT-2's scheme) from the model's tokenizer.json: text to ids for the
 * `prompt` (previous text), ids to text for the transcript. Special tokens (<|endoftext|> and
 * after: task, language, timestamp tokens) are looked up by name and never turned into text.
 */
export type TokenizerJson = {
  added_tokens: { id: number; content: string }[];
  model: { vocab: Record<string, number>; merges: (string | [string, string])[] };
};

export type WhisperTokenizer = {
  encode(text: string): number[];
  /** Text of the ordinary tokens; special and timestamp tokens are skipped. */
  decode(ids: readonly number[]): string;
  /** The id of a special token by its text (`<|en|>`), or undefined. */
  special(name: string): number | undefined;
  /** The text of a special token (`<|en|>`), or undefined. */
  specialName(id: number): string | undefined;
  /** The first special id (<|endoftext|>): every id from here on is not text. */
  readonly endOfText: number;
};

// GPT-2's pre-tokenisation: contractions, letters, numbers, other symbols, each with one leading space.
const piecePattern = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's byte ↔ printable character table: printable Latin-1 bytes map to themselves. */
function byteTable(): string[] {
  const table: string[] = [];
  let extra = 0;
  for (let byte = 0; byte < 256; byte++) {
    const isPrintable =
      (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || (byte >= 174 && byte <= 255);
    table[byte] = String.fromCharCode(isPrintable ? byte : 256 + extra++);
  }
  return table;
}

export function createWhisperTokenizer(json: TokenizerJson): WhisperTokenizer {
  const byteToChar = byteTable();
  const charToByte = new Map(byteToChar.map((char, byte) => [char, byte]));
  const idOf = new Map(Object.entries(json.model.vocab));
  const tokenOf: string[] = [];
  for (const [token, id] of idOf) tokenOf[id] = token;
  const specials = new Map(json.added_tokens.map((token) => [token.content, token.id]));
  const endOfText = specials.get('<|endoftext|>') ?? 50257;
  const ranks = new Map<string, number>();
  json.model.merges.forEach((merge, rank) => {
    ranks.set(typeof merge === 'string' ? merge : merge.join(' '), rank);
  });
  const cache = new Map<string, number[]>();
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { fatal: false });

  /** Merges the pair of lowest rank until none is left, as BPE does. */
  const bpe = (piece: string): number[] => {
    const cached = cache.get(piece);
    if (cached) return cached;
    let parts = [...piece];
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let index = 0; index < parts.length - 1; index++) {
        const rank = ranks.get(`${parts[index]} ${parts[index + 1]}`);
        if (rank !== undefined && rank < bestRank) [best, bestRank] = [index, rank];
      }
      if (best < 0) break;
      const [first, second] = [parts[best]!, parts[best + 1]!];
      const next: string[] = [];
      // Every occurrence of the pair merges in this round, left to right.
      for (let index = 0; index < parts.length; index++) {
        if (parts[index] === first && parts[index + 1] === second) {
          next.push(first + second);
          index++;
        } else next.push(parts[index]!);
      }
      parts = next;
    }
    const ids = parts.map((part) => idOf.get(part) ?? idOf.get(byteToChar[part.codePointAt(0) ?? 0]!) ?? 0);
    if (cache.size < 10_000) cache.set(piece, ids);
    return ids;
  };

  return {
    endOfText,
    special: (name) => specials.get(name),
    specialName: (id) => json.added_tokens.find((token) => token.id === id)?.content,
    encode(text) {
      const ids: number[] = [];
      for (const [piece] of text.matchAll(piecePattern)) {
        const mapped = Array.from(encoder.encode(piece), (byte) => byteToChar[byte]!).join('');
        ids.push(...bpe(mapped));
      }
      return ids;
    },
    decode(ids) {
      const bytes: number[] = [];
      for (const id of ids) {
        if (id >= endOfText) continue;
        for (const char of tokenOf[id] ?? '') bytes.push(charToByte.get(char) ?? 32);
      }
      return decoder.decode(Uint8Array.from(bytes));
    },
  };
}
