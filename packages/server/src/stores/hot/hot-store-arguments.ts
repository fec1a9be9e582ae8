/**
 * Argument checks both hot stores share, so memory and Redis reject the same
 * calls the same way (Redis needs whole milliseconds and whole increments).
 */

/** A TTL as whole milliseconds (rounded up), or undefined for none; it must be positive. */
export function normalizeTtlMs(ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`A hot store TTL must be a positive number of milliseconds, got ${ttlMs}`);
  }
  return Math.ceil(ttlMs);
}

export function assertIncrement(by: number): void {
  if (!Number.isSafeInteger(by)) {
    throw new RangeError(`A hot store counter moves by whole numbers, got ${by}`);
  }
}

export function notACounterError(key: string): Error {
  return new TypeError(`Hot store key "${key}" does not hold an integer counter`);
}
