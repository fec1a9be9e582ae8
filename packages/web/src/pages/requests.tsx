import { SortableTable, Filters, Loaded, PageHeader, TimeRangePicker } from '../components';
import { formatCount, formatDuration, formatTime, formatUsd } from '../format';
import { navigate, useParams, useTimeRange } from '../url-state';
import { useApi } from '../use-api';
import { RequestDetailPage } from './request-detail';
import type { EventsAnswer } from '../api-types';

/** Model calls in the range, filtered; a click opens one whole (`/requests/<event_id>`). */
export function RequestsPage({ rest }: { rest: string }) {
  const range = useTimeRange();
  const [params] = useParams();
  const calls = useApi<EventsAnswer>(rest ? null : '/api/v1/events', {
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
  if (rest) return <RequestDetailPage eventId={rest} />;
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
                onSelect={(event) =>
                  navigate(
                    `/requests/${encodeURIComponent(event.event_id)}${window.location.search}`,
                  )
                }
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
