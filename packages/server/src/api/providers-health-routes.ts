import { ProvidersHealthResponse } from '@tollgate/core/api';
import type { BreakerSnapshot, CandidateHealth } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DeploymentConfig } from '../gateway/routing/route-config';
import { deploymentIdOf, type RoutedDeployment } from '../gateway/routing/route-table';
import { ApiError } from '../http/errors';

interface RoutedEntry {
  deployment: RoutedDeployment;
  routes: string[];
}

/** The fields the breaker key and the answer need; credentials are never resolved here. */
function routedOf(configured: DeploymentConfig): RoutedDeployment {
  return {
    id: deploymentIdOf(configured),
    provider: configured.provider,
    model: configured.model,
    baseUrl: configured.baseUrl,
    priority: configured.priority,
    weight: configured.weight,
    timeoutMs: configured.timeoutMs,
    maxRetries: configured.maxRetries,
  };
}

const isoOrNull = (time: number | undefined) =>
  time === undefined ? null : new Date(time).toISOString();

function presentBreaker(snapshot: BreakerSnapshot) {
  return {
    state: snapshot.state,
    // The window is counted only while closed; opening starts it afresh.
    failures_in_window: snapshot.state === 'closed' ? snapshot.failures : null,
    opened_at: isoOrNull(snapshot.openedAt),
    next_attempt_at: isoOrNull(snapshot.nextAttemptAt),
  };
}

function presentCalls(health: CandidateHealth | undefined) {
  const successes = health?.successes ?? 0;
  const failures = health?.failures ?? 0;
  const total = successes + failures;
  return {
    successes,
    failures,
    error_rate: total === 0 ? null : Math.round((failures / total) * 10_000) / 10_000,
    last_latency_ms: health?.lastLatencyMs ?? null,
    last_outcome: health?.lastOutcome ?? null,
    last_attempt_at: isoOrNull(health?.lastAttemptAt),
  };
}

/**
 * `GET /api/v1/providers/health`: every deployment of the routes the caller's
 * org can use (its own and the routes file's), with the org's own circuit breaker
 * (shared by replicas) and the calls this server process has made to it.
 */
export async function providersHealthRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/providers/health',
    {
      preValidation: app.requireScope('read'),
      schema: { response: { 200: ProvidersHealthResponse } },
    },
    async (request) => {
      const { routeTable, router } = app.gateway;
      const entries = new Map<string, RoutedEntry>();
      for (const { route } of await routeTable.routeConfigs(request.caller!.orgId)) {
        for (const configured of route.deployments) {
          const deployment = routedOf(configured);
          // One entry per deployment id and upstream: the same deployment may serve several routes.
          const key = `${deployment.id}\u0000${deployment.provider}\u0000${deployment.baseUrl ?? ''}\u0000${deployment.model}`;
          const entry = entries.get(key) ?? { deployment, routes: [] };
          if (!entry.routes.includes(route.model)) entry.routes.push(route.model);
          entries.set(key, entry);
        }
      }

      let snapshots: BreakerSnapshot[];
      try {
        snapshots = await Promise.all(
          [...entries.values()].map((entry) =>
            router.snapshot(request.caller!.orgId, entry.deployment),
          ),
        );
      } catch (error) {
        request.log.warn({ err: error }, 'circuit breaker state could not be read');
        throw new ApiError(
          'store_unavailable',
          'the hot-state store holding circuit breaker state is unreachable; retry later',
        );
      }
      const healthById = new Map(
        router.health(request.caller!.orgId).map((health) => [health.candidateId, health]),
      );

      const deployments = [...entries.values()].map(({ deployment, routes }, index) => ({
        id: deployment.id,
        provider: deployment.provider,
        model: deployment.model,
        routes,
        breaker: presentBreaker(snapshots[index]!),
        calls: presentCalls(healthById.get(deployment.id)),
      }));
      deployments.sort((a, b) => a.id.localeCompare(b.id) || a.model.localeCompare(b.model));
      return { deployments };
    },
  );
}
