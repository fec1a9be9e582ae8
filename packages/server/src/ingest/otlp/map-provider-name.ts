/**
 * One provider name for the many ways instrumentations spell it, so that spend
 * by provider adds up: the AI SDK's `openai.chat` / `openai.responses`,
 * OpenTelemetry's `az.ai.openai` or `gcp.gemini`, OpenInference's `OPENAI`…
 * Names are the gateway's provider names where one exists (`openai`,
 * `anthropic`, `gemini`, `azure-openai`). Fallback: the lower-cased name up to
 * its first dot, so `mistral.chat` is `mistral` and `groq` stays `groq`.
 */
export function mapProviderName(name: string | undefined): string | undefined {
  const lower = name?.trim().toLowerCase();
  if (!lower) return undefined;
  switch (lower) {
    case 'az.ai.openai':
    case 'azure.ai.openai':
    case 'azure_openai':
    case 'azure-openai':
    case 'azure':
      return 'azure-openai';
    case 'gcp.gemini':
    case 'gcp.gen_ai':
    case 'gcp.vertex_ai':
    case 'vertex_ai':
    case 'vertexai':
    case 'google':
    case 'google.generative-ai':
    case 'google.vertex':
    case 'gemini':
      return 'gemini';
    case 'aws.bedrock':
    case 'amazon-bedrock':
    case 'bedrock':
      return 'bedrock';
    case 'az.ai.inference':
    case 'azure.ai.inference':
      return 'azure-ai-inference';
    default:
      break;
  }
  if (lower.startsWith('azure.') || lower.startsWith('azure-openai.')) return 'azure-openai';
  if (lower.startsWith('google.') || lower.startsWith('vertex.')) return 'gemini';
  if (lower.startsWith('amazon-bedrock.')) return 'bedrock';
  return lower.split('.')[0];
}
