import type { GatewayProvider } from '@tollgate/core';
import { requireBaseUrl } from '../deployment-settings';
import { createOpenAIWireProvider } from '../openai/openai-provider';
import { joinUrl } from '../upstream-http';
import type { HttpTransport } from '../upstream-http';
import { openAICompatibleErrorSpec } from './openai-compatible-error';

/**
 * Any server speaking OpenAI's wire format at its own base URL, `/v1`
 * included (vLLM `http://host:8000/v1`, Ollama `http://localhost:11434/v1`,
 * Groq `https://api.groq.com/openai/v1`, Together `https://api.together.xyz/v1`).
 * The key is optional: local servers usually need none.
 */
export function createOpenAICompatibleProvider(transport: HttpTransport): GatewayProvider {
  return createOpenAIWireProvider(transport, {
    name: 'openai-compatible',
    url: (deployment, operation) =>
      joinUrl(requireBaseUrl(deployment, 'http://localhost:11434/v1'), operation),
    headers: (deployment): Record<string, string> =>
      deployment.apiKey ? { authorization: `Bearer ${deployment.apiKey}` } : {},
    errorSpec: openAICompatibleErrorSpec,
    preferMaxCompletionTokens: false,
  });
}
