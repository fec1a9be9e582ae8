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
  ping(): Promise<void>;
  close(): Promise<void>;
}
