import type { TenantScope, TimeRange } from '@tollgate/core';
import { rawEvents } from './analytics-filters';
import type { Statement } from './event-queries';
import { EventStoreError } from './event-store-error';

/** The most versions one comparison returns. */
export const MAX_COMPARED_VERSIONS = 1000;

export interface PromptComparisonResultRow {
  version: number;
  executions: number;
  successes: number;
  latency_avg_ms: number | null;
  latency_p95_ms: number | null;
  tokens_avg: number | null;
  cost_text: string;
  feedback_count: number;
  feedback_avg: number | null;
}

/**
 * Per version of one prompt, from the raw events in one pass: its calls
 * (`prompt_call` events carrying the prompt's name) and the feedback given on
 * them (`custom` events named `feedback`, which copy the rated call's prompt
 * name and version). Nothing is read from counters, so the figures cannot
 * drift from the events. The p95 is exact (`quantileExact`: the sorted
 * latencies' element at index floor(0.95 n)), as only one prompt's rows are read.
 */
export function promptComparisonStatement(
  scope: TenantScope,
  query: TimeRange & { promptName: string },
): Statement {
  if (!query.promptName) throw new EventStoreError('invalid_query', 'a prompt name is required');
  const conditions = rawEvents(scope, query, { eventTypes: ['prompt_call', 'custom'] }).add(
    'prompt_name = {prompt_name:String}',
    { prompt_name: query.promptName },
  );
  return {
    sql: `WITH
    event_type = 'prompt_call' AS is_call,
    event_type = 'custom' AND name = 'feedback' AS is_feedback
SELECT
    prompt_version AS version,
    countIf(is_call) AS executions,
    countIf(is_call AND status IN ('success', 'cached')) AS successes,
    avgIf(latency_ms, is_call) AS latency_avg_ms,
    quantileExactIf(0.95)(latency_ms, is_call) AS latency_p95_ms,
    avgIf(input_tokens + output_tokens, is_call) AS tokens_avg,
    toString(sumIf(cost_nanos, is_call)) AS cost_text,
    countIf(is_feedback) AS feedback_count,
    avgIf(score, is_feedback) AS feedback_avg
FROM events
WHERE ${conditions.sql}
  AND (event_type = 'prompt_call' OR name = 'feedback')
GROUP BY version
HAVING executions > 0 OR feedback_count > 0
ORDER BY version
LIMIT ${MAX_COMPARED_VERSIONS}`,
    parameters: conditions.parameters,
  };
}
