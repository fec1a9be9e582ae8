import {
  buildEventRow,
  eventInputSchema,
  type EventBatch,
  type EventRow,
  type EventTenant,
} from '@tollgate/core';

/**
 * Seed events with known totals for the analytics tests. Everything the
 * tests expect is computed again from these rows in plain TypeScript
 * (`sumCost`, `where`...), independently of the SQL under test.
 */
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
const MINUTE = 60_000;

/** Midnight UTC three days ago: recent enough for every retention TTL. */
export function fixtureBase(now = Date.now()): number {
  return now - (now % DAY) - 3 * DAY;
}

const MODELS = [
  { provider: 'openai', model: 'gpt-4o-mini' },
  { provider: 'anthropic', model: 'claude-3-5-haiku' },
  { provider: 'openai', model: 'text-embedding-3-small' },
] as const;
const SERVICES = ['billing', 'search', 'support'] as const;
const METHODS = ['summarize', 'classify'] as const;

function row(input: Record<string, unknown>, tenant: EventTenant): EventRow {
  return buildEventRow(eventInputSchema.parse(input), tenant);
}

/** `count` model calls (and agent steps, tool calls, AI fallbacks) for each tenant, over two days. */
export function buildAnalyticsRows(base: number, tenants: readonly EventTenant[]): EventRow[] {
  const rows: EventRow[] = [];
  for (const [tenantIndex, tenant] of tenants.entries()) {
    for (let index = 0; index < 120; index += 1) {
      const model = MODELS[index % 3]!;
      const failing = index % 8 === 2;
      const timeout = !failing && index % 13 === 0;
      rows.push(
        row(
          {
            event_type: 'prompt_call',
            ts: base + (index % 48) * HOUR + ((index * 7) % 60) * MINUTE,
            run_id: `run-${tenantIndex}-${index % 6}`,
            user_id: `user-${index % 4}`,
            service: SERVICES[index % 3],
            name: METHODS[index % 2],
            provider: model.provider,
            model: model.model,
            operation:
              model.model === 'text-embedding-3-small'
                ? 'embedding'
                : index % 11 === 0
                  ? 'image'
                  : 'chat',
            input_tokens: 100 + index,
            output_tokens: 10 + (index % 9),
            // Amounts no binary float holds exactly; their sum must still be exact.
            cost_usd: ((index % 7) + 1) * 0.1 + 0.000000001 * tenantIndex,
            latency_ms: 100 + (index % 10) * 10,
            ttft_ms: index % 4 === 0 ? 40 + (index % 5) : undefined,
            status: failing ? 'error' : timeout ? 'timeout' : 'success',
            error_message: failing
              ? `upstream failed ${index % 3}`
              : timeout
                ? 'deadline exceeded'
                : undefined,
          },
          tenant,
        ),
      );
    }
    for (let run = 0; run < 6; run += 1) {
      const ts = base + run * HOUR + 30 * MINUTE;
      rows.push(
        row(
          {
            event_type: 'agent_step',
            ts,
            run_id: `run-${tenantIndex}-${run}`,
            step_number: 1,
            step_name: 'plan',
          },
          tenant,
        ),
        row(
          {
            event_type: 'tool_call',
            ts: ts + 1000,
            run_id: `run-${tenantIndex}-${run}`,
            tool_name: 'search',
            latency_ms: 250,
          },
          tenant,
        ),
      );
    }
    const fallbacks = [
      ...Array.from({ length: 7 }, (_, index) => ({ method: 'lookupCustomer', ok: true, index })),
      ...Array.from({ length: 3 }, (_, index) => ({
        method: 'formatInvoice',
        ok: index !== 2,
        index,
      })),
    ];
    for (const [index, fallback] of fallbacks.entries()) {
      rows.push(
        row(
          {
            event_type: 'ai_fallback',
            ts: base + 2 * HOUR + index * MINUTE,
            service: 'crm',
            name: fallback.method,
            model: 'gpt-4o-mini',
            decision: index % 2 === 0 ? 'object' : 'text',
            input: JSON.stringify([{ id: fallback.index % 2 === 0 ? 'c-1' : 'c-2' }]),
            cost_usd: 0.25,
            latency_ms: 500 + index * 10,
            status: fallback.ok ? 'success' : 'error',
            error_message: fallback.ok ? undefined : 'model refused',
          },
          tenant,
        ),
      );
    }
  }
  return rows;
}

export function toBatch(id: string, rows: readonly EventRow[]): EventBatch {
  const text = rows.map((each) => JSON.stringify(each)).join('\n');
  return { id, rows: Buffer.from(`${text}\n`, 'utf8'), rowCount: rows.length };
}

export const eventTime = (event: EventRow) => Date.parse(`${event.ts.replace(' ', 'T')}Z`);

/** Rows of a tenant (a project when given) with a time in [from, to). */
export function where(
  rows: readonly EventRow[],
  scope: { orgId: string; projectId?: string },
  range: { from: number; to: number },
  predicate: (event: EventRow) => boolean = () => true,
): EventRow[] {
  return rows.filter(
    (event) =>
      event.org_id === scope.orgId &&
      (scope.projectId === undefined || event.project_id === scope.projectId) &&
      eventTime(event) >= range.from &&
      eventTime(event) < range.to &&
      predicate(event),
  );
}

export const sumCost = (rows: readonly EventRow[]) =>
  rows.reduce((sum, event) => sum + BigInt(event.cost_nanos), 0n);

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return groups;
}

export const isFailure = (event: EventRow) =>
  event.status !== 'success' && event.status !== 'cached';

/** Nearest-rank quantile, to compare with the engine's t-digest estimate within a tolerance. */
export function quantileOf(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
