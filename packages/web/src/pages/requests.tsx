import { useState } from 'react';
import {
  SortableTable,
  Filters,
  Loaded,
  PageHeader,
  Payload,
  TimeRangePicker,
} from '../components';
import { formatCount, formatDuration, formatTime, formatUsd } from '../format';
import { useParams, useTimeRange } from '../url-state';
import { useApi } from '../use-api';

export interface CallEvent {
  event_id: string;
  ts: string;
  run_id: string;
  user_id: string;
  name: string;
  provider: string;
  model: string;
  status: string;
  latency_ms: number;
  ttft_ms: number;
  input: string;
  output: string;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  /** Null when the call is unpriced: its cost is unknown, never $0. */
  cost_usd: number | null;
  cost_unpriced: boolean;
  cache_hit: boolean;
  /** hit, miss or bypass as the gateway recorded it; null when the call did not pass its cache. */
  cache_status: 'hit' | 'miss' | 'bypass' | null;
  attempts: number;
  providers_tried: string[] | string;
  prompt_name: string;
  prompt_version: number;
  error_message: string;
  metadata: Record<string, unknown>;
}

function Detail({ event }: { event: CallEvent }) {
  const tried = Array.isArray(event.providers_tried)
    ? event.providers_tried.join(', ')
    : event.providers_tried;
  const guardrails = event.metadata?.guardrails ?? event.metadata?.guardrail;
  return (
    <section className="panel" data-testid="request-detail">
      <h2>
        {event.model} · {formatTime(event.ts)}{' '}
        <span className={`badge ${event.status}`}>{event.status}</span>
      </h2>
      <dl className="detail">
        <dt>Tokens</dt>
        <dd>
          {formatCount(event.input_tokens)} in · {formatCount(event.output_tokens)} out ·{' '}
          {formatCount(event.cached_tokens)} cached
        </dd>
        <dt>Cost</dt>
        <dd>{costText(event)}</dd>
        <dt>Latency</dt>
        <dd>
          {formatDuration(event.latency_ms)}
          {event.ttft_ms ? ` (first token ${formatDuration(event.ttft_ms)})` : ''}
        </dd>
        <dt>Attempts</dt>
        <dd>
          {event.attempts || 1} · providers tried: {tried || event.provider}
        </dd>
        <dt>Cache</dt>
        <dd>{event.cache_status ?? 'not through the gateway cache'}</dd>
        <dt>Prompt</dt>
        <dd>{event.prompt_name ? `${event.prompt_name} v${event.prompt_version}` : '–'}</dd>
        <dt>Guardrails</dt>
        <dd>{guardrails ? JSON.stringify(guardrails) : 'no guardrail result recorded'}</dd>
        <dt>Error</dt>
        <dd>{event.error_message || '–'}</dd>
      </dl>
      <h3>Prompt</h3>
      <Payload value={event.input} />
      <h3>Response</h3>
      <Payload value={event.output} />
    </section>
  );
}

export function RequestsPage() {
  const range = useTimeRange();
  const [params] = useParams();
  const calls = useApi<{ events: CallEvent[] }>('/api/v1/events', {
    from: range.from,
    to: range.to,
    event_type: 'prompt_call',
    project_id: params.get('project_id'),
    q: params.get('q'),
    user_id: params.get('user_id'),
    session_id: params.get('session_id'),
    run_name: params.get('run_name'),
    model: params.get('model'),
    status: params.get('status'),
    limit: 1000,
  });
  const [selected, setSelected] = useState<CallEvent>();
  return (
    <>
      <PageHeader title="Requests">
        <TimeRangePicker />
      </PageHeader>
      <Filters
        fields={{
          q: 'Search text',
          user_id: 'User',
          session_id: 'Session',
          run_name: 'Run name',
          model: 'Model',
          status: 'Status',
        }}
      />
      <Loaded state={calls} what="requests" isEmpty={(data) => data.events.length === 0}>
        {(data) => {
          const rows = data.events;
          return (
            <>
              <SortableTable
                testId="requests-table"
                rows={rows}
                onSelect={setSelected}
                columns={[
                  { key: 'ts', label: 'Time', render: (event) => formatTime(event.ts) },
                  { key: 'model', label: 'Model' },
                  { key: 'provider', label: 'Provider' },
                  {
                    key: 'status',
                    label: 'Status',
                    render: (event) => (
                      <span className={`badge ${event.status}`}>{event.status}</span>
                    ),
                  },
                  {
                    key: 'latency_ms',
                    label: 'Latency',
                    align: 'right',
                    render: (event) => formatDuration(event.latency_ms),
                  },
                  {
                    key: 'tokens',
                    label: 'Tokens',
                    align: 'right',
                    value: (event) => event.input_tokens + event.output_tokens,
                    render: (event) => formatCount(event.input_tokens + event.output_tokens),
                  },
                  {
                    key: 'cost_usd',
                    label: 'Cost',
                    align: 'right',
                    value: (event) => event.cost_usd ?? -1,
                    render: (event) => costText(event),
                  },
                  {
                    key: 'cache_status',
                    label: 'Cache',
                    value: (event) => event.cache_status ?? '',
                    render: (event) => event.cache_status ?? '–',
                  },
                ]}
              />
              {selected && <Detail event={selected} />}
            </>
          );
        }}
      </Loaded>
    </>
  );
}

/** A call's cost, or "unpriced" when Tollgate does not know it (never $0.00). */
function costText(event: { cost_usd: number | null; cost_unpriced: boolean }): string {
  return event.cost_unpriced || event.cost_usd === null ? 'unpriced' : formatUsd(event.cost_usd);
}
