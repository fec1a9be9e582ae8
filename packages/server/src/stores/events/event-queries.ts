import {
  EVENT_COLUMNS,
  eventTimeFromId,
  type EventFilter,
  type SummaryGroup,
  type TenantScope,
  type TimeRange,
} from '@tollgate/core';
import type { QueryParameters, QueryParameterValue } from './driver';
import { EventStoreError } from './event-store-error';
import { hourlyRollupFrom } from './rollup-range';
import { LATENCY_QUANTILES } from './schema';
import type { EventCursor } from './cursor';

/**
 * The SQL of every read, shared by both engines. Values only ever travel as
 * `{name:Type}` parameters; the SQL text is assembled from the fixed fragments
 * below (a filter present or not, a group-by column from a fixed map), never
 * from input.
 */
export interface Statement {
  sql: string;
  parameters: QueryParameters;
}

/** The largest page `listEvents` returns. */
export const MAX_PAGE_SIZE = 1000;

const EVENT_SELECT = Object.keys(EVENT_COLUMNS).join(', ');

const TOOL_CALL_SELECT = [
  'event_id',
  'parent_id',
  'run_id',
  'ts',
  'tool_name',
  'status',
  'latency_ms',
  'input',
  'output',
  'error_message',
].join(', ');

const AGENT_STEP_SELECT = [
  'event_id',
  'parent_id',
  'run_id',
  'ts',
  'step_number',
  'step_name',
  'step_type',
  'status',
  'latency_ms',
  'input',
  'output',
  'error_message',
].join(', ');

/** Conditions and their parameters, joined with AND. */
export class Conditions {
  private readonly clauses: string[] = [];
  readonly parameters: Record<string, QueryParameterValue> = {};

  add(clause: string, parameters: Record<string, QueryParameterValue> = {}): this {
    this.clauses.push(clause);
    Object.assign(this.parameters, parameters);
    return this;
  }

  get sql(): string {
    return this.clauses.join('\n  AND ');
  }
}

function assertTimeRange(range: TimeRange): void {
  const valid =
    Number.isSafeInteger(range.from) &&
    Number.isSafeInteger(range.to) &&
    range.from >= 0 &&
    range.from < range.to;
  if (!valid) {
    throw new EventStoreError(
      'invalid_query',
      `a time range of epoch milliseconds with from < to is required (got from=${range.from}, to=${range.to})`,
    );
  }
}

/** Every read starts here: the caller's tenant and a time range on `column`. */
export function scoped(scope: TenantScope, range: TimeRange, column: string): Conditions {
  if (!scope.orgId) throw new EventStoreError('invalid_query', 'a tenant scope needs an org id');
  assertTimeRange(range);
  const conditions = new Conditions().add('org_id = {org_id:String}', { org_id: scope.orgId });
  if (scope.projectId !== undefined) {
    conditions.add('project_id = {project_id:String}', { project_id: scope.projectId });
  }
  return conditions
    .add(`${column} >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')`, { from: range.from })
    .add(`${column} < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`, { to: range.to });
}

/** Free text is searched as given, up to this length. */
export const MAX_SEARCH_TEXT = 200;
/** The event columns free text is searched in. */
const SEARCHED_COLUMNS = ['name', 'input', 'output', 'error_message', 'model'];

/** Adds a case-insensitive search for `text` in an event's name, prompt, response, error or model. */
export function addTextSearch(conditions: Conditions, text: string): Conditions {
  if (text.length === 0 || text.length > MAX_SEARCH_TEXT) {
    throw new EventStoreError(
      'invalid_query',
      `search text must be 1 to ${MAX_SEARCH_TEXT} characters`,
    );
  }
  return conditions.add(
    `(${SEARCHED_COLUMNS.map(
      (column) => `positionCaseInsensitiveUTF8(${column}, {search_text:String}) > 0`,
    ).join(' OR ')})`,
    { search_text: text },
  );
}

/** Optional equality filters of `EventFilter`, with the column each one reads. */
const FILTER_COLUMNS = {
  eventType: 'event_type',
  runId: 'run_id',
  userId: 'user_id',
  sessionId: 'session_id',
  name: 'name',
  model: 'model',
  status: 'status',
} as const satisfies Partial<Record<keyof EventFilter, string>>;

/** One page of events, newest first; asks for one row more than the page to know whether more follow. */
export function listEventsStatement(
  scope: TenantScope,
  filter: EventFilter,
  after?: EventCursor,
): Statement {
  if (!Number.isInteger(filter.limit) || filter.limit < 1 || filter.limit > MAX_PAGE_SIZE) {
    throw new EventStoreError(
      'invalid_query',
      `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`,
    );
  }
  const conditions = scoped(scope, filter, 'ts');
  for (const [field, column] of Object.entries(FILTER_COLUMNS)) {
    const value = filter[field as keyof typeof FILTER_COLUMNS];
    if (value !== undefined) conditions.add(`${column} = {${column}:String}`, { [column]: value });
  }
  if (filter.text !== undefined) addTextSearch(conditions, filter.text);
  if (filter.runName !== undefined) {
    const runs = scoped(scope, filter, 'ts');
    conditions.add(
      `run_id IN (SELECT run_id FROM events WHERE ${runs.sql} AND name = {run_name:String} AND run_id != '')`,
      { ...runs.parameters, run_name: filter.runName },
    );
  }
  if (after) {
    conditions.add(
      `ts <= fromUnixTimestamp64Milli({after_ts:Int64}, 'UTC')
  AND (ts < fromUnixTimestamp64Milli({after_ts:Int64}, 'UTC') OR event_id < {after_id:String})`,
      { after_ts: after.ts, after_id: after.eventId },
    );
  }
  return {
    sql: `SELECT ${EVENT_SELECT}
FROM events
WHERE ${conditions.sql}
ORDER BY ts DESC, event_id DESC
LIMIT {limit:UInt32}`,
    parameters: { ...conditions.parameters, limit: filter.limit + 1 },
  };
}

function runStatement(select: string, table: string, orderBy: string) {
  return (scope: TenantScope, runId: string, range: TimeRange): Statement => {
    if (!runId) throw new EventStoreError('invalid_query', 'a run id is required');
    const conditions = scoped(scope, range, 'ts').add('run_id = {run_id:String}', {
      run_id: runId,
    });
    return {
      sql: `SELECT ${select}\nFROM ${table}\nWHERE ${conditions.sql}\nORDER BY ${orderBy}`,
      parameters: conditions.parameters,
    };
  };
}

/** The ids among `eventIds` that `events` holds, read only in the time their ULIDs span. */
export function storedEventIdsStatement(eventIds: readonly string[]): Statement {
  const times = eventIds.map(eventTimeFromId);
  return {
    sql: `SELECT DISTINCT event_id
FROM events
WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts <= fromUnixTimestamp64Milli({to:Int64})
  AND has(splitByChar(',', {event_ids:String}), event_id)`,
    parameters: {
      from: Math.min(...times),
      to: Math.max(...times),
      // ULIDs hold no comma; one parameter however many ids.
      event_ids: eventIds.join(','),
    },
  };
}

export const runEventsStatement = runStatement(EVENT_SELECT, 'events', 'ts, event_id');
export const runAgentStepsStatement = runStatement(
  AGENT_STEP_SELECT,
  'agent_steps',
  'ts, step_number, event_id',
);
export const runToolCallsStatement = runStatement(TOOL_CALL_SELECT, 'tool_calls', 'ts, event_id');

/** The rollup column each summary group reads; `none` is one group. */
const GROUP_COLUMNS: Record<SummaryGroup, string> = {
  none: "''",
  model: 'model',
  provider: 'provider',
  event_type: 'event_type',
  project: 'project_id',
  status: 'status',
};

export interface SummaryResultRow {
  key: string;
  requests: number;
  errors: number;
  input_tokens_total: number;
  output_tokens_total: number;
  cost_nanos_total: number;
  /** p50, p95, p99 in milliseconds. */
  latency: number[];
}

/**
 * Totals per group from the rollups. Hour resolution: the hours that start in
 * [hour of `from`, `to`) are counted whole (whole days read from the daily rollup).
 */
export function summaryStatement(
  scope: TenantScope,
  range: TimeRange,
  groupBy: SummaryGroup,
): Statement {
  const group = GROUP_COLUMNS[groupBy];
  if (group === undefined)
    throw new EventStoreError('invalid_query', `cannot group a summary by "${groupBy}"`);
  const conditions = scoped(scope, range, 'bucket');
  // The lower bound must include the hour `from` falls in: widen it to the start of that hour.
  conditions.parameters.from = range.from - (range.from % 3_600_000);
  // Every group but `status` is a dimension of the model rollup.
  const source = hourlyRollupFrom(range, conditions, groupBy !== 'status');
  return {
    sql: `SELECT
    ${group} AS key,
    sum(requests) AS requests,
    sum(errors) AS errors,
    sum(input_tokens) AS input_tokens_total,
    sum(output_tokens) AS output_tokens_total,
    sum(cost_nanos) AS cost_nanos_total,
    quantilesTDigestMerge(${LATENCY_QUANTILES})(latency_ms) AS latency
FROM ${source}
WHERE ${conditions.sql}
GROUP BY key
ORDER BY cost_nanos_total DESC, requests DESC, key`,
    parameters: conditions.parameters,
  };
}

export interface TableStatusRow {
  name: string;
  engine: string;
  rows: number;
  bytes_on_disk: number;
}

/** Every table of the current database with its engine, active rows and bytes on disk. */
export const TABLE_STATUS_SQL = `SELECT
    tables.name AS name,
    tables.engine AS engine,
    toUInt64(parts.rows) AS rows,
    toUInt64(parts.bytes_on_disk) AS bytes_on_disk
FROM system.tables AS tables
LEFT JOIN
(
    SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS bytes_on_disk
    FROM system.parts
    WHERE active AND database = currentDatabase()
    GROUP BY table
) AS parts ON parts.table = tables.name
WHERE tables.database = currentDatabase()
SETTINGS join_use_nulls = 0`;
