import { UpstreamError } from '@tollgate/core';
import { reasonFromStatus } from '../provider-error-spec';
import type { SimulatedOptions } from './simulated-options';

/**
 * A simulated failure, drawn with the deployment's `errorRate`: an HTTP error
 * with `errorStatus`, an OpenAI-style body, and `retryAfterMs` if configured.
 */
export function simulatedFailure(
  options: SimulatedOptions,
  random: () => number,
): UpstreamError | undefined {
  if (options.errorRate === 0 || random() >= options.errorRate) return undefined;
  const status = options.errorStatus;
  const message = `Simulated failure (HTTP ${status}, errorRate ${options.errorRate})`;
  return new UpstreamError({
    kind: 'http',
    provider: 'simulated',
    status,
    body: JSON.stringify({
      error: { message, type: 'simulated_error', param: null, code: String(status) },
    }),
    message: `simulated HTTP ${status}: ${message}`,
    reason: reasonFromStatus(status),
    retryAfterMs: options.retryAfterMs,
  });
}
