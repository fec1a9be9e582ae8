/** Reading back what the SDK sent, through the server's read API as a user would. */
import type { TestServer } from '../helpers/test-server';

export interface StoredEvent {
  event_id: string;
  parent_id: string;
  run_id: string;
  request_id: string;
  user_id: string;
  event_type: string;
  name: string;
  service: string;
  status: string;
  operation: string;
  provider: string;
  model: string;
  model_requested: string;
  input: string;
  output: string;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_nanos: number;
  cost_usd: number;
  latency_ms: number;
  ttft_ms: number;
  tool_name: string;
  step_number: number;
  step_name: string;
  step_type: string;
  decision: string;
  decision_latency_ms: number;
  generation_latency_ms: number;
  error_message: string;
  tags: string[];
  metadata: Record<string, unknown>;
}

/** Every event matching `query` (e.g. `event_type=prompt_call`), all pages. */
export async function listEvents(server: TestServer, query = ''): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let cursor: string | null = null;
  do {
    const path: string = `/api/v1/events?limit=1000${query ? `&${query}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await server.request(path);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { events: StoredEvent[]; next_cursor: string | null };
    events.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor);
  return events;
}

/** Polls until `predicate` holds for the events (the writer commits asynchronously). */
export async function waitForEvents(
  server: TestServer,
  query: string,
  predicate: (events: StoredEvent[]) => boolean,
  timeoutMs = 10_000,
): Promise<StoredEvent[]> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const events = await listEvents(server, query);
    if (predicate(events)) return events;
    if (Date.now() > giveUpAt) {
      throw new Error(`events (${query}) did not arrive in time: have ${events.length}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A fetch that counts the events in each POST to /api/v1/events. */
export function countingFetch(): { fetch: typeof fetch; batches: number[] } {
  const batches: number[] = [];
  const counting: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.endsWith('/api/v1/events') && typeof init?.body === 'string') {
      batches.push((JSON.parse(init.body) as unknown[]).length);
    }
    return fetch(input, init);
  };
  return { fetch: counting, batches };
}

export { until } from '../helpers/poll';
