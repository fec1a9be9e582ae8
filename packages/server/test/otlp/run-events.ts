import { expect } from 'vitest';
import type { TestServer } from '../helpers/test-server';

export type ApiEvent = Record<string, unknown> & {
  event_id: string;
  event_type: string;
  name: string;
  parent_id: string;
  metadata: Record<string, unknown> & {
    span_id?: string;
    parent_span_id?: string;
    attributes?: Record<string, unknown>;
  };
};

/** Every event of a run, as `GET /api/v1/events?run_id=` lists them for `key`. */
export async function listRunEvents(
  server: TestServer,
  runId: string,
  key?: string,
): Promise<ApiEvent[]> {
  const response = await server.request(
    `/api/v1/events?run_id=${encodeURIComponent(runId)}&limit=1000`,
    { key },
  );
  expect(response.status).toBe(200);
  const page = (await response.json()) as { events: ApiEvent[] };
  return page.events;
}

/** The one event of `events` with this name. */
export function eventNamed(events: readonly ApiEvent[], name: string): ApiEvent {
  const matching = events.filter((event) => event.name === name);
  expect(matching, `one event named "${name}"`).toHaveLength(1);
  return matching[0]!;
}
