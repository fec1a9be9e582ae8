import type { HotStore } from '@tollgate/core';
import { LRUCache } from 'lru-cache';
import { assertIncrement, normalizeTtlMs, notACounterError } from './hot-store-arguments';

export interface MemoryHotStoreOptions {
  /** The clock (ms since epoch); tests pass a fake one. */
  now?: () => number;
  /** How often expired entries nobody reads are removed; default one minute. */
  sweepIntervalMs?: number;
  /**
   * The most claimed keys (`claimKeys`) held at once; the least recently
   * claimed go first past it. Default 1,000,000 (~150 bytes each).
   */
  maxClaims?: number;
  /**
   * The most other entries (counters, rate-limit windows, locks) held at
   * once; the least recently used go first past it. Default 1,000,000.
   */
  maxEntries?: number;
}

export const DEFAULT_MAX_CLAIMS = 1_000_000;
export const DEFAULT_MAX_ENTRIES = 1_000_000;

interface Entry {
  value: string;
  /** Ms since epoch; null: lives until deleted. */
  expiresAt: number | null;
}

const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
const INTEGER_PATTERN = /^-?\d+$/;

/**
 * Hot state for one process: a bounded LRU whose entries carry their expiry
 * time (Redis semantics: `increment` keeps a counter's TTL). An expired entry
 * is treated as absent when read and removed by a periodic sweep (on an
 * unref'd timer, so it never keeps the process alive); past `maxEntries` the
 * least recently used entry goes, so no tenant's keys can grow it without bound.
 * Operations are synchronous underneath, hence atomic.
 */
export class MemoryHotStore implements HotStore {
  readonly kind = 'memory';
  private readonly entries: LRUCache<string, Entry>;
  private readonly now: () => number;
  private readonly sweepTimer: NodeJS.Timeout;
  /**
   * Claims (event ids) apart from the other entries: there can be millions, so
   * they live in a bounded LRU with a TTL each, not in the unbounded map.
   */
  private readonly claims: LRUCache<string, true>;

  constructor(options: MemoryHotStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    const now = this.now;
    this.entries = new LRUCache<string, Entry>({ max: options.maxEntries ?? DEFAULT_MAX_ENTRIES });
    this.claims = new LRUCache<string, true>({
      max: options.maxClaims ?? DEFAULT_MAX_CLAIMS,
      // Every read asks the (possibly fake) clock: no cached time between calls.
      ttlResolution: 0,
      perf: { now },
    });
    this.sweepTimer = setInterval(
      () => this.removeExpired(),
      options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
    );
    this.sweepTimer.unref();
  }

  /** Entries held, including expired ones not yet swept. */
  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<string | null> {
    return this.read(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.write(key, value, normalizeTtlMs(ttlMs));
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async increment(key: string, by = 1, ttlMs?: number): Promise<number> {
    assertIncrement(by);
    const ttl = normalizeTtlMs(ttlMs);
    const entry = this.read(key);
    if (entry === undefined) {
      this.write(key, String(by), ttl);
      return by;
    }
    if (!INTEGER_PATTERN.test(entry.value)) throw notACounterError(key);
    const value = Number(entry.value) + by;
    // The TTL was set when the counter was created and is kept.
    entry.value = String(value);
    return value;
  }

  async compareAndSet(
    key: string,
    expected: string | null,
    next: string,
    ttlMs?: number,
  ): Promise<boolean> {
    const ttl = normalizeTtlMs(ttlMs);
    const current = this.read(key)?.value ?? null;
    if (current !== expected) return false;
    this.write(key, next, ttl);
    return true;
  }

  async claimKeys(keys: readonly string[], ttlMs: number): Promise<boolean[]> {
    const ttl = normalizeTtlMs(ttlMs);
    return keys.map((key) => {
      if (this.claims.has(key)) return false;
      this.claims.set(key, true, { ttl });
      return true;
    });
  }

  async extendKeys(keys: readonly string[], ttlMs: number): Promise<void> {
    const ttl = normalizeTtlMs(ttlMs);
    for (const key of keys) {
      if (this.claims.has(key)) this.claims.set(key, true, { ttl });
    }
  }

  async deleteKeys(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.claims.delete(key);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.entries.clear();
    this.claims.clear();
  }

  /** Removes every expired entry; returns how many. Runs on the sweep timer. */
  removeExpired(): number {
    const now = this.now();
    const expired: string[] = [];
    for (const [key, entry] of this.entries.entries()) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) expired.push(key);
    }
    for (const key of expired) this.entries.delete(key);
    return expired.length;
  }

  /** The live entry for `key`; an expired one is removed and reads as absent. */
  private read(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Like Redis SET: a write without a TTL clears any earlier one. */
  private write(key: string, value: string, ttlMs: number | undefined): void {
    this.entries.set(key, { value, expiresAt: ttlMs === undefined ? null : this.now() + ttlMs });
  }
}
