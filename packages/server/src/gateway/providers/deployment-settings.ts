import type { Deployment } from '@tollgate/core';

/** The deployment's key; a deployment without one is a configuration mistake, said plainly. */
export function requireApiKey(deployment: Deployment): string {
  if (!deployment.apiKey) {
    throw new Error(`Deployment '${deployment.id}' (${deployment.provider}) has no apiKey`);
  }
  return deployment.apiKey;
}

/** The deployment's base URL, required by providers with no public default. */
export function requireBaseUrl(deployment: Deployment, example: string): string {
  if (!deployment.baseUrl) {
    throw new Error(
      `Deployment '${deployment.id}' (${deployment.provider}) needs a baseUrl such as ${example}`,
    );
  }
  return deployment.baseUrl;
}

/** A positive integer option from `deployment.options`, or the fallback. */
export function positiveIntegerOption(
  deployment: Deployment,
  name: string,
  fallback: number,
): number {
  const value = deployment.options?.[name];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}
