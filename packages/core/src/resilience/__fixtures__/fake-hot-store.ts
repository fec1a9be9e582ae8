import type { HotStore } from '../../stores/hot-store';
import type { Clock } from '../clock';

/** A `HotStore` in a Map, standing for Redis in the resilience tests. Honours TTLs on the given clock. */
export class FakeHotStore implements HotStore {
  readonly kind = 'memory' as const;
  readonly entries = new Map<string, { value: string; expiresAt: number | undefined }>();

  constructor(private readonly clock: Clock) {}

  async get(key: string): Promise<string | null> {
    return this.read(key);
  }

  /** Synchronous, so each operation below is atomic like its Redis counterpart. */
  private read(key: string): string | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.expiry(ttlMs) });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async increment(key: string, by = 1, ttlMs?: number): Promise<number> {
    const current = this.read(key);
    const next = Number(current ?? 0) + by;
    const expiresAt = current === null ? this.expiry(ttlMs) : this.entries.get(key)?.expiresAt;
    this.entries.set(key, { value: String(next), expiresAt });
    return next;
  }

  async compareAndSet(
    key: string,
    expected: string | null,
    next: string,
    ttlMs?: number,
  ): Promise<boolean> {
    if (this.read(key) !== expected) return false;
    this.entries.set(key, { value: next, expiresAt: this.expiry(ttlMs) });
    return true;
  }

  async claimKeys(keys: readonly string[], ttlMs: number): Promise<boolean[]> {
    return keys.map((key) => {
      if (this.read(key) !== null) return false;
      this.entries.set(key, { value: '1', expiresAt: this.expiry(ttlMs) });
      return true;
    });
  }

  async extendKeys(keys: readonly string[], ttlMs: number): Promise<void> {
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry && this.read(key) !== null) entry.expiresAt = this.expiry(ttlMs);
    }
  }

  async deleteKeys(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private expiry(ttlMs: number | undefined): number | undefined {
    return ttlMs === undefined ? undefined : this.clock.now() + ttlMs;
  }
}
