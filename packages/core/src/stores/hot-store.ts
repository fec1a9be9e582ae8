/**
 * Hot state shared by every server process: rate-limit windows, breaker
 * state, response cache, spend counters. Memory in one process, Redis across many.
 * TTLs are in milliseconds; a key without TTL lives until deleted.
 */
export interface HotStore {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Adds `by` (default 1) and returns the new value; the TTL is set when the counter is created. */
  increment(key: string, by?: number, ttlMs?: number): Promise<number>;
  /**
   * Sets `next` only if the current value equals `expected` (null: key absent).
   * Returns whether it was set. Atomic across processes.
   */
  compareAndSet(
    key: string,
    expected: string | null,
    next: string,
    ttlMs?: number,
  ): Promise<boolean>;
  /**
   * Claims each key that nobody holds (SET NX, with a TTL), in one round trip;
   * `true` for each key this call claimed, `false` for each already held.
   */
  claimKeys(keys: readonly string[], ttlMs: number): Promise<boolean[]>;
  /** Gives held keys a new TTL (a claim confirmed for its whole window); absent keys stay absent. */
  extendKeys(keys: readonly string[], ttlMs: number): Promise<void>;
  /** Removes keys (claims given back), in one round trip. */
  deleteKeys(keys: readonly string[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
