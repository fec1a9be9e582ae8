import type { CircuitBreaker } from '@tollgate/core';
import {
  FailoverOrchestrator,
  isFailoverError,
  isUpstreamError,
  startTimer,
  systemClock,
  type BreakerOutcome,
  type BreakerSnapshot,
  type CandidateHealth,
  type Clock,
  type FailoverAttempt,
  type GatewayProvider,
  type ProviderName,
} from '@tollgate/core';
import { breakerKeyOf } from '../routing/breaker-key';
import type { ResolvedRoute, RoutedDeployment, RouteTable } from '../routing/route-table';

export interface RoutedCall<T> {
  value: T;
  route: ResolvedRoute;
  deployment: RoutedDeployment;
  attempts: FailoverAttempt[];
  /** Reports the deployment's breaker outcome when the call ran with `settleLater` (a stream, at its end). */
  settle(outcome: BreakerOutcome): Promise<void>;
}

export interface RouterRunOptions {
  /** The caller settles the serving deployment's breaker outcome itself (see `RoutedCall.settle`). */
  settleLater?: boolean;
}

export interface GatewayRouterOptions {
  /** The providers for deployments the operator configured (`outbound: 'operator'`). */
  providers: Record<ProviderName, GatewayProvider>;
  /** The providers for tenants' deployments, through the outbound policy; default: `providers`. */
  tenantProviders?: Record<ProviderName, GatewayProvider>;
  breaker: CircuitBreaker;
  routeTable: RouteTable;
  clock?: Clock;
  random?: () => number;
  /** Base of the retry backoff (full jitter); default 250 ms. */
  retryBaseMs?: number;
}

const FALLBACK_REASONS = new Set(['context_window_exceeded', 'content_policy']);

function fallbackReasonOf(error: unknown): string | undefined {
  const last = isFailoverError(error) ? error.lastError : error;
  return isUpstreamError(last) && last.reason && FALLBACK_REASONS.has(last.reason)
    ? last.reason
    : undefined;
}

/**
 * Runs one call over a route's deployments: weighted choice within a
 * priority, failover to the next, retries with backoff honouring
 * Retry-After, a per-attempt timeout, an overall deadline, a circuit breaker
 * per deployment; and once, the route's fallback model for context-window or
 * content-policy refusals.
 */
export class GatewayRouter {
  /** One orchestrator per org, so each org's call health is its own. */
  private readonly orchestrators = new Map<string, FailoverOrchestrator>();
  private readonly clock: Clock;

  constructor(private readonly options: GatewayRouterOptions) {
    this.clock = options.clock ?? systemClock;
  }

  private orchestratorOf(orgId: string): FailoverOrchestrator {
    let orchestrator = this.orchestrators.get(orgId);
    if (!orchestrator) {
      orchestrator = new FailoverOrchestrator({
        clock: this.clock,
        random: this.options.random,
        breaker: this.options.breaker,
        breakerKey: (candidate) => breakerKeyOf(orgId, candidate as RoutedDeployment),
        baseMs: this.options.retryBaseMs ?? 250,
        maxMs: 10_000,
        maxRetryAfterMs: 30_000,
      });
      this.orchestrators.set(orgId, orchestrator);
    }
    return orchestrator;
  }

  get breaker(): CircuitBreaker {
    return this.options.breaker;
  }

  /** The breaker of one org's deployment. */
  snapshot(orgId: string, deployment: RoutedDeployment): Promise<BreakerSnapshot> {
    return this.options.breaker.snapshot(breakerKeyOf(orgId, deployment));
  }

  /**
   * Successes, failures and the last latency per deployment id of one org's
   * calls, counted by this process since it started.
   */
  health(orgId: string): CandidateHealth[] {
    return this.orchestrators.get(orgId)?.health() ?? [];
  }

  /** The provider that serves this deployment, through the outbound policy its route's trust asks for. */
  providerFor(deployment: RoutedDeployment): GatewayProvider {
    const providers =
      deployment.outbound === 'operator'
        ? this.options.providers
        : (this.options.tenantProviders ?? this.options.providers);
    return providers[deployment.provider];
  }

  async run<T>(
    orgId: string,
    route: ResolvedRoute,
    signal: AbortSignal,
    call: (
      provider: GatewayProvider,
      deployment: RoutedDeployment,
      signal: AbortSignal,
    ) => Promise<T>,
    options: RouterRunOptions = {},
  ): Promise<RoutedCall<T>> {
    try {
      return await this.runRoute(orgId, route, signal, call, options);
    } catch (error) {
      if (!route.fallbackModel || !fallbackReasonOf(error)) throw error;
      const fallback = await this.options.routeTable.resolve(orgId, route.fallbackModel);
      if (!fallback) throw error;
      const result = await this.runRoute(orgId, fallback, signal, call, options);
      const earlier = isFailoverError(error) ? error.attempts : [];
      return { ...result, attempts: [...earlier, ...result.attempts] };
    }
  }

  private async runRoute<T>(
    orgId: string,
    route: ResolvedRoute,
    signal: AbortSignal,
    call: (
      provider: GatewayProvider,
      deployment: RoutedDeployment,
      signal: AbortSignal,
    ) => Promise<T>,
    options: RouterRunOptions,
  ): Promise<RoutedCall<T>> {
    const result = await this.orchestratorOf(orgId).run(
      route.deployments,
      async (deployment, _attempt, runSignal) => {
        // One signal per attempt, aborted by its timeout, by the run (deadline, caller) while
        // the attempt runs, and by the caller for as long as the answer (a stream) is read.
        // Forwarded by hand: AbortSignal.any and a controller per source cost more per call.
        const attempt = new AbortController();
        const abortWithRun = () => attempt.abort(runSignal.reason);
        const abortWithCaller = () => attempt.abort(signal.reason);
        runSignal.addEventListener('abort', abortWithRun, { once: true });
        signal.addEventListener('abort', abortWithCaller, { once: true });
        // Aborted while the breaker was asked: no event will come, so abort now.
        if (runSignal.aborted) abortWithRun();
        else if (signal.aborted) abortWithCaller();
        // The attempt's timeout runs until the call resolves: for a stream, its first chunk.
        // It is measured on the injected clock, like the backoff and the deadline.
        const cancelTimeout = startTimer(this.clock, deployment.timeoutMs, () =>
          attempt.abort(
            new DOMException(`no answer within ${deployment.timeoutMs} ms`, 'TimeoutError'),
          ),
        );
        try {
          return await call(this.providerFor(deployment), deployment, attempt.signal);
        } finally {
          cancelTimeout();
          runSignal.removeEventListener('abort', abortWithRun);
        }
      },
      { signal, deadline: this.clock.now() + route.deadlineMs, settleLater: options.settleLater },
    );
    return {
      value: result.value,
      route,
      deployment: result.candidate,
      attempts: result.attempts,
      settle: result.settle,
    };
  }
}
