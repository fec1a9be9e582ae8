import { startScriptedUpstream } from './scripted-upstream';
import type { ScriptedUpstream, WireFormat } from './scripted-upstream';

/**
 * Gemini's wire format with `alt=sse`: `data: <json>` events separated by
 * `\r\n\r\n`. Its 429 carries no Retry-After header, only a RetryInfo detail.
 */
export const geminiWire: WireFormat = {
  provider: 'gemini',
  frame: (data) => `data: ${data}\r\n\r\n`,
  rateLimitRetryAfterMs: 17_000,
  fixtures: {
    text: { json: 'generate-text' },
    tool: { json: 'generate-tool' },
    'text-stream': { chunks: 'generate-text' },
    'tool-stream': { chunks: 'generate-tool' },
    embeddings: { json: 'batch-embed' },
    'server-error': { json: 'error-server', status: 500 },
    'rate-limited': { json: 'error-rate-limit', status: 429 },
    'context-window': { json: 'error-context-window', status: 400 },
    'bad-request': { json: 'error-bad-request', status: 400 },
  },
};

export function startGeminiUpstream(): Promise<ScriptedUpstream> {
  return startScriptedUpstream(geminiWire);
}
