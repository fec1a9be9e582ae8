import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemoTraffic, type DemoSummary } from '../../src/demo/demo-traffic';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
let summary: DemoSummary;

interface Event {
  event_type: string;
  model_requested: string;
  status: string;
  run_id: string;
  attempts: number;
  simulated: boolean;
}

async function allEvents(): Promise<Event[]> {
  const events: Event[] = [];
  let cursor: string | null = null;
  do {
    const response = await server.request(
      `/api/v1/events?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    const page = (await response.json()) as { events: Event[]; next_cursor: string | null };
    events.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor);
  return events;
}

beforeAll(async () => {
  server = await startTestServer();
  summary = await runDemoTraffic({
    baseUrl: server.url,
    projectKey: server.tenant.projectKey,
    adminKey: server.tenant.adminKey,
    iterations: 60,
    concurrency: 4,
    seed: 7,
    log: () => undefined,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('tollgate demo', () => {
  it('records mixed traffic: several models, streams, failures, failovers and agent runs', async () => {
    let events: Event[] = [];
    for (let attempt = 0; attempt < 50; attempt += 1) {
      events = await allEvents();
      if (events.filter((event) => event.event_type === 'prompt_call').length >= summary.calls)
        break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const calls = events.filter((event) => event.event_type === 'prompt_call');
    expect(calls).toHaveLength(summary.calls);
    expect(summary.streamed).toBeGreaterThan(0);
    expect(new Set(calls.map((event) => event.model_requested)).size).toBeGreaterThanOrEqual(4);
    expect(calls.filter((event) => event.status === 'error').length).toBe(summary.failed);
    expect(summary.failed).toBeGreaterThan(0);
    expect(calls.some((event) => event.attempts > 1 && event.status === 'success')).toBe(true);
    expect(calls.every((event) => event.simulated)).toBe(true);
    const steps = events.filter((event) => event.event_type === 'agent_step');
    const tools = events.filter((event) => event.event_type === 'tool_call');
    expect(steps.length + tools.length).toBe(summary.events);
    const runId = steps[0]!.run_id;
    expect(calls.some((event) => event.run_id === runId)).toBe(true);
    const run = (await (await server.request(`/api/v1/runs/${runId}`)).json()) as {
      agent_steps: unknown[];
      tool_calls: unknown[];
      events: Array<{ event_type: string }>;
    };
    expect(run.agent_steps.length).toBeGreaterThanOrEqual(2);
    expect(run.tool_calls.length).toBe(run.agent_steps.length);
    expect(run.events.some((event) => event.event_type === 'prompt_call')).toBe(true);
  });
});
