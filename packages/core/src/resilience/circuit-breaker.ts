import { ulid } from 'ulid';
import {
  closedBreakerState,
  countSuccesses,
  openBreakerState,
  pruneClosedState,
  recordClosedOutcome,
} from './breaker-state';
import type { BreakerOpenReason, BreakerPolicy, BreakerState } from './breaker-state';
import { InMemoryBreakerStateStore } from './breaker-state-store';
import type { BreakerStateStore } from './breaker-state-store';
import { systemClock } from './clock';
import type { Clock } from './clock';
import { TypedEmitter } from './typed-emitter';

export interface CircuitBreakerOptions {
  /** Default: a new in-memory store (state private to this breaker). */
  store?: BreakerStateStore;
  clock?: Clock;
  /** The sliding window failures (and calls) are counted over; default 60 000. */
  windowMs?: number;
  /** Opens after this many failures inside the window; default 5. */
  failureThreshold?: number;
  /**
   * Also opens when, over at least `minimumCalls` calls in the window, the
   * share of failures exceeds `threshold` (0–1). Off by default: when on,
   * every success is a write to the store.
   */
  failureRate?: { threshold: number; minimumCalls: number };
  /** How long the breaker stays open before a probe; default 30 000. */
  coolDownMs?: number;
  /** Multiplies the cool-down on each consecutive re-opening, up to `maxMs`. */
  coolDownGrowth?: { factor: number; maxMs: number };
  /** A probe with no outcome after this long frees the slot for another; default 60 000. */
  probeTimeoutMs?: number;
  /** Sees errors thrown by event listeners (which never reach the caller). */
  onListenerError?: (error: unknown, event: BreakerEvent) => void;
  /**
   * Sees state-store failures. They never reach the caller: `acquire` then
   * lets the call through (the breaker fails open) and `release` drops the outcome.
   */
  onStoreError?: (error: unknown, operation: 'acquire' | 'release') => void;
}

/**
 * How a permitted call ended. 'cancelled' (the caller gave up, e.g. an abort)
 * says nothing about the upstream: it is not counted, and a probe that is
 * cancelled lets the next caller probe at once.
 */
export type BreakerOutcome = 'success' | 'failure' | 'cancelled';

export type BreakerPermit =
  | {
      allowed: true;
      /** This call is the half-open probe. */
      probe: boolean;
      /** Reports the outcome; only the first call counts. */
      release(outcome: BreakerOutcome): Promise<void>;
    }
  | { allowed: false; state: 'open' | 'half-open'; retryAt: number };

/** Emitted by the process whose write made the transition. */
export type BreakerEvent =
  | {
      type: 'breaker-opened';
      key: string;
      at: number;
      reason: BreakerOpenReason;
      /** Failures in the window when it opened (1 for a failed probe). */
      failures: number;
      nextAttemptAt: number;
    }
  | { type: 'breaker-half-opened'; key: string; at: number }
  | { type: 'breaker-closed'; key: string; at: number };

/** For health endpoints. */
export interface BreakerSnapshot {
  key: string;
  state: BreakerState['state'];
  /** Failures inside the window (closed only). */
  failures: number;
  /** Successes inside the window (closed, failure-rate rule on). */
  successes: number;
  /** When a call may next get through (open: end of cool-down; half-open: when a stuck probe is given up). */
  nextAttemptAt?: number;
  openedAt?: number;
  probeStartedAt?: number;
}

/** Gives up after this many lost compare-and-set races in one operation. */
const MAX_STORE_ATTEMPTS = 10;

type Transition = { next: BreakerState; event?: BreakerEvent } | undefined;

/**
 * One breaker per key (per deployment): closed → open after too many
 * failures, open → half-open after the cool-down, where exactly one probe is
 * let through; its success closes the breaker, its failure opens it again.
 * The probe is claimed with compare-and-set, so with a shared store exactly
 * one process probes.
 */
export class CircuitBreaker {
  readonly events: TypedEmitter<BreakerEvent>;
  private readonly store: BreakerStateStore;
  private readonly clock: Clock;
  private readonly policy: BreakerPolicy;
  private readonly onStoreError: CircuitBreakerOptions['onStoreError'];

  constructor(options: CircuitBreakerOptions = {}) {
    this.store = options.store ?? new InMemoryBreakerStateStore();
    this.clock = options.clock ?? systemClock;
    this.events = new TypedEmitter(options.onListenerError);
    this.onStoreError = options.onStoreError;
    this.policy = {
      windowMs: options.windowMs ?? 60_000,
      failureThreshold: options.failureThreshold ?? 5,
      failureRate: options.failureRate,
      coolDownMs: options.coolDownMs ?? 30_000,
      coolDownGrowth: options.coolDownGrowth,
      probeTimeoutMs: options.probeTimeoutMs ?? 60_000,
    };
    const rate = this.policy.failureRate;
    if (rate && !(rate.threshold > 0 && rate.threshold < 1)) {
      throw new RangeError(`failureRate.threshold must be between 0 and 1, got ${rate.threshold}`);
    }
  }

  /** Asks to make a call. An allowed call must be released with its outcome. */
  async acquire(key: string): Promise<BreakerPermit> {
    try {
      return await this.tryAcquire(key);
    } catch (error) {
      this.onStoreError?.(error, 'acquire');
      return this.permit(key, undefined);
    }
  }

  private async tryAcquire(key: string): Promise<BreakerPermit> {
    for (let attempt = 0; attempt < MAX_STORE_ATTEMPTS; attempt++) {
      const loaded = await this.store.load(key);
      const current = loaded?.state ?? closedBreakerState();
      const now = this.clock.now();
      if (current.state === 'closed') return this.permit(key, undefined);

      const retryAt = this.retryAt(current);
      if (now < retryAt) return { allowed: false, state: current.state, retryAt };

      // Cool-down over, or the probe is stuck: try to become the probe.
      const probe: BreakerState = {
        state: 'half-open',
        probeStartedAt: now,
        probeId: ulid(),
        openCount: current.openCount,
      };
      if (await this.store.compareAndSet(key, loaded?.version ?? null, probe)) {
        if (current.state === 'open')
          this.events.emit({ type: 'breaker-half-opened', key, at: now });
        return this.permit(key, probe.probeId);
      }
      // Someone else changed the state first (most likely claimed the probe): look again.
    }
    return { allowed: false, state: 'half-open', retryAt: this.clock.now() };
  }

  async snapshot(key: string): Promise<BreakerSnapshot> {
    const state = (await this.store.load(key))?.state ?? closedBreakerState();
    switch (state.state) {
      case 'closed': {
        const pruned = pruneClosedState(state, this.clock.now(), this.policy);
        return {
          key,
          state: 'closed',
          failures: pruned.failures.length,
          successes: countSuccesses(pruned),
        };
      }
      case 'open':
        return {
          key,
          state: 'open',
          failures: 0,
          successes: 0,
          openedAt: state.openedAt,
          nextAttemptAt: state.nextAttemptAt,
        };
      case 'half-open':
        return {
          key,
          state: 'half-open',
          failures: 0,
          successes: 0,
          probeStartedAt: state.probeStartedAt,
          nextAttemptAt: this.retryAt(state),
        };
      default: {
        const unexpected: never = state;
        return unexpected;
      }
    }
  }

  private retryAt(state: Exclude<BreakerState, { state: 'closed' }>): number {
    return state.state === 'open'
      ? state.nextAttemptAt
      : state.probeStartedAt + this.policy.probeTimeoutMs;
  }

  private permit(key: string, probeId: string | undefined): BreakerPermit {
    let released = false;
    return {
      allowed: true,
      probe: probeId !== undefined,
      release: async (outcome) => {
        if (released) return;
        released = true;
        try {
          await this.update(key, (state, now) =>
            this.transition(key, state, outcome, probeId, now),
          );
        } catch (error) {
          this.onStoreError?.(error, 'release');
        }
      },
    };
  }

  private transition(
    key: string,
    state: BreakerState,
    outcome: BreakerOutcome,
    probeId: string | undefined,
    now: number,
  ): Transition {
    switch (state.state) {
      case 'closed': {
        if (outcome === 'cancelled') return undefined;
        const recorded = recordClosedOutcome(state, outcome, now, this.policy);
        if (!recorded) return undefined;
        if (!recorded.openedBecause) return { next: recorded.next };
        return {
          next: recorded.next,
          event: this.openedEvent(
            key,
            recorded.next,
            recorded.openedBecause,
            recorded.failures,
            now,
          ),
        };
      }
      case 'open':
        // A call from before the breaker opened: too late to matter.
        return undefined;
      case 'half-open': {
        // Only the current probe decides; a stuck probe that was replaced does not.
        if (state.probeId !== probeId) return undefined;
        if (outcome === 'success') {
          return { next: closedBreakerState(), event: { type: 'breaker-closed', key, at: now } };
        }
        if (outcome === 'cancelled') {
          return {
            next: { state: 'open', openedAt: now, nextAttemptAt: now, openCount: state.openCount },
          };
        }
        const next = openBreakerState(now, state.openCount + 1, this.policy);
        return { next, event: this.openedEvent(key, next, 'probe-failed', 1, now) };
      }
      default: {
        const unexpected: never = state;
        return unexpected;
      }
    }
  }

  private openedEvent(
    key: string,
    next: BreakerState,
    reason: BreakerOpenReason,
    failures: number,
    now: number,
  ): BreakerEvent {
    const nextAttemptAt = next.state === 'open' ? next.nextAttemptAt : now;
    return { type: 'breaker-opened', key, at: now, reason, failures, nextAttemptAt };
  }

  /**
   * Read, compute, compare-and-set; again if another process wrote in
   * between. Under extreme contention an outcome may be dropped: the breaker
   * stays roughly right, and the caller is not failed for it.
   */
  private async update(
    key: string,
    transition: (state: BreakerState, now: number) => Transition,
  ): Promise<void> {
    for (let attempt = 0; attempt < MAX_STORE_ATTEMPTS; attempt++) {
      const loaded = await this.store.load(key);
      const change = transition(loaded?.state ?? closedBreakerState(), this.clock.now());
      if (!change) return;
      if (await this.store.compareAndSet(key, loaded?.version ?? null, change.next)) {
        if (change.event) this.events.emit(change.event);
        return;
      }
    }
  }
}
