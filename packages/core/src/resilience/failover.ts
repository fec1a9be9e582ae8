import type { BreakerOutcome, CircuitBreaker } from './circuit-breaker';
import { startTimer, systemClock } from './clock';
import type { Clock } from './clock';
import { isRetryableError, retryAfterOf, retryDelay } from './retry';
import { isUpstreamError } from './upstream-error';

export interface FailoverCandidate {
  id: string;
  /** Lower numbers are tried first. */
  priority: number;
  /** Share of first picks among candidates of the same priority; 0 means "only as a last resort" there. */
  weight: number;
  /** Overrides the orchestrator's `maxRetriesPerCandidate`. */
  maxRetries?: number;
}

export interface FailoverAttempt {
  candidateId: string;
  /** 1 for the first call to this candidate. */
  attempt: number;
  /** 'skipped': its breaker refused the call. */
  outcome: 'success' | 'failure' | 'skipped';
  error?: unknown;
  latencyMs: number;
}

export interface CandidateHealth {
  candidateId: string;
  successes: number;
  failures: number;
  lastLatencyMs?: number;
  lastOutcome?: 'success' | 'failure';
  /** When the last attempt started. */
  lastAttemptAt?: number;
}

export interface FailoverOptions {
  clock?: Clock;
  /** Uniform in [0, 1); drives the weighted choice and the retry jitter. */
  random?: () => number;
  /** Candidates whose breaker refuses are skipped. */
  breaker?: Pick<CircuitBreaker, 'acquire'>;
  /** The breaker key of a candidate; default its id. */
  breakerKey?: (candidate: FailoverCandidate) => string;
  /** Retries of one candidate before moving on; default 1. */
  maxRetriesPerCandidate?: number;
  /** Retry delay (see `retryDelay`); defaults 500, 10 000, and `maxMs`. */
  baseMs?: number;
  maxMs?: number;
  maxRetryAfterMs?: number;
  /** Whether to call the same candidate again; default `isRetryableError`. */
  isRetryable?: (error: unknown) => boolean;
  /** Whether an error (after this candidate's retries) moves on to the next candidate; default `isRetryable`. */
  shouldFailover?: (error: unknown) => boolean;
  /**
   * Whether an error counts against the candidate's breaker. Default: every
   * error except an upstream HTTP error that is not retryable (a 400 means the
   * deployment is up and the request was wrong).
   */
  isBreakerFailure?: (error: unknown) => boolean;
}

export interface FailoverRunOptions {
  signal?: AbortSignal;
  /** Absolute time (`clock.now()` scale): no attempt starts or waits past it, and the one in flight is aborted. */
  deadline?: number;
  /**
   * The caller reports the breaker outcome of the attempt that succeeded
   * itself, through the result's `settle`: a stream is judged at its end,
   * not at its first chunk.
   */
  settleLater?: boolean;
}

export interface FailoverResult<T, C extends FailoverCandidate> {
  value: T;
  candidate: C;
  attempts: FailoverAttempt[];
  /** Reports the successful attempt's breaker outcome (with `settleLater`; otherwise it does nothing). */
  settle(outcome: BreakerOutcome): Promise<void>;
}

const settled = async (): Promise<void> => {};

export type FailoverFailureReason = 'exhausted' | 'deadline' | 'not-retryable';

const failoverErrorBrand: unique symbol = Symbol.for('tollgate.failover-error');

/** Every candidate failed, was skipped, or time ran out. Carries every attempt made. */
export class FailoverError extends Error {
  readonly [failoverErrorBrand] = true;
  override readonly name = 'FailoverError';

  constructor(
    readonly reason: FailoverFailureReason,
    readonly attempts: FailoverAttempt[],
    /** The error of the last failed attempt, if any. */
    readonly lastError: unknown,
    /** When every candidate was skipped: the earliest time a breaker lets a call through. */
    readonly retryAt?: number,
  ) {
    super(`Failover gave up (${reason}) after ${attempts.length} attempt(s)`, { cause: lastError });
  }
}

export function isFailoverError(error: unknown): error is FailoverError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { [failoverErrorBrand]?: unknown })[failoverErrorBrand] === true
  );
}

/**
 * The attempt order: priorities ascending; within one, a weighted random
 * order (each pick proportional to weight among those left), then the
 * zero-weight candidates in the order given.
 */
export function orderCandidates<C extends FailoverCandidate>(
  candidates: readonly C[],
  random: () => number = Math.random,
): C[] {
  // Most routes have one deployment: nothing to order, and no random draw to spend.
  if (candidates.length <= 1) return [...candidates];
  const priorities = [...new Set(candidates.map((candidate) => candidate.priority))].sort(
    (a, b) => a - b,
  );
  return priorities.flatMap((priority) => {
    const group = candidates.filter((candidate) => candidate.priority === priority);
    const remaining = group.filter((candidate) => candidate.weight > 0);
    const ordered: C[] = [];
    while (remaining.length > 0) {
      const total = remaining.reduce((sum, candidate) => sum + candidate.weight, 0);
      let point = random() * total;
      let index = remaining.findIndex((candidate) => (point -= candidate.weight) < 0);
      if (index === -1) index = remaining.length - 1; // rounding at the very top
      ordered.push(...remaining.splice(index, 1));
    }
    return [...ordered, ...group.filter((candidate) => !(candidate.weight > 0))];
  });
}

function defaultIsBreakerFailure(error: unknown): boolean {
  return !(isUpstreamError(error) && error.kind === 'http' && !error.isRetryable);
}

/**
 * Runs one logical call over several candidates (deployments): in
 * `orderCandidates` order, skipping those whose breaker is open, retrying
 * each up to its limit with a backoff delay, within an overall deadline.
 * Used by the gateway router and by the SDK alike.
 */
export class FailoverOrchestrator {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly isRetryable: (error: unknown) => boolean;
  private readonly shouldFailover: (error: unknown) => boolean;
  private readonly isBreakerFailure: (error: unknown) => boolean;
  private readonly healthById = new Map<string, CandidateHealth>();

  constructor(private readonly options: FailoverOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.isRetryable = options.isRetryable ?? isRetryableError;
    this.shouldFailover = options.shouldFailover ?? this.isRetryable;
    this.isBreakerFailure = options.isBreakerFailure ?? defaultIsBreakerFailure;
  }

  order<C extends FailoverCandidate>(candidates: readonly C[]): C[] {
    return orderCandidates(candidates, this.random);
  }

  /** Success and failure counts and the last latency of every candidate this orchestrator has called. */
  health(): CandidateHealth[] {
    return [...this.healthById.values()].map((health) => ({ ...health }));
  }

  /**
   * Resolves with the first success; rejects with a `FailoverError` when it
   * gives up, or with the signal's reason when the caller aborts.
   */
  async run<C extends FailoverCandidate, T>(
    candidates: readonly C[],
    attempt: (candidate: C, attemptNumber: number, signal: AbortSignal) => Promise<T>,
    runOptions: FailoverRunOptions = {},
  ): Promise<FailoverResult<T, C>> {
    const { signal, deadline } = runOptions;
    const attempts: FailoverAttempt[] = [];
    let lastError: unknown;
    let retryAt: number | undefined;

    // Aborted when the caller aborts or the deadline passes; handed to every attempt.
    const controller = new AbortController();
    const forwardAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', forwardAbort, { once: true });
    if (signal?.aborted) forwardAbort();
    const disarmDeadline = this.armDeadline(controller, deadline);
    // Why we stop early: the caller's abort reason, or the deadline.
    const interruption = () =>
      signal?.aborted ? signal.reason : new FailoverError('deadline', attempts, lastError);

    try {
      for (const candidate of this.order(candidates)) {
        const maxRetries = candidate.maxRetries ?? this.options.maxRetriesPerCandidate ?? 1;
        let failed = false;
        for (let attemptNumber = 1; attemptNumber <= maxRetries + 1; attemptNumber++) {
          if (
            controller.signal.aborted ||
            (deadline !== undefined && this.clock.now() >= deadline)
          ) {
            throw interruption();
          }
          const permit = await this.options.breaker?.acquire(this.breakerKey(candidate));
          if (permit && !permit.allowed) {
            attempts.push({
              candidateId: candidate.id,
              attempt: attemptNumber,
              outcome: 'skipped',
              latencyMs: 0,
            });
            retryAt = Math.min(retryAt ?? Infinity, permit.retryAt);
            break;
          }

          const startedAt = this.clock.now();
          try {
            const value = await attempt(candidate, attemptNumber, controller.signal);
            const latencyMs = this.clock.now() - startedAt;
            const settleLater = runOptions.settleLater === true && permit !== undefined;
            if (!settleLater) await permit?.release('success');
            this.recordHealth(candidate.id, 'success', startedAt, latencyMs);
            attempts.push({
              candidateId: candidate.id,
              attempt: attemptNumber,
              outcome: 'success',
              latencyMs,
            });
            return {
              value,
              candidate,
              attempts,
              settle: settleLater && permit ? permit.release : settled,
            };
          } catch (error) {
            const latencyMs = this.clock.now() - startedAt;
            lastError = error;
            failed = true;
            attempts.push({
              candidateId: candidate.id,
              attempt: attemptNumber,
              outcome: 'failure',
              error,
              latencyMs,
            });
            if (controller.signal.aborted) {
              await permit?.release('cancelled');
              throw interruption();
            }
            await permit?.release(this.isBreakerFailure(error) ? 'failure' : 'success');
            this.recordHealth(candidate.id, 'failure', startedAt, latencyMs);
            if (attemptNumber > maxRetries || !this.isRetryable(error)) break;

            const delayMs = retryDelay({
              attempt: attemptNumber,
              baseMs: this.options.baseMs ?? 500,
              maxMs: this.options.maxMs ?? 10_000,
              maxRetryAfterMs: this.options.maxRetryAfterMs,
              retryAfterMs: retryAfterOf(error),
              random: this.random,
            });
            // Waiting would run past the deadline: the next candidate needs no wait.
            if (deadline !== undefined && this.clock.now() + delayMs >= deadline) break;
            await this.clock.sleep(delayMs, controller.signal).catch(() => {
              throw interruption();
            });
          }
        }
        if (failed && !this.shouldFailover(lastError)) {
          throw new FailoverError('not-retryable', attempts, lastError);
        }
      }
      const allSkipped = attempts.every((made) => made.outcome === 'skipped');
      throw new FailoverError('exhausted', attempts, lastError, allSkipped ? retryAt : undefined);
    } finally {
      disarmDeadline();
      signal?.removeEventListener('abort', forwardAbort);
    }
  }

  private breakerKey(candidate: FailoverCandidate): string {
    return this.options.breakerKey?.(candidate) ?? candidate.id;
  }

  /** Aborts `controller` when the deadline passes; returns the disarm function. */
  private armDeadline(controller: AbortController, deadline: number | undefined): () => void {
    if (deadline === undefined) return () => {};
    return startTimer(this.clock, deadline - this.clock.now(), () =>
      controller.abort(new DOMException('The failover deadline passed', 'TimeoutError')),
    );
  }

  private recordHealth(
    candidateId: string,
    outcome: 'success' | 'failure',
    startedAt: number,
    latencyMs: number,
  ): void {
    const health = this.healthById.get(candidateId) ?? { candidateId, successes: 0, failures: 0 };
    if (outcome === 'success') health.successes++;
    else health.failures++;
    health.lastOutcome = outcome;
    health.lastLatencyMs = latencyMs;
    health.lastAttemptAt = startedAt;
    this.healthById.set(candidateId, health);
  }
}
