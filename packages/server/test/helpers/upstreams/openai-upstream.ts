import { startScriptedUpstream } from './scripted-upstream';
import type { ScriptedUpstream, WireFormat } from './scripted-upstream';

/** OpenAI's wire format: `data: <json>` events, the last one `data: [DONE]`. */
export function openAIWire(provider: 'openai' | 'azure-openai' | 'openai-compatible'): WireFormat {
  const rateLimitHeaders: Record<string, string> =
    provider === 'openai'
      ? { 'retry-after': '7', 'retry-after-ms': '6500' }
      : { 'retry-after': '6' };
  return {
    provider,
    frame: (data) => `data: ${data}\n\n`,
    rateLimitRetryAfterMs: provider === 'openai' ? 6500 : 6000,
    fixtures: {
      text: { json: 'chat-text' },
      tool: { json: 'chat-tool' },
      'text-stream': { chunks: 'chat-text' },
      'tool-stream': { chunks: 'chat-tool' },
      embeddings: { json: 'embeddings' },
      'server-error': { json: 'error-server', status: 500 },
      'rate-limited': { json: 'error-rate-limit', status: 429, headers: rateLimitHeaders },
      'context-window': { json: 'error-context-window', status: 400 },
      'content-policy': { json: 'error-content-policy', status: 400 },
      'bad-request': {
        json: 'error-bad-request',
        status: provider === 'openai-compatible' ? 422 : 400,
      },
      ...(provider === 'openai' ? { 'stream-error': { chunks: 'stream-error' } } : {}),
    },
  };
}

export function startOpenAIUpstream(
  provider: 'openai' | 'azure-openai' | 'openai-compatible' = 'openai',
): Promise<ScriptedUpstream> {
  return startScriptedUpstream(openAIWire(provider));
}
