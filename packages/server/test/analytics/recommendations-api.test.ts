import { calculateCost, formatUsdNanos, type TokenUsage } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, type TestTenant } from '../helpers/new-tenant';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Cost recommendations through the analytics API (issue 19, item 4): seeded
 * traffic that justifies each kind of recommendation gets it, with the exact
 * saving; traffic just outside the stated bounds gets none. Real server,
 * real embedded event store, budgets counted from the recorded calls.
 */
let server: TestServer;
let other: TestTenant;
const now = Date.now();
const from = new Date(now - 2 * 3_600_000).toISOString();
const to = new Date(now + 60_000).toISOString();
const windowMs = Date.parse(to) - Date.parse(from);
const secondsAgo = (seconds: number) => new Date(now - seconds * 1000).toISOString();

let sequence = 0;
const call = (fields: Record<string, unknown>) => {
  sequence += 1;
  return {
    event_type: 'prompt_call',
    provider: 'openai',
    model: 'gpt-4o',
    input_tokens: 1000,
    output_tokens: 200,
    latency_ms: 500,
    ts: secondsAgo(sequence),
    input: `document number ${sequence}`,
    output: 'A summary.',
    ...fields,
  };
};
const calls = (count: number, fields: (index: number) => Record<string, unknown>) =>
  Array.from({ length: count }, (_, index) => call(fields(index)));

const usage = { inputTokens: 1000, outputTokens: 200 };
const perCall = (model: string) => BigInt(calculateCost(model, usage).costNanos);

// A system prompt of about 1,500 tokens, sent unchanged before a question that varies.
const longSystem = {
  role: 'system',
  content: 'You answer questions about our product. '.repeat(150),
};
const shortSystem = { role: 'system', content: 'Be brief.' };
const asked = (system: object, index: number) => [
  system,
  { role: 'user', content: `Question number ${1000 + index}?` },
];
const minutesAgo = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
/** Calls at the given minutes after an hour ago, opening with `system`, 2000 input tokens each. */
const prefixed = (system: object, minutes: number[], fields: Record<string, unknown>) =>
  minutes.map((minute, index) =>
    call({
      input: asked(system, index),
      input_tokens: 2000,
      ts: minutesAgo(60 - minute),
      ...fields,
    }),
  );
/** The estimate the recommendation makes: the system message's share of the input's characters. */
const prefixTokens = Math.floor(
  (2000 * JSON.stringify(longSystem).length) / JSON.stringify(asked(longSystem, 0)).length,
);

interface Answer {
  bounds: Record<string, number>;
  recommendations: Array<Record<string, unknown> & { kind: string }>;
}

async function recommendations(key = server.tenant.adminKey): Promise<Answer> {
  const query = new URLSearchParams({ from, to });
  const response = await server.request(`/api/v1/analytics/recommendations?${query}`, { key });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Answer;
}

const ofKind = (answer: Answer, kind: string) =>
  answer.recommendations.filter((recommendation) => recommendation.kind === kind);

beforeAll(async () => {
  server = await startTestServer();
  other = await newTenant(server.app.stores.meta, 'other');
  // Budgets first: spend is counted as calls are recorded.
  // One budget per scope and period: a month's that the traffic below exhausts, a day's it never reaches.
  for (const [period, amount_usd] of [
    ['month', 0.001],
    ['day', 1_000_000],
  ] as const) {
    const response = await postJson(
      server,
      '/api/v1/admin/budgets',
      { scope: 'org', period, amount_usd },
      server.tenant.adminKey,
    );
    expect(response.status, await response.clone().text()).toBe(201);
  }
  const events = [
    // summarize: gpt-4o-mini as reliable and within 20 % of gpt-4o's p95 latency.
    ...calls(60, () => ({ prompt_name: 'summarize', model: 'gpt-4o' })),
    ...calls(60, () => ({ prompt_name: 'summarize', model: 'gpt-4o-mini', latency_ms: 590 })),
    // translate: gpt-4o-mini fails 5 of 60 (8.3 points worse): no recommendation.
    ...calls(60, () => ({ prompt_name: 'translate', model: 'gpt-4o' })),
    ...calls(60, (index) => ({
      prompt_name: 'translate',
      model: 'gpt-4o-mini',
      ...(index < 5 ? { status: 'error', error_message: 'bad output' } : {}),
    })),
    // classify: gpt-4o-mini 30 % slower at p95: no recommendation.
    ...calls(60, () => ({ prompt_name: 'classify', model: 'gpt-4o' })),
    ...calls(60, () => ({ prompt_name: 'classify', model: 'gpt-4o-mini', latency_ms: 650 })),
    // tag: too few calls to compare.
    ...calls(49, () => ({ prompt_name: 'tag', model: 'gpt-4o' })),
    ...calls(49, () => ({ prompt_name: 'tag', model: 'gpt-4o-mini' })),
    // The same question five times: four repeats a cache would have answered.
    ...calls(5, () => ({ model: 'gpt-4o-mini', input: 'What is 2+2?' })),
    // The same question once per model, and once failed: no repeat group.
    call({ model: 'gpt-4o', input: 'What is 3+3?' }),
    call({ model: 'gpt-4o-mini', input: 'What is 3+3?' }),
    call({ model: 'gpt-4o-mini', input: 'What is 3+3?', status: 'error', error_message: 'x' }),
    ...calls(3, () => ({ model: 'model-nobody-prices', provider: 'acme' })),
    // The long system prompt on claude-sonnet-4-6: 6 calls, the fifth 10 minutes after the fourth
    // (the cache has expired: a second write), so 4 cache reads and 2 writes.
    ...prefixed(longSystem, [0, 1, 2, 3, 13, 14], {
      prompt_name: 'support',
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
    }),
    // gpt-3.5-turbo lists no cache-read price: recommended, its saving unknown.
    ...prefixed(longSystem, [20, 21, 22], { provider: 'openai', model: 'gpt-3.5-turbo' }),
    // A short shared prompt: too short to cache.
    ...prefixed(shortSystem, [30, 31, 32, 33], { provider: 'openai', model: 'gpt-4o' }),
    // The long prompt already read from the cache by gpt-4o: nothing to suggest.
    ...prefixed(longSystem, [40, 41, 42, 43], { provider: 'openai', model: 'gpt-4o' }).map(
      (event, index) => (index === 0 ? event : { ...event, cached_tokens: 1792 }),
    ),
    // Only twice on gpt-4o-mini: below the calls needed.
    ...prefixed(longSystem, [50, 51], { provider: 'openai', model: 'gpt-4o-mini' }),
    // Caching already on for claude-3-5-haiku (each call wrote the prefix, none read it): nothing to suggest.
    ...prefixed(longSystem, [55, 56, 57], {
      provider: 'anthropic',
      model: 'claude-3-5-haiku',
      cache_write_5m_tokens: 1500,
    }),
  ];
  const response = await postJson(server, '/api/v1/events', events);
  // 200, not 207: every seeded event is stored (one out of range would leave a control untested).
  expect(response.status, await response.clone().text()).toBe(200);
  // Ingested calls reach the budget counters through the reconciler (as every
  // TOLLGATE_BUDGET_RECONCILE_MS); run it now rather than wait.
  await server.app.budgets.reconciler.reconcileAll();
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('GET /api/v1/analytics/recommendations', () => {
  it('states its bounds', async () => {
    const answer = await recommendations();
    expect(answer.bounds).toMatchObject({
      min_calls: 50,
      max_success_rate_drop_points: 2,
      max_p95_latency_increase: 0.2,
      month_days: 30,
    });
  });

  it('suggests the cheaper model only where it is as reliable and fast, with the exact saving', async () => {
    const cheaper = ofKind(await recommendations(), 'cheaper_model');
    expect(cheaper.map((item) => item.prompt_name)).toEqual(['summarize']);
    const [item] = cheaper;
    // The same 60 calls (1000 tokens in, 200 out each) priced as gpt-4o-mini calls.
    const repriced = perCall('gpt-4o-mini') * 60n;
    const saving = perCall('gpt-4o') * 60n - repriced;
    expect(saving).toBeGreaterThan(0n);
    const monthly = (saving * 30n * 86_400_000n * 2n + BigInt(windowMs)) / (BigInt(windowMs) * 2n);
    expect(item).toMatchObject({
      current_model: 'gpt-4o',
      suggested_model: 'gpt-4o-mini',
      saving_nanos: saving.toString(),
      monthly_saving_nanos: monthly.toString(),
      evidence: {
        current: { calls: 60, errors: 0, latency_p95_ms: 500 },
        suggested: { calls: 60, errors: 0, latency_p95_ms: 590 },
        repriced_cost_nanos: repriced.toString(),
      },
    });
    expect(item!.saving_usd).toBe(formatUsdNanos(saving));
  });

  it('counts identical requests a response cache would have served, with their cost', async () => {
    const repeated = ofKind(await recommendations(), 'repeated_requests');
    expect(repeated).toHaveLength(1);
    expect(repeated[0]).toMatchObject({
      model: 'gpt-4o-mini',
      input_sample: 'What is 2+2?',
      evidence: { identical_calls: 5, repeats: 4 },
      saving_nanos: (perCall('gpt-4o-mini') * 4n).toString(),
    });
  });

  it('finds a long shared prompt prefix prompt caching would discount, with the exact saving', async () => {
    const caching = ofKind(await recommendations(), 'prompt_caching');
    expect(caching.map((item) => item.model)).toEqual(['claude-sonnet-4-6', 'gpt-3.5-turbo']);
    const [found, unknown] = caching;
    expect(prefixTokens).toBeGreaterThanOrEqual(1024);
    // Priced at the org's price list, as a call of 2000 input tokens bills.
    const cost = (usage: Partial<TokenUsage>) =>
      BigInt(
        calculateCost('claude-sonnet-4-6', { inputTokens: 2000, outputTokens: 0, ...usage })
          .costNanos,
      );
    const read = cost({}) - cost({ cachedInputTokens: prefixTokens });
    const writePremium = cost({ cacheWrite5mTokens: prefixTokens }) - cost({});
    const saving = 4n * read - 2n * writePremium;
    // By hand: $3/M input, $0.30/M cache read, $3.75/M cache write per token, in nanos.
    expect(saving).toBe(BigInt(prefixTokens) * (4n * (3000n - 300n) - 2n * (3750n - 3000n)));
    const monthly = (saving * 30n * 86_400_000n * 2n + BigInt(windowMs)) / (BigInt(windowMs) * 2n);
    expect(found).toMatchObject({
      provider: 'anthropic',
      prompt_name: 'support',
      evidence: {
        calls: 6,
        distinct_inputs: 6,
        prefix_messages: 1,
        estimated_prefix_tokens: prefixTokens,
        cache_reads: 4,
        cache_writes: 2,
        first_seen: minutesAgo(60),
        last_seen: minutesAgo(46),
      },
      saving_nanos: saving.toString(),
      saving_usd: formatUsdNanos(saving),
      monthly_saving_nanos: monthly.toString(),
    });
    expect(String(found!.prefix_sample)).toContain('You answer questions about our product.');
    expect(unknown).toMatchObject({
      evidence: { calls: 3, cache_reads: 2 },
      saving_nanos: null,
      saving_usd: null,
      saving_unknown: 'gpt-3.5-turbo has no cache-read price in the price list',
    });
  });

  it('lists unpriced models', async () => {
    const unpriced = ofKind(await recommendations(), 'unpriced_model');
    expect(unpriced).toEqual([
      expect.objectContaining({
        model: 'model-nobody-prices',
        evidence: expect.objectContaining({ calls: 3 }),
      }),
    ]);
  });

  it('warns of a budget that runs out before its period ends, not of one that lasts', async () => {
    const budgets = ofKind(await recommendations(), 'budget_projection');
    expect(budgets).toHaveLength(1);
    expect(budgets[0]).toMatchObject({
      scope: 'org',
      period: 'month',
      exhausted: true,
      evidence: { amount_nanos: '1000000' },
    });
  });

  it("shows no other tenant's traffic", async () => {
    const answer = await recommendations(other.adminKey);
    expect(answer.recommendations).toEqual([]);
  });

  it('refuses a bad limit with a 400 naming it', async () => {
    const response = await server.request('/api/v1/analytics/recommendations?limit=0');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('limit');
  });
});
