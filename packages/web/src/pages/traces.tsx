import { useState } from 'react';
import {
  Filters,
  Loaded,
  PageHeader,
  Payload,
  SortableTable,
  TimeRangePicker,
} from '../components';
import { formatCount, formatDuration, formatTime, formatUsd } from '../format';
import { navigate, useParams, useTimeRange } from '../url-state';
import { useApi } from '../use-api';
import type { RunAnswer, RunsAnswer } from '../api-types';

type RunEvent = RunAnswer['events'][number];

function labelOf(event: RunEvent): string {
  if (event.event_type === 'tool_call') return `tool ${event.tool_name || event.name}`;
  if (event.event_type === 'agent_step')
    return `step ${event.step_number} ${event.step_name || event.name}`;
  if (event.event_type === 'prompt_call') return `${event.model || 'model'} call`;
  return event.name || event.event_type;
}

/** The run's events as a tree (by parent) in time order, each with its depth. */
function treeOf(events: RunEvent[]): { event: RunEvent; depth: number }[] {
  const ids = new Set(events.map((event) => event.event_id));
  const children = new Map<string, RunEvent[]>();
  for (const event of [...events].sort((a, b) => a.offset_ms - b.offset_ms)) {
    const parent = event.parent_id && ids.has(event.parent_id) ? event.parent_id : '';
    children.set(parent, [...(children.get(parent) ?? []), event]);
  }
  const ordered: { event: RunEvent; depth: number }[] = [];
  const visit = (parent: string, depth: number) => {
    for (const event of children.get(parent) ?? []) {
      ordered.push({ event, depth });
      visit(event.event_id, depth + 1);
    }
  };
  visit('', 0);
  return ordered;
}

/** A share of the run in percent, within [0, 100]. */
function barPercent(ms: number, total: number): number {
  return Math.min(100, Math.max(0, (100 * ms) / total));
}

function RunPage({ runId }: { runId: string }) {
  const run = useApi<RunAnswer>(`/api/v1/runs/${encodeURIComponent(runId)}`);
  const [selected, setSelected] = useState<string>();
  return (
    <>
      <PageHeader title={`Run ${runId}`}>
        <button onClick={() => navigate(`/traces${window.location.search}`)}>All runs</button>
      </PageHeader>
      <Loaded state={run} what="run">
        {(data) => {
          // The panel spans the run: its duration, or the latest event end when a
          // sub-millisecond run rounds its duration down (bars never leave the panel).
          const total = Math.max(
            data.timing.duration_ms,
            ...data.events.map((event) => event.offset_ms + event.latency_ms),
            0.001,
          );
          const chosen = data.events.find((event) => event.event_id === selected);
          return (
            <>
              <p>
                Started {formatTime(data.timing.started_at)}, took{' '}
                {formatDuration(data.timing.duration_ms)}, {data.events.length} events.
              </p>
              <section className="panel timeline" data-testid="run-timeline">
                {treeOf(data.events).map(({ event, depth }) => (
                  <div
                    className="row"
                    key={event.event_id}
                    onClick={() => setSelected(event.event_id)}
                  >
                    <div style={{ paddingLeft: depth * 16 }}>
                      {labelOf(event)}{' '}
                      <span className={`badge ${event.status}`}>{event.status}</span>
                    </div>
                    <div className="track">
                      <div
                        className={`bar ${event.status === 'error' ? 'error' : event.event_type}`}
                        style={{
                          left: `${barPercent(event.offset_ms, total)}%`,
                          width: `${Math.min(
                            barPercent(event.latency_ms, total),
                            100 - barPercent(event.offset_ms, total),
                          )}%`,
                        }}
                      />
                    </div>
                    <div className="right">{formatDuration(event.latency_ms)}</div>
                  </div>
                ))}
              </section>
              {chosen && (
                <section className="panel" data-testid="run-step">
                  <h2>{labelOf(chosen)}</h2>
                  {chosen.error_message && <p className="notice error">{chosen.error_message}</p>}
                  <h3>Input</h3>
                  <Payload value={chosen.input} />
                  <h3>Output</h3>
                  <Payload value={chosen.output} />
                </section>
              )}
            </>
          );
        }}
      </Loaded>
    </>
  );
}

export function TracesPage({ rest }: { rest: string }) {
  const range = useTimeRange();
  const [params] = useParams();
  const runs = useApi<RunsAnswer>(rest ? null : '/api/v1/analytics/runs', {
    from: range.from,
    to: range.to,
    project_id: params.get('project_id'),
    user_id: params.get('user_id'),
    session_id: params.get('session_id'),
    name: params.get('name'),
    q: params.get('q'),
    limit: 500,
  });
  if (rest) return <RunPage runId={rest} />;
  return (
    <>
      <PageHeader title="Traces">
        <TimeRangePicker />
      </PageHeader>
      <Filters
        fields={{ q: 'Search text', user_id: 'User', session_id: 'Session', name: 'Run name' }}
      />
      <Loaded state={runs} what="runs" isEmpty={(data) => data.runs.length === 0}>
        {(data) => (
          <SortableTable
            testId="runs-table"
            rows={data.runs}
            onSelect={(run) =>
              navigate(`/traces/${encodeURIComponent(run.run_id)}${window.location.search}`)
            }
            columns={[
              { key: 'run_id', label: 'Run' },
              { key: 'started_at', label: 'Started', render: (run) => formatTime(run.started_at) },
              {
                key: 'duration_ms',
                label: 'Duration',
                align: 'right',
                render: (run) => formatDuration(run.duration_ms),
              },
              { key: 'steps', label: 'Steps', align: 'right' },
              { key: 'tool_calls', label: 'Tool calls', align: 'right' },
              {
                key: 'model_calls',
                label: 'Model calls',
                align: 'right',
                render: (run) => formatCount(run.model_calls),
              },
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
                render: (run) => <span className={`badge ${run.status}`}>{run.status}</span>,
              },
            ]}
          />
        )}
      </Loaded>
    </>
  );
}
