import type { AgentStepRow, EventRow, TenantScope, ToolCallRow } from '@tollgate/core';

/**
 * What the event store must answer, computed from the inserted rows in plain
 * JavaScript, independently of the store's SQL.
 */

export const newestFirst = (left: EventRow, right: EventRow): number =>
  left.ts === right.ts ? (left.event_id < right.event_id ? 1 : -1) : left.ts < right.ts ? 1 : -1;
export const oldestFirst = (left: EventRow, right: EventRow): number => -newestFirst(left, right);

export function inScope(scope: TenantScope) {
  return (row: EventRow): boolean =>
    row.org_id === scope.orgId &&
    (scope.projectId === undefined || row.project_id === scope.projectId);
}

/**
 * The band a p-quantile estimate must fall in: from the value one rank below
 * the exact quantile's position to the value one rank above. t-digest keeps
 * small groups as their own values and answers with one of them (the lower
 * median for an even count), so the band is tight; it also absorbs its Float32
 * rounding.
 */
function quantileBand(values: number[], p: number): [number, number] {
  const sorted = [...values].sort((left, right) => left - right);
  const position = (sorted.length - 1) * p;
  const below = sorted[Math.max(0, Math.floor(position) - 1)]!;
  const above = sorted[Math.min(sorted.length - 1, Math.ceil(position) + 1)]!;
  return [below - 0.01, above + 0.01];
}

/** What `summary` must answer, computed from the rows in JavaScript. */
export function expectedSummary(rows: EventRow[], key: (row: EventRow) => string) {
  const groups = new Map<string, EventRow[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return new Map(
    [...groups].map(([name, group]) => [
      name,
      {
        requests: group.length,
        errors: group.filter((row) => row.status !== 'success' && row.status !== 'cached').length,
        input_tokens: group.reduce((sum, row) => sum + row.input_tokens, 0),
        output_tokens: group.reduce((sum, row) => sum + row.output_tokens, 0),
        cost_nanos: group.reduce((sum, row) => sum + row.cost_nanos, 0),
        p50: quantileBand(
          group.map((row) => row.latency_ms),
          0.5,
        ),
      },
    ]),
  );
}

export function toAgentStepRow(row: EventRow): AgentStepRow {
  const { event_id, parent_id, run_id, ts, step_number, step_name, step_type } = row;
  const { status, latency_ms, input, output, error_message } = row;
  return {
    event_id,
    parent_id,
    run_id,
    ts,
    step_number,
    step_name,
    step_type,
    status,
    latency_ms,
    input,
    output,
    error_message,
  };
}

export function toToolCallRow(row: EventRow): ToolCallRow {
  const {
    event_id,
    parent_id,
    run_id,
    ts,
    tool_name,
    status,
    latency_ms,
    input,
    output,
    error_message,
  } = row;
  return {
    event_id,
    parent_id,
    run_id,
    ts,
    tool_name,
    status,
    latency_ms,
    input,
    output,
    error_message,
  };
}
