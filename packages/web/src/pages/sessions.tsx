import { Filters, Loaded, PageHeader, SortableTable, Stat, TimeRangePicker } from '../components';
import { formatCount, formatDuration, formatPercent, formatTime, formatUsd } from '../format';
import { navigate, useParams, useTimeRange } from '../url-state';
import { useApi } from '../use-api';
import { ActivityTable, activityCost } from './activity-table';
import type { SessionDetailAnswer, SessionsAnswer } from '../api-types';

type SessionEvent = SessionDetailAnswer['events'][number];
type SessionAnswer = SessionDetailAnswer;

const open = (page: string, id: string) =>
  navigate(`/${page}/${encodeURIComponent(id)}${window.location.search}`);

function eventCost(event: SessionEvent): string {
  if (event.event_type !== 'prompt_call') return '';
  return event.cost_unpriced || event.cost_usd === null ? 'unpriced' : formatUsd(event.cost_usd);
}

function SessionPage({ sessionId }: { sessionId: string }) {
  const range = useTimeRange();
  const [params] = useParams();
  const session = useApi<SessionAnswer>(
    `/api/v1/analytics/sessions/${encodeURIComponent(sessionId)}`,
    { from: range.from, to: range.to, project_id: params.get('project_id') },
  );
  return (
    <>
      <PageHeader title={`Session ${sessionId}`}>
        <TimeRangePicker />
        <button onClick={() => navigate(`/sessions${window.location.search}`)}>All sessions</button>
      </PageHeader>
      <Loaded
        state={session}
        what="session"
        isEmpty={(data) => data.totals === null}
        emptyText="This session has no events in this time range."
      >
        {(data) => {
          const totals = data.totals!;
          return (
            <>
              <div className="stats">
                <Stat label="Calls" value={formatCount(totals.calls)} raw={totals.calls} />
                <Stat
                  label="Cost"
                  value={activityCost(totals)}
                  raw={totals.cost_usd}
                  testId="session-cost"
                />
                <Stat label="Error rate" value={formatPercent(totals.error_rate)} />
                <Stat label="Started" value={formatTime(totals.first_seen)} />
                {totals.user_id && <Stat label="User" value={totals.user_id} />}
              </div>
              {totals.user_id && (
                <p>
                  <a
                    href={`/users/${encodeURIComponent(totals.user_id)}${window.location.search}`}
                    onClick={(event) => {
                      event.preventDefault();
                      open('users', totals.user_id);
                    }}
                  >
                    All of {totals.user_id}’s activity
                  </a>
                </p>
              )}
              <section className="panel">
                <h2>Runs, in order</h2>
                {data.runs.length === 0 ? (
                  <p>No runs: this session’s events named none.</p>
                ) : (
                  <SortableTable
                    testId="session-runs"
                    rows={data.runs}
                    rowKey={(run) => run.run_id}
                    onSelect={(run) => open('traces', run.run_id)}
                    columns={[
                      { key: 'run_id', label: 'Run' },
                      {
                        key: 'started_at',
                        label: 'Started',
                        render: (run) => formatTime(run.started_at),
                      },
                      {
                        key: 'duration_ms',
                        label: 'Duration',
                        align: 'right',
                        render: (run) => formatDuration(run.duration_ms),
                      },
                      { key: 'model_calls', label: 'Model calls', align: 'right' },
                      { key: 'tool_calls', label: 'Tool calls', align: 'right' },
                      {
                        key: 'cost_usd',
                        label: 'Cost',
                        align: 'right',
                        value: (run) => Number(run.cost_usd),
                        render: (run) => formatUsd(run.cost_usd),
                      },
                      {
                        key: 'status',
                        label: 'Status',
                        render: (run) => (
                          <span className={`badge ${run.status}`}>{run.status}</span>
                        ),
                      },
                    ]}
                  />
                )}
              </section>
              <section className="panel">
                <h2>Calls and steps, in order</h2>
                {data.events_truncated && (
                  <p>The first {data.events.length} events; narrow the time range for the rest.</p>
                )}
                <SortableTable
                  testId="session-events"
                  rows={data.events}
                  rowKey={(event) => event.event_id}
                  pageSize={50}
                  onSelect={(event) =>
                    event.event_type === 'prompt_call' && open('requests', event.event_id)
                  }
                  columns={[
                    { key: 'ts', label: 'Time', render: (event) => formatTime(event.ts) },
                    { key: 'event_type', label: 'Type' },
                    {
                      key: 'name',
                      label: 'What',
                      value: (event) => event.model || event.name,
                      render: (event) =>
                        [event.name, event.model].filter(Boolean).join(' · ') || '–',
                    },
                    { key: 'run_id', label: 'Run' },
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
                      key: 'cost_usd',
                      label: 'Cost',
                      align: 'right',
                      value: (event) => event.cost_usd ?? -1,
                      render: eventCost,
                    },
                  ]}
                />
              </section>
            </>
          );
        }}
      </Loaded>
    </>
  );
}

/** Sessions (`session_id`) in the range; one session's page at `/sessions/<id>`. */
export function SessionsPage({ rest }: { rest: string }) {
  const range = useTimeRange();
  const [params] = useParams();
  const sessions = useApi<SessionsAnswer>(rest ? null : '/api/v1/analytics/sessions', {
    from: range.from,
    to: range.to,
    project_id: params.get('project_id'),
    q: params.get('q'),
    user_id: params.get('user_id'),
    name: params.get('name'),
    limit: 1000,
  });
  if (rest) return <SessionPage sessionId={rest} />;
  return (
    <>
      <PageHeader title="Sessions">
        <TimeRangePicker />
      </PageHeader>
      <Filters fields={{ q: 'Search text', user_id: 'User', name: 'Run name' }} />
      <Loaded state={sessions} what="sessions" isEmpty={(data) => data.sessions.length === 0}>
        {(data) => (
          <ActivityTable
            testId="sessions-table"
            rows={data.sessions}
            first={[
              { key: 'id', label: 'Session' },
              { key: 'user_id', label: 'User' },
            ]}
            onSelect={(session) => open('sessions', session.id)}
          />
        )}
      </Loaded>
    </>
  );
}
