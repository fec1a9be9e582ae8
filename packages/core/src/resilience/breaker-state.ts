import { z } from 'zod';

/** Successes counted per slice of the window (a tenth of it), to keep the stored state small. */
export interface SuccessBucket {
  at: number;
  count: number;
}

/**
 * The state of one breaker, as stored (JSON) and shared by every process.
 * `openCount` counts consecutive openings without a close in between; it grows
 * the cool-down.
 */
export type BreakerState =
  | {
      state: 'closed';
      /** Times of the failures inside the window. */
      failures: number[];
      /** Only kept when the failure-rate rule is on. */
      successes: SuccessBucket[];
    }
  | { state: 'open'; openedAt: number; nextAttemptAt: number; openCount: number }
  | { state: 'half-open'; probeStartedAt: number; probeId: string; openCount: number };

export type ClosedBreakerState = Extract<BreakerState, { state: 'closed' }>;

export type BreakerOpenReason = 'failure-count' | 'failure-rate' | 'probe-failed';

/** The rules, with every default filled in. */
export interface BreakerPolicy {
  windowMs: number;
  failureThreshold: number;
  failureRate: { threshold: number; minimumCalls: number } | undefined;
  coolDownMs: number;
  coolDownGrowth: { factor: number; maxMs: number } | undefined;
  probeTimeoutMs: number;
}

const breakerStateSchema: z.ZodType<BreakerState> = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('closed'),
    failures: z.array(z.number()),
    successes: z.array(z.object({ at: z.number(), count: z.number() })),
  }),
  z.object({
    state: z.literal('open'),
    openedAt: z.number(),
    nextAttemptAt: z.number(),
    openCount: z.number(),
  }),
  z.object({
    state: z.literal('half-open'),
    probeStartedAt: z.number(),
    probeId: z.string(),
    openCount: z.number(),
  }),
]);

export function closedBreakerState(): ClosedBreakerState {
  return { state: 'closed', failures: [], successes: [] };
}

/** Parses stored JSON; anything unreadable counts as a fresh closed breaker (the next write replaces it). */
export function parseBreakerState(json: string): BreakerState {
  try {
    const parsed = breakerStateSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : closedBreakerState();
  } catch {
    return closedBreakerState();
  }
}

/** The cool-down after the `openCount`-th consecutive opening. */
export function coolDownFor(openCount: number, policy: BreakerPolicy): number {
  const growth = policy.coolDownGrowth;
  if (!growth) return policy.coolDownMs;
  return Math.min(growth.maxMs, policy.coolDownMs * growth.factor ** Math.max(0, openCount - 1));
}

export function openBreakerState(
  now: number,
  openCount: number,
  policy: BreakerPolicy,
): BreakerState {
  return {
    state: 'open',
    openedAt: now,
    nextAttemptAt: now + coolDownFor(openCount, policy),
    openCount,
  };
}

/** The closed state with everything older than the window dropped. */
export function pruneClosedState(
  state: ClosedBreakerState,
  now: number,
  policy: BreakerPolicy,
): ClosedBreakerState {
  const windowStart = now - policy.windowMs;
  const bucketMs = successBucketMs(policy);
  return {
    state: 'closed',
    failures: state.failures.filter((at) => at > windowStart),
    successes: state.successes.filter((bucket) => bucket.at + bucketMs > windowStart),
  };
}

export function countSuccesses(state: ClosedBreakerState): number {
  return state.successes.reduce((total, bucket) => total + bucket.count, 0);
}

/**
 * Records one call's outcome while closed. Returns the next state and, when
 * the call tripped a rule, why the breaker opened; undefined when nothing
 * needs writing (a success with the failure-rate rule off).
 */
export function recordClosedOutcome(
  state: ClosedBreakerState,
  outcome: 'success' | 'failure',
  now: number,
  policy: BreakerPolicy,
): { next: BreakerState; openedBecause?: BreakerOpenReason; failures: number } | undefined {
  if (outcome === 'success' && !policy.failureRate) return undefined;
  const pruned = pruneClosedState(state, now, policy);

  if (outcome === 'success') {
    const bucketAt = Math.floor(now / successBucketMs(policy)) * successBucketMs(policy);
    const last = pruned.successes.at(-1);
    const successes =
      last?.at === bucketAt
        ? [...pruned.successes.slice(0, -1), { at: bucketAt, count: last.count + 1 }]
        : [...pruned.successes, { at: bucketAt, count: 1 }];
    return { next: { ...pruned, successes }, failures: pruned.failures.length };
  }

  const failures = [...pruned.failures, now];
  const next: ClosedBreakerState = { ...pruned, failures };
  const openedBecause = openingReason(next, policy);
  if (!openedBecause) return { next, failures: failures.length };
  return { next: openBreakerState(now, 1, policy), openedBecause, failures: failures.length };
}

function openingReason(
  state: ClosedBreakerState,
  policy: BreakerPolicy,
): BreakerOpenReason | undefined {
  const failures = state.failures.length;
  if (failures >= policy.failureThreshold) return 'failure-count';
  const rate = policy.failureRate;
  if (!rate) return undefined;
  const calls = failures + countSuccesses(state);
  if (calls >= rate.minimumCalls && failures / calls > rate.threshold) return 'failure-rate';
  return undefined;
}

function successBucketMs(policy: BreakerPolicy): number {
  return Math.max(1, Math.floor(policy.windowMs / 10));
}
