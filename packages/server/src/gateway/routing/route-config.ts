import { PROVIDER_NAMES } from '@tollgate/core';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const DAY_SECONDS = 86_400;

export const deploymentConfigSchema = z.strictObject({
  /** Unique within the route; defaults to `provider:model`. Names the circuit breaker. */
  id: z.string().min(1).max(128).optional(),
  provider: z.enum(PROVIDER_NAMES),
  /** The model name upstream (Azure: the deployment name). */
  model: z.string().min(1).max(256),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Name of a credential stored through the admin API (encrypted) in the caller's org. */
  credential: z.string().min(1).max(128).optional(),
  /** Name of an environment variable holding the API key. */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name')
    .optional(),
  apiVersion: z.string().max(64).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Lower is tried first. */
  priority: z.number().int().min(0).max(100).default(0),
  /** Share of traffic within its priority. */
  weight: z.number().min(0).max(1000).default(1),
  /** Per-attempt timeout. */
  timeoutMs: z.number().int().min(100).max(600_000).default(60_000),
  /** Retries on this deployment before failing over. */
  maxRetries: z.number().int().min(0).max(10).default(1),
  /** Provider-specific settings (e.g. the simulated provider's latency and error rate). */
  options: z.record(z.string(), z.unknown()).optional(),
});

export const routeConfigSchema = z.strictObject({
  /** The model name clients ask for. */
  model: z.string().min(1).max(256),
  deployments: z.array(deploymentConfigSchema).min(1).max(32),
  /** Response cache TTL; 0 turns the cache off for this route. */
  cacheTtlSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * DAY_SECONDS)
    .default(0),
  /** Model to try when every deployment refuses for context length or content policy. */
  fallbackModel: z.string().min(1).max(256).optional(),
  /** Overall deadline of one call, retries and failover included. */
  deadlineMs: z.number().int().min(100).max(900_000).default(120_000),
  /** Limits of this route per org, beside the key's, project's and org's own. */
  rateLimits: z
    .strictObject({
      requestsPerMinute: z.number().int().min(1).max(100_000_000).optional(),
      tokensPerMinute: z.number().int().min(1).max(10_000_000_000).optional(),
    })
    .optional(),
});

export const routesFileSchema = z.strictObject({ routes: z.array(routeConfigSchema) });

export type DeploymentConfig = z.output<typeof deploymentConfigSchema>;
export type RouteConfig = z.output<typeof routeConfigSchema>;

/** Reads a YAML or JSON routes file (`TOLLGATE_ROUTES`); a bad file stops start-up naming the field. */
export function loadRoutesFile(path: string): RouteConfig[] {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`TOLLGATE_ROUTES (${path}): ${(error as Error).message}`);
  }
  const parsed = routesFileSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`TOLLGATE_ROUTES (${path}): ${issue.path.join('.')}: ${issue.message}`);
  }
  const models = new Set<string>();
  for (const route of parsed.data.routes) {
    if (models.has(route.model))
      throw new Error(`TOLLGATE_ROUTES (${path}): model ${route.model} is routed twice`);
    models.add(route.model);
  }
  return parsed.data.routes;
}
