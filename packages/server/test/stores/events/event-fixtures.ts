import {
  buildEventRow,
  eventInputSchema,
  type EventBatch,
  type EventInput,
  type EventRow,
  type EventTenant,
  type TimeRange,
} from '@tollgate/core';

/**
 * A known set of events for the event store contract: two orgs, two projects
 * in the first (the second org reuses a project id and a run id, so only the
 * org tells them apart), every event type the store treats specially, equal
 * timestamps (the cursor must break ties by id), and a user id full of
 * characters that need escaping.
 */
export const HOUR = 3_600_000;
const MINUTE = 60_000;

export const TENANTS = {
  a1: { orgId: 'org_a', projectId: 'proj_1', retentionDays: 90 },
  a2: { orgId: 'org_a', projectId: 'proj_2', retentionDays: 90 },
  b1: { orgId: 'org_b', projectId: 'proj_1', retentionDays: 365 },
} as const satisfies Record<string, EventTenant>;

export const RUN_ID = 'run-1';
export const AWKWARD_USER_ID = 'o\'brien \\ "quoted"\ttab\nline {x:String} é ✓';

const MODELS = [
  { provider: 'openai', model: 'gpt-4o-mini' },
  { provider: 'anthropic', model: 'claude-3-5-haiku' },
  { provider: 'google', model: 'gemini-2.0-flash' },
] as const;
const STATUSES = [
  'success',
  'success',
  'error',
  'success',
  'cached',
  'timeout',
  'success',
  'rate_limited',
] as const;
const USERS = ['user-1', 'user-2', 'user-3', AWKWARD_USER_ID] as const;

export interface EventFixture {
  /** Start of the first hour holding events. */
  base: number;
  /** Covers every fixture event, in whole hours. */
  range: TimeRange;
  rows: EventRow[];
  batches: EventBatch[];
}

export function toBatch(id: string, rows: readonly EventRow[]): EventBatch {
  const text = rows.map((row) => JSON.stringify(row)).join('\n');
  return { id, rows: Buffer.from(`${text}\n`, 'utf8'), rowCount: rows.length };
}

export function buildRow(input: EventInput, tenant: EventTenant): EventRow {
  return buildEventRow(eventInputSchema.parse(input), tenant);
}

function promptCalls(tenant: EventTenant, base: number, count: number, offset: number): EventRow[] {
  return Array.from({ length: count }, (_, index) => {
    const i = index + offset;
    const { provider, model } = MODELS[i % MODELS.length]!;
    const status = STATUSES[i % STATUSES.length]!;
    // Every fifth event shares one millisecond with the others of its kind.
    const ts = i % 5 === 0 ? base + 15 * MINUTE : base + ((i * 7) % 170) * MINUTE + i;
    return buildRow(
      {
        event_type: 'prompt_call',
        ts,
        run_id: `run-${100 + (i % 4)}`,
        user_id: USERS[i % USERS.length],
        session_id: `session-${i % 3}`,
        request_id: `request-${i}`,
        name: i % 2 === 0 ? 'chat.answer' : 'chat.summarize',
        service: 'support-bot',
        env: 'test',
        tags: ['contract', `tag-${i % 2}`],
        status,
        latency_ms: 100 + ((i * 37) % 400) + 0.25,
        metadata: { feature: 'contract', index: i },
        provider,
        model,
        model_requested: model,
        input_tokens: 200 + i * 11,
        output_tokens: 50 + i * 3,
        cached_tokens: i % 3 === 0 ? 64 : 0,
        ...(i % 2 === 0 ? { cost_usd: 0.000_123 * (i + 1) } : {}),
        input: `What is ${i} + ${i}?`,
        output: status === 'success' || status === 'cached' ? `${2 * i}` : undefined,
        error_message:
          status === 'success' || status === 'cached' ? undefined : `upstream ${status}`,
        ttft_ms: 20 + i,
        prompt_name: 'answer',
        prompt_version: 1 + (i % 2),
        cache_hit: status === 'cached',
        attempts: 1 + (i % 2),
        providers_tried: i % 2 === 0 ? [provider] : [provider, 'openai'],
        simulated: true,
      },
      tenant,
    );
  });
}

/** An agent run: steps, tool calls, a model call and an error, a few seconds apart. */
function agentRun(tenant: EventTenant, start: number, steps: number): EventRow[] {
  const rows: EventRow[] = [];
  let at = start;
  for (let step = 1; step <= steps; step += 1) {
    rows.push(
      buildRow(
        {
          event_type: 'agent_step',
          ts: (at += 1_000),
          run_id: RUN_ID,
          step_number: step,
          step_name: step === 1 ? 'plan' : `act-${step}`,
          step_type: step === 1 ? 'planning' : 'action',
          latency_ms: 10 * step,
          input: { goal: 'answer', step },
          output: `step ${step} done`,
        },
        tenant,
      ),
    );
    rows.push(
      buildRow(
        {
          event_type: 'tool_call',
          ts: (at += 1_000),
          run_id: RUN_ID,
          tool_name: step % 2 === 0 ? 'fetch' : 'search',
          latency_ms: 5 * step,
          input: { query: `q${step}` },
          output: step === 2 ? undefined : `result ${step}`,
          status: step === 2 ? 'error' : 'success',
          error_message: step === 2 ? 'tool failed' : undefined,
        },
        tenant,
      ),
    );
  }
  rows.push(
    buildRow(
      {
        event_type: 'prompt_call',
        ts: (at += 1_000),
        run_id: RUN_ID,
        provider: 'openai',
        model: 'gpt-4o-mini',
        input_tokens: 1_000,
        output_tokens: 100,
        latency_ms: 900,
      },
      tenant,
    ),
  );
  rows.push(
    buildRow(
      {
        event_type: 'error',
        ts: (at += 1_000),
        run_id: RUN_ID,
        error_message: 'gave up',
        error_type: 'Agent',
      },
      tenant,
    ),
  );
  return rows;
}

function otherTypes(tenant: EventTenant, base: number): EventRow[] {
  return [
    buildRow(
      {
        event_type: 'guardrail',
        ts: base + 30 * MINUTE,
        action: 'block',
        score: 0.93,
        reference: 'secret-1',
        input: 'leak it',
        status: 'blocked',
      },
      tenant,
    ),
    buildRow(
      {
        event_type: 'ai_fallback',
        ts: base + 31 * MINUTE,
        service: 'billing',
        name: 'computeInvoice',
        decision: 'object',
        decision_latency_ms: 12.5,
        generation_latency_ms: 480,
        provider: 'openai',
        model: 'gpt-4o-mini',
        input_tokens: 300,
        output_tokens: 80,
      },
      tenant,
    ),
    buildRow(
      {
        event_type: 'cost_threshold_exceeded',
        ts: base + 32 * MINUTE,
        threshold: 10,
        value: 12.75,
      },
      tenant,
    ),
    buildRow(
      {
        event_type: 'custom',
        ts: base + 33 * MINUTE,
        name: 'deploy',
        metadata: { version: '1.2.3' },
      },
      tenant,
    ),
  ];
}

/** Three hours of events ending two hours ago, well inside every tenant's retention. */
export function buildEventFixture(now: number = Date.now()): EventFixture {
  const base = Math.floor(now / HOUR) * HOUR - 5 * HOUR;
  const rows = [
    ...promptCalls(TENANTS.a1, base, 60, 0),
    ...agentRun(TENANTS.a1, base + 40 * MINUTE, 3),
    ...otherTypes(TENANTS.a1, base),
    ...promptCalls(TENANTS.a2, base, 12, 1000),
    ...promptCalls(TENANTS.b1, base, 15, 2000),
    ...agentRun(TENANTS.b1, base + 40 * MINUTE, 1),
  ];
  const batches: EventBatch[] = [];
  for (let start = 0; start < rows.length; start += 25) {
    batches.push(toBatch(`fixture-${start / 25}`, rows.slice(start, start + 25)));
  }
  return { base, range: { from: base, to: base + 3 * HOUR }, rows, batches };
}
