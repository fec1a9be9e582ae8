/**
 * Support for the gateway's failure tests: the `prompt_call` event a call
 * left, read back through the read API as a user would, and the order in
 * which requests reached the loopback upstreams.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoopbackUpstream, RecordedRequest } from '../helpers/upstreams/loopback-upstream';

/** The fields of a stored `prompt_call` event these tests look at. */
export interface PromptCallEvent {
  request_id: string;
  run_id: string;
  status: string;
  provider: string;
  model: string;
  model_requested: string;
  attempts: number;
  providers_tried: string[];
  error_message: string;
  input: string;
  output: string;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
  service_tier: string;
  estimated_usage: string[];
  image_count: number;
  operation: string;
  cost_unpriced: boolean;
  cost_nanos: number;
  latency_ms: number;
  ttft_ms: number;
}

/** Where to read events: a server's base URL and a key with the read scope. */
export interface EventReader {
  url: string;
  key: string;
}

/** A request id of our own, sent as `x-request-id`: the gateway keeps it and records the call under it. */
export function newRequestId(label: string): string {
  return `${label}-${randomUUID()}`;
}

async function listPromptCalls(source: EventReader, query = ''): Promise<PromptCallEvent[]> {
  const response = await fetch(
    `${source.url}/api/v1/events?event_type=prompt_call&limit=1000${query}`,
    { headers: { authorization: `Bearer ${source.key}` } },
  );
  if (!response.ok)
    throw new Error(`GET /api/v1/events: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { events: PromptCallEvent[] }).events;
}

/**
 * The one `prompt_call` event of a call. Recording is asynchronous (the
 * answer never waits for the store), so this polls briefly; it fails when the
 * call left none in time, or more than one.
 */
export async function promptCallOf(
  source: EventReader,
  requestId: string,
  timeoutMs = 10_000,
): Promise<PromptCallEvent> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    // The run id is the request id when the caller sends no run header.
    const events = (
      await listPromptCalls(source, `&run_id=${encodeURIComponent(requestId)}`)
    ).filter((event) => event.request_id === requestId);
    if (events.length > 1) throw new Error(`${events.length} prompt_call events for ${requestId}`);
    if (events[0]) return events[0];
    if (Date.now() > giveUpAt) {
      throw new Error(`no prompt_call event for ${requestId} within ${timeoutMs} ms`);
    }
    await sleep(50);
  }
}

/** How many `prompt_call` events each request id has, over everything the server recorded. */
export async function promptCallCounts(source: EventReader): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const event of await listPromptCalls(source)) {
    counts.set(event.request_id, (counts.get(event.request_id) ?? 0) + 1);
  }
  return counts;
}

export interface Arrival {
  upstream: string;
  /** `performance.now()` when the request had fully arrived. */
  at: number;
  request: RecordedRequest;
}

/**
 * Which upstream received each request, in order, and when: the loopback
 * upstreams each keep their own list, this interleaves them.
 */
export class ArrivalLog {
  readonly arrivals: Arrival[] = [];

  constructor(upstreams: Record<string, Pick<LoopbackUpstream, 'requests'>>) {
    for (const [name, upstream] of Object.entries(upstreams)) {
      const requests = upstream.requests;
      Object.defineProperty(requests, 'push', {
        value: (...added: RecordedRequest[]) => {
          for (const request of added)
            this.arrivals.push({ upstream: name, at: performance.now(), request });
          return Array.prototype.push.apply(requests, added);
        },
      });
    }
  }

  /** The upstream of every request so far, in arrival order. */
  order(): string[] {
    return this.arrivals.map((arrival) => arrival.upstream);
  }

  /** Milliseconds between consecutive arrivals. */
  gaps(): number[] {
    return this.arrivals.slice(1).map((arrival, index) => arrival.at - this.arrivals[index]!.at);
  }

  clear(): void {
    this.arrivals.length = 0;
  }
}

export type StalledStreamUpstream = Pick<LoopbackUpstream, 'url' | 'requests' | 'close'>;

/**
 * An upstream that answers every request with a 200 and the headers of an
 * event stream, then never sends a byte of it: a stream that stalls before its
 * first chunk (the scripted upstreams can hang only before the headers).
 */
export async function startStalledStreamUpstream(): Promise<StalledStreamUpstream> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
        json: undefined,
      });
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.flushHeaders();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
