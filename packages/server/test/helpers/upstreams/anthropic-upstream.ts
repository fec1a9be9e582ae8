import { startScriptedUpstream } from './scripted-upstream';
import type { ScriptedUpstream, WireFormat } from './scripted-upstream';

/** Anthropic's wire format: every event named (`event: <type>`) after the `type` in its data. */
export const anthropicWire: WireFormat = {
  provider: 'anthropic',
  frame: (data) => `event: ${(JSON.parse(data) as { type: string }).type}\ndata: ${data}\n\n`,
  rateLimitRetryAfterMs: 7000,
  fixtures: {
    text: { json: 'messages-text' },
    tool: { json: 'messages-tool' },
    'text-stream': { chunks: 'messages-text' },
    'tool-stream': { chunks: 'messages-tool' },
    'server-error': { json: 'error-server', status: 500 },
    'rate-limited': { json: 'error-rate-limit', status: 429, headers: { 'retry-after': '7' } },
    'context-window': { json: 'error-context-window', status: 400 },
    'content-policy': { json: 'error-content-policy', status: 400 },
    'bad-request': { json: 'error-bad-request', status: 400 },
    'stream-error': { chunks: 'stream-error' },
  },
};

export function startAnthropicUpstream(): Promise<ScriptedUpstream> {
  return startScriptedUpstream(anthropicWire);
}
