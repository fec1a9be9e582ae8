/**
 * A loopback upstream that speaks one provider's wire format: tests script a
 * scenario by name and the upstream answers the next request with the
 * provider's recorded fixture for it, framed the way that provider frames SSE.
 */
import type { ProviderName } from '@tollgate/core';
import { chunkFixture, jsonFixture } from './fixtures';
import { startLoopbackUpstream } from './loopback-upstream';
import type { LoopbackUpstream, UpstreamReply } from './loopback-upstream';

export type Scenario =
  | 'text'
  | 'tool'
  | 'text-stream'
  | 'tool-stream'
  | 'embeddings'
  | 'server-error'
  | 'rate-limited'
  | 'context-window'
  | 'content-policy'
  | 'bad-request'
  /** An `error` the provider sends inside a stream that had started. */
  | 'stream-error'
  /** The text stream, cut in the middle of an event. */
  | 'cut-stream'
  | 'hang'
  | 'reset';

/** Where a scenario's fixture is: a `.json` answered with a status, or a `.chunks.txt` streamed. */
export type ScenarioFixture =
  | { json: string; status?: number; headers?: Record<string, string> }
  | { chunks: string; headers?: Record<string, string> };

export interface WireFormat {
  provider: ProviderName;
  /** Frames one data payload as the provider's SSE event. */
  frame(data: string): string;
  fixtures: Partial<Record<Scenario, ScenarioFixture>>;
  /** The wait the 'rate-limited' fixture asks for. */
  rateLimitRetryAfterMs: number;
}

export interface ScriptedUpstream extends LoopbackUpstream {
  readonly wire: WireFormat;
  /** Queues the reply for the next request. */
  script(scenario: Scenario): void;
  supports(scenario: Scenario): boolean;
}

export async function startScriptedUpstream(wire: WireFormat): Promise<ScriptedUpstream> {
  const upstream = await startLoopbackUpstream();
  return Object.assign(upstream, {
    wire,
    supports: (scenario: Scenario) =>
      scenario === 'hang' ||
      scenario === 'reset' ||
      scenario === 'cut-stream' ||
      scenario in wire.fixtures,
    script: (scenario: Scenario) => upstream.reply(replyFor(wire, scenario)),
  });
}

export function replyFor(wire: WireFormat, scenario: Scenario): UpstreamReply {
  if (scenario === 'hang') return { type: 'hang' };
  if (scenario === 'reset') return { type: 'reset' };
  if (scenario === 'cut-stream') {
    const streamed = replyFor(wire, 'text-stream');
    if (streamed.type !== 'sse') throw new Error('the text-stream fixture is not a stream');
    return { ...streamed, cutAfter: Math.max(1, Math.floor(streamed.events.length / 2)) };
  }
  const fixture = wire.fixtures[scenario];
  if (!fixture) throw new Error(`${wire.provider} has no fixture for '${scenario}'`);
  if ('chunks' in fixture) {
    return {
      type: 'sse',
      events: chunkFixture(wire.provider, fixture.chunks).map((data) => wire.frame(data)),
      headers: fixture.headers,
    };
  }
  return {
    type: 'json',
    status: fixture.status ?? 200,
    body: jsonFixture(wire.provider, fixture.json),
    headers: fixture.headers,
  };
}

/** The text stream's first `events` events, then nothing while the connection stays open. */
export function stallingReply(wire: WireFormat, events: number): UpstreamReply {
  const streamed = replyFor(wire, 'text-stream');
  if (streamed.type !== 'sse') throw new Error('the text-stream fixture is not a stream');
  return { ...streamed, stallAfter: events };
}
