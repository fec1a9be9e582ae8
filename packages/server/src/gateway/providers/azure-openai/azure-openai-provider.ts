import type { Deployment, GatewayProvider } from '@tollgate/core';
import { requireApiKey, requireBaseUrl } from '../deployment-settings';
import { createOpenAIWireProvider } from '../openai/openai-provider';
import type { OpenAIOperation } from '../openai/openai-provider';
import { joinUrl } from '../upstream-http';
import type { HttpTransport } from '../upstream-http';
import { azureOpenAIErrorSpec } from './azure-openai-error';

/** The GA data-plane version; a deployment sets another with `apiVersion`. */
export const AZURE_OPENAI_DEFAULT_API_VERSION = '2024-10-21';

/**
 * Azure OpenAI: OpenAI's wire format at a per-resource URL naming the
 * deployment (`deployment.model`), authenticated by an `api-key` header.
 */
export function createAzureOpenAIProvider(transport: HttpTransport): GatewayProvider {
  return createOpenAIWireProvider(transport, {
    name: 'azure-openai',
    url: azureOpenAIUrl,
    headers: (deployment) => ({ 'api-key': requireApiKey(deployment) }),
    errorSpec: azureOpenAIErrorSpec,
    // Older api-versions refuse `max_completion_tokens`: send what the client sent.
    preferMaxCompletionTokens: false,
  });
}

/** `{baseUrl}/openai/deployments/{deployment}/{operation}?api-version=…` */
export function azureOpenAIUrl(deployment: Deployment, operation: OpenAIOperation): string {
  const path = `openai/deployments/${encodeURIComponent(deployment.model)}/${operation}`;
  const apiVersion = encodeURIComponent(deployment.apiVersion ?? AZURE_OPENAI_DEFAULT_API_VERSION);
  return `${joinUrl(requireBaseUrl(deployment, 'https://NAME.openai.azure.com'), path)}?api-version=${apiVersion}`;
}
