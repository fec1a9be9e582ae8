import { createHash } from 'node:crypto';

/** A deterministic pseudo-random sequence in [0, 1) seeded by a hash (mulberry32). */
export interface SeededRandom {
  next(): number;
  /** An integer in [min, max]. */
  integer(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** The seed hash as hex, for ids. */
  readonly hex: string;
}

export function seededRandom(text: string): SeededRandom {
  const digest = createHash('sha256').update(text).digest();
  let state = digest.readUInt32LE(0);
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    integer: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    hex: digest.toString('hex'),
  };
}
