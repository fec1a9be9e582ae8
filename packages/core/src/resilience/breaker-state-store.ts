import type { HotStore } from '../stores/hot-store';
import { parseBreakerState } from './breaker-state';
import type { BreakerState } from './breaker-state';

export interface VersionedBreakerState {
  state: BreakerState;
  /** Opaque; hand it back to `compareAndSet`. */
  version: string;
}

/**
 * Where breakers keep their state. Every process that shares a store shares
 * its breakers; updates are optimistic (read, compute, compare-and-set).
 */
export interface BreakerStateStore {
  /** The state of `key` and its version, or null if it has none (a fresh closed breaker). */
  load(key: string): Promise<VersionedBreakerState | null>;
  /**
   * Writes `next` only if the stored version is still `expectedVersion`
   * (null: no state yet). Atomic across every user of the store.
   */
  compareAndSet(key: string, expectedVersion: string | null, next: BreakerState): Promise<boolean>;
}

/** Breaker state in this process only: for one process, the SDK, and tests. */
export class InMemoryBreakerStateStore implements BreakerStateStore {
  private readonly entries = new Map<string, VersionedBreakerState>();
  private nextVersion = 1;

  async load(key: string): Promise<VersionedBreakerState | null> {
    const entry = this.entries.get(key);
    return entry ? { state: structuredClone(entry.state), version: entry.version } : null;
  }

  async compareAndSet(
    key: string,
    expectedVersion: string | null,
    next: BreakerState,
  ): Promise<boolean> {
    if ((this.entries.get(key)?.version ?? null) !== expectedVersion) return false;
    this.entries.set(key, { state: structuredClone(next), version: String(this.nextVersion++) });
    return true;
  }
}

export interface HotStoreBreakerStateStoreOptions {
  /** Default 'breaker:'. */
  keyPrefix?: string;
  /**
   * How long an untouched breaker's state is kept; default one day. Must
   * exceed the longest cool-down.
   */
  ttlMs?: number;
}

/**
 * Breaker state in the shared hot store, as JSON. The JSON text itself is the
 * version, so `compareAndSet` maps straight onto `HotStore.compareAndSet`.
 */
export class HotStoreBreakerStateStore implements BreakerStateStore {
  private readonly keyPrefix: string;
  private readonly ttlMs: number;

  constructor(
    private readonly hotStore: HotStore,
    options: HotStoreBreakerStateStoreOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'breaker:';
    this.ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  }

  async load(key: string): Promise<VersionedBreakerState | null> {
    const json = await this.hotStore.get(this.keyPrefix + key);
    return json === null ? null : { state: parseBreakerState(json), version: json };
  }

  compareAndSet(key: string, expectedVersion: string | null, next: BreakerState): Promise<boolean> {
    return this.hotStore.compareAndSet(
      this.keyPrefix + key,
      expectedVersion,
      JSON.stringify(next),
      this.ttlMs,
    );
  }
}
