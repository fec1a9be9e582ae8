import { calculateCost } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, type TestTenant } from '../helpers/new-tenant';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

/**
 * End users and sessions through the analytics API (issue 19, item 2):
 * lists, one user's sessions and spend over time, one session's runs and
 * events in order, and the user, session, name and text filters of the
 * events and runs lists. Real server, real embedded event store.
 */
let server: TestServer;
let other: TestTenant;
const now = Date.now();
const minutesAgo = (minutes: number) => new Date(now - minutes * 60_000).toISOString();

/** gpt-4o-mini, 1000 in and 200 out: the server prices it from the catalogue. */
const call = (minutes: number, fields: Record<string, unknown>) => ({
  event_type: 'prompt_call',
  provider: 'openai',
  model: 'gpt-4o-mini',
  input_tokens: 1000,
  output_tokens: 200,
  latency_ms: 300,
  ts: minutesAgo(minutes),
  input: 'What is the weather in Paris?',
  output: 'Sunny.',
  ...fields,
});
const callCost = calculateCost('gpt-4o-mini', { inputTokens: 1000, outputTokens: 200 });

async function get<T>(path: string, key = server.tenant.projectKey): Promise<T> {
  const response = await server.request(path, { key });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
}

interface Activity {
  id: string;
  calls: number;
  errors: number;
  error_rate: number | null;
  input_tokens: number;
  output_tokens: number;
  cost_nanos: string;
  cost_usd: string;
  unpriced_calls: number;
  runs: number;
  sessions: number;
  user_id: string;
  first_seen: string;
  last_seen: string;
}

beforeAll(async () => {
  server = await startTestServer();
  const response = await postJson(server, '/api/v1/events', [
    // alice: two sessions; s-1 holds a run of two calls and a step, s-2 one failed call.
    call(50, { user_id: 'alice', session_id: 's-1', run_id: 'r-1', name: 'plan-trip' }),
    call(40, { user_id: 'alice', session_id: 's-1', run_id: 'r-1', name: 'book' }),
    {
      event_type: 'agent_step',
      user_id: 'alice',
      session_id: 's-1',
      run_id: 'r-1',
      step_number: 1,
      step_name: 'plan',
      ts: minutesAgo(45),
    },
    call(30, {
      user_id: 'alice',
      session_id: 's-2',
      run_id: 'r-2',
      status: 'error',
      error_message: 'upstream exploded',
      output: '',
    }),
    // bob: one unpriced call, no session.
    call(20, { user_id: 'bob', model: 'model-nobody-prices', input: 'Tell me about Lyon' }),
    // An event without a user is nobody's.
    call(10, {}),
  ]);
  expect(response.status).toBe(200);
  other = await newTenant(server.app.stores.meta, 'elsewhere');
  const elsewhere = await postJson(
    server,
    '/api/v1/events',
    [call(5, { user_id: 'alice', session_id: 's-1' })],
    other.projectKey,
  );
  expect(elsewhere.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('GET /api/v1/analytics/users', () => {
  it('lists end users with calls, tokens, exact cost, error rate and last seen', async () => {
    const { users } = await get<{ users: Activity[] }>('/api/v1/analytics/users');
    expect(users.map((user) => user.id)).toEqual(['bob', 'alice']);
    const alice = users.find((user) => user.id === 'alice')!;
    expect(alice).toMatchObject({
      calls: 3,
      errors: 1,
      error_rate: 0.3333,
      input_tokens: 3000,
      output_tokens: 600,
      unpriced_calls: 0,
      sessions: 2,
      runs: 2,
    });
    expect(alice.cost_nanos).toBe(String(3 * callCost.costNanos));
    expect(alice.cost_usd).toMatch(/^\d+\.\d+$/);
    expect(Date.parse(alice.last_seen)).toBe(Date.parse(minutesAgo(30)));
    const bob = users.find((user) => user.id === 'bob')!;
    // Unpriced is unknown, never $0: counted apart.
    expect(bob).toMatchObject({ calls: 1, unpriced_calls: 1, cost_nanos: '0' });
  });

  it('keeps the users with an event matching the filters', async () => {
    const byText = await get<{ users: Activity[] }>('/api/v1/analytics/users?q=LYON');
    expect(byText.users.map((user) => user.id)).toEqual(['bob']);
    const bySession = await get<{ users: Activity[] }>('/api/v1/analytics/users?session_id=s-2');
    expect(bySession.users.map((user) => user.id)).toEqual(['alice']);
  });

  it('reads only the caller’s tenant', async () => {
    const { users } = await get<{ users: Activity[] }>('/api/v1/analytics/users', other.projectKey);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ id: 'alice', calls: 1, sessions: 1 });
  });

  it('answers bad parameters with a 400 naming the field', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      [`q=${'x'.repeat(201)}`, 'q'],
      ['from=yesterday', 'from'],
    ]) {
      const response = await server.request(`/api/v1/analytics/users?${query}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.message).toContain(field);
    }
  });
});

describe('GET /api/v1/analytics/users/:userId', () => {
  it('shows the user’s totals, sessions and spend over time that sums to the total', async () => {
    const user = await get<{
      totals: Activity;
      sessions: Activity[];
      bucket: string;
      spend: { bucket: string; calls: number; cost_nanos: string }[];
    }>('/api/v1/analytics/users/alice');
    expect(user.totals.calls).toBe(3);
    expect(user.sessions.map((session) => session.id)).toEqual(['s-2', 's-1']);
    expect(user.sessions.find((session) => session.id === 's-1')).toMatchObject({
      calls: 2,
      runs: 1,
      user_id: 'alice',
    });
    expect(user.bucket).toBe('hour');
    const spent = user.spend.reduce((sum, bucket) => sum + BigInt(bucket.cost_nanos), 0n);
    expect(spent.toString()).toBe(user.totals.cost_nanos);
    expect(user.spend.reduce((sum, bucket) => sum + bucket.calls, 0)).toBe(3);
  });

  it('has no totals for a user without events in the range', async () => {
    const user = await get<{ totals: null; sessions: [] }>('/api/v1/analytics/users/nobody');
    expect(user.totals).toBeNull();
    expect(user.sessions).toEqual([]);
  });
});

describe('sessions', () => {
  it('lists sessions with their user', async () => {
    const { sessions } = await get<{ sessions: Activity[] }>(
      '/api/v1/analytics/sessions?user_id=alice',
    );
    expect(sessions.map((session) => [session.id, session.user_id, session.calls])).toEqual([
      ['s-2', 'alice', 1],
      ['s-1', 'alice', 2],
    ]);
    expect(sessions[0]!.error_rate).toBe(1);
  });

  it('shows a session’s runs and events in the order they happened', async () => {
    const session = await get<{
      totals: Activity;
      runs: { run_id: string; model_calls: number; cost_nanos: string }[];
      events: { event_type: string; name: string; ts: string }[];
    }>('/api/v1/analytics/sessions/s-1');
    expect(session.totals).toMatchObject({ calls: 2, events: 3 });
    expect(session.runs).toEqual([
      expect.objectContaining({
        run_id: 'r-1',
        model_calls: 2,
        cost_nanos: String(2 * callCost.costNanos),
      }),
    ]);
    expect(session.events.map((event) => event.event_type)).toEqual([
      'prompt_call',
      'agent_step',
      'prompt_call',
    ]);
    const times = session.events.map((event) => Date.parse(event.ts));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('filters of the events and runs lists', () => {
  it('filters events by session, name and free text', async () => {
    const bySession = await get<{ events: { session_id: string }[] }>(
      '/api/v1/events?session_id=s-1',
    );
    expect(bySession.events).toHaveLength(3);
    const byName = await get<{ events: { name: string }[] }>('/api/v1/events?name=book');
    expect(byName.events.map((event) => event.name)).toEqual(['book']);
    const byText = await get<{ events: { error_message: string }[] }>('/api/v1/events?q=EXPLODED');
    expect(byText.events.map((event) => event.error_message)).toEqual(['upstream exploded']);
    // A run's name: the events of the runs that have an event of that name.
    const byRunName = await get<{ events: { run_id: string }[] }>(
      '/api/v1/events?run_name=plan-trip',
    );
    expect(byRunName.events.map((event) => event.run_id)).toEqual(['r-1', 'r-1', 'r-1']);
  });

  it('keeps the runs with an event that matches, with their whole totals', async () => {
    const byName = await get<{ runs: { run_id: string; events: number }[] }>(
      '/api/v1/analytics/runs?name=plan-trip',
    );
    expect(byName.runs).toEqual([expect.objectContaining({ run_id: 'r-1', events: 3 })]);
    const byUser = await get<{ runs: { run_id: string }[] }>(
      '/api/v1/analytics/runs?user_id=alice&q=exploded',
    );
    expect(byUser.runs.map((run) => run.run_id)).toEqual(['r-2']);
    const bySession = await get<{ runs: { run_id: string }[] }>(
      '/api/v1/analytics/runs?session_id=s-1',
    );
    expect(bySession.runs.map((run) => run.run_id)).toEqual(['r-1']);
  });
});
