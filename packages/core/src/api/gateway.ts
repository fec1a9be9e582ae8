import { z } from 'zod';
import { isoTime } from './common';

/** `GET /api/v1/providers/health`: every deployment the org's routes use, its breaker and recent calls. */
export const ProvidersHealthResponse = z.object({
  deployments: z.array(
    z.object({
      id: z.string(),
      provider: z.string(),
      model: z.string(),
      /** The routes (by model name) that use the deployment. */
      routes: z.array(z.string()),
      /** The org's circuit breaker, shared by replicas. */
      breaker: z.object({
        state: z.enum(['closed', 'open', 'half-open']),
        /** Counted only while closed. */
        failures_in_window: z.number().nullable(),
        opened_at: isoTime.nullable(),
        next_attempt_at: isoTime.nullable(),
      }),
      /** The calls this server process made to it. */
      calls: z.object({
        successes: z.number(),
        failures: z.number(),
        error_rate: z.number().nullable(),
        last_latency_ms: z.number().nullable(),
        last_outcome: z.string().nullable(),
        last_attempt_at: isoTime.nullable(),
      }),
    }),
  ),
});

/** A provider credential as the admin API lists it: never the secret. */
export const CredentialResponse = z.object({
  name: z.string(),
  provider: z.string(),
  created_at: isoTime,
});

/** `GET /api/v1/admin/credentials`. */
export const CredentialsResponse = z.object({ credentials: z.array(CredentialResponse) });
