/**
 * Lexical similarity of two texts: cosine over their word shingles (each word
 * and each pair of adjacent words), hashed to 32-bit numbers. A reference's
 * signature is computed once when it is loaded; a prompt's once per request,
 * then each comparison walks the smaller signature. Case, punctuation and
 * spacing do not matter; word order matters through the pairs.
 */

export interface ShingleSignature {
  /** Shingle hash → count. */
  counts: Map<number, number>;
  /** Euclidean norm of the counts. */
  norm: number;
}

/** Prompts longer than this are compared by their first part only, so a check stays cheap. */
export const MAX_COMPARED_CHARACTERS = 50_000;

const WORD = /[\p{L}\p{N}]+/gu;

/** 32-bit FNV-1a of a string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function shingleSignature(text: string): ShingleSignature {
  const words = text.slice(0, MAX_COMPARED_CHARACTERS).toLowerCase().match(WORD) ?? [];
  const counts = new Map<number, number>();
  const add = (shingle: string) => {
    const hash = fnv1a(shingle);
    counts.set(hash, (counts.get(hash) ?? 0) + 1);
  };
  for (let index = 0; index < words.length; index += 1) {
    add(words[index]!);
    if (index > 0) add(`${words[index - 1]!} ${words[index]!}`);
  }
  let squares = 0;
  for (const count of counts.values()) squares += count * count;
  return { counts, norm: Math.sqrt(squares) };
}

/** Cosine similarity in [0, 1]; 0 when either text has no words. */
export function cosineSimilarity(left: ShingleSignature, right: ShingleSignature): number {
  if (left.norm === 0 || right.norm === 0) return 0;
  const [small, large] =
    left.counts.size <= right.counts.size
      ? [left.counts, right.counts]
      : [right.counts, left.counts];
  let dot = 0;
  for (const [hash, count] of small) dot += count * (large.get(hash) ?? 0);
  return Math.min(1, dot / (left.norm * right.norm));
}
