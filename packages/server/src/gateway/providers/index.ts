import { PROVIDER_NAMES } from '@tollgate/core';
import type { GatewayProvider, ProviderName } from '@tollgate/core';
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import { createAnthropicProvider } from './anthropic/anthropic-provider';
import { createAzureOpenAIProvider } from './azure-openai/azure-openai-provider';
import { createGeminiProvider } from './gemini/gemini-provider';
import { createOpenAICompatibleProvider } from './openai-compatible/openai-compatible-provider';
import { createOpenAIProvider } from './openai/openai-provider';
import { createSimulatedProvider } from './simulated/simulated-provider';

export interface ProviderDependencies {
  /** The keep-alive pool for upstream HTTP; default: undici's global dispatcher. */
  dispatcher?: Dispatcher;
  /** Milliseconds since the epoch, for `created` and Retry-After dates. */
  now?: () => number;
  /** The simulated provider's failure and jitter draws. */
  random?: () => number;
}

/** The one place that branches on which provider it is (STYLE 7). */
export function createProvider(
  name: ProviderName,
  dependencies: ProviderDependencies = {},
): GatewayProvider {
  const now = dependencies.now ?? Date.now;
  const transport = { dispatcher: dependencies.dispatcher, now };
  switch (name) {
    case 'openai':
      return createOpenAIProvider(transport);
    case 'azure-openai':
      return createAzureOpenAIProvider(transport);
    case 'openai-compatible':
      return createOpenAICompatibleProvider(transport);
    case 'anthropic':
      return createAnthropicProvider(transport);
    case 'gemini':
      return createGeminiProvider(transport);
    case 'simulated':
      return createSimulatedProvider({ now, random: dependencies.random ?? Math.random });
    default: {
      const unexpected: never = name;
      throw new Error(`Unknown provider '${String(unexpected)}'`);
    }
  }
}

/** Every provider, built once and sharing one dispatcher; look one up by `deployment.provider`. */
export function createProviders(
  dependencies: ProviderDependencies = {},
): Record<ProviderName, GatewayProvider> {
  return Object.fromEntries(
    PROVIDER_NAMES.map((name) => [name, createProvider(name, dependencies)]),
  ) as Record<ProviderName, GatewayProvider>;
}

/**
 * A keep-alive connection pool for upstream calls. Create one per process,
 * pass it to `createProviders`, and `close()` it at shutdown.
 */
export function createUpstreamDispatcher(): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connect: { timeout: 10_000 },
  });
}
