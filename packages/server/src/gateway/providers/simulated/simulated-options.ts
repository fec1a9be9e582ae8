import type { Deployment } from '@tollgate/core';
import { z } from 'zod';

const milliseconds = z.number().min(0).max(600_000);

/**
 * `deployment.options` of a simulated deployment. Every field is optional;
 * the defaults answer at once, never fail, and write 16–256 tokens.
 */
export const simulatedOptionsSchema = z.looseObject({
  /** Wait before a (non-streamed) answer. */
  latencyMs: milliseconds.default(0),
  /** Up to this much more, at random, on every wait. */
  jitterMs: milliseconds.default(0),
  /** Wait before a stream's first chunk. Default: `latencyMs`. */
  timeToFirstTokenMs: milliseconds.optional(),
  /** Wait between stream chunks. */
  chunkIntervalMs: milliseconds.default(0),
  /** Probability in [0, 1] that a call fails with `errorStatus`. */
  errorRate: z.number().min(0).max(1).default(0),
  errorStatus: z.number().int().min(400).max(599).default(500),
  /** Retry-After a simulated failure carries (a 429 usually). */
  retryAfterMs: milliseconds.optional(),
  minOutputTokens: z.number().int().min(1).default(16),
  maxOutputTokens: z.number().int().min(1).default(256),
  /** Embedding size when the request names no `dimensions`. */
  embeddingDimensions: z.number().int().min(1).max(8192).default(1536),
  /** How long after its start a video job completes (it is `in_progress` until then). */
  videoJobMs: z.number().min(0).max(86_400_000).default(8_000),
  /** How a video job ends: `failed` to see a failed job followed and recorded. */
  videoOutcome: z.enum(['completed', 'failed']).default('completed'),
});

export type SimulatedOptions = z.infer<typeof simulatedOptionsSchema>;

const parsed = new WeakMap<Deployment, SimulatedOptions>();

/** The deployment's options, parsed once per deployment object; a bad option is a configuration error. */
export function simulatedOptionsOf(deployment: Deployment): SimulatedOptions {
  let options = parsed.get(deployment);
  if (options) return options;
  const result = simulatedOptionsSchema.safeParse(deployment.options ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `Deployment '${deployment.id}' (simulated) has an invalid option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
    );
  }
  options = result.data;
  if (options.maxOutputTokens < options.minOutputTokens)
    options.maxOutputTokens = options.minOutputTokens;
  parsed.set(deployment, options);
  return options;
}
