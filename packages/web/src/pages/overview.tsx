import { useEffect, useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { streamEvents } from '../api';
import { DataTable, Loaded, PageHeader, Stat, TimeRangePicker } from '../components';
import {
  formatCount,
  formatDuration,
  formatHour,
  formatPercent,
  formatTime,
  formatUsd,
} from '../format';
import { useParams, useTimeRange } from '../url-state';
import { useApi } from '../use-api';

interface Figures {
  requests: number;
  errors: number;
  cost_usd: number;
  latency_p50_ms: number;
  latency_p95_ms: number;
  latency_p99_ms: number;
}
interface SummaryAnswer {
  rows: (Figures & { key: string })[];
}
interface CostAnswer {
  rows: { key: string; requests: number; cost_usd: string }[];
}
interface ErrorRateAnswer {
  rows?: { bucket: string; requests: number; errors: number; error_rate: number }[];
}
interface EventsAnswer {
  events: { ts: string; latency_ms: number }[];
}
interface TopErrorsAnswer {
  rows?: { error_message: string; occurrences: number; last_seen: string }[];
  errors?: { error_message: string; occurrences: number; last_seen: string }[];
}

const SAMPLE = 1000;
const HISTOGRAM_EDGES = [100, 250, 500, 1000, 2000, 5000, 10_000, 30_000];

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Latency over time and its histogram, from the newest calls (the rollups keep quantiles per hour only). */
function latencyOf(events: EventsAnswer['events'], bucketMs: number) {
  const buckets = new Map<number, number[]>();
  for (const event of events) {
    const start = Math.floor(Date.parse(event.ts) / bucketMs) * bucketMs;
    buckets.set(start, [...(buckets.get(start) ?? []), event.latency_ms]);
  }
  const series = [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return {
        at: start,
        p50: quantile(sorted, 0.5),
        p95: quantile(sorted, 0.95),
        p99: quantile(sorted, 0.99),
      };
    });
  const histogram = HISTOGRAM_EDGES.map((edge, index) => ({
    bucket: `≤ ${formatDuration(edge)}`,
    calls: events.filter(
      (e) => e.latency_ms <= edge && (index === 0 || e.latency_ms > HISTOGRAM_EDGES[index - 1]!),
    ).length,
  }));
  histogram.push({
    bucket: `> ${formatDuration(HISTOGRAM_EDGES.at(-1)!)}`,
    calls: events.filter((e) => e.latency_ms > HISTOGRAM_EDGES.at(-1)!).length,
  });
  return { series, histogram };
}

export function OverviewPage() {
  const range = useTimeRange();
  const [params] = useParams();
  const filters = { project_id: params.get('project_id') ?? undefined };
  const scope = { from: range.from, to: range.to, ...filters };
  const summary = useApi<SummaryAnswer>('/api/v1/metrics/summary', {
    ...scope,
    groupBy: 'event_type',
  });
  const costs = useApi<CostAnswer>('/api/v1/analytics/cost', { ...scope, groupBy: range.bucket });
  const errorRate = useApi<ErrorRateAnswer>('/api/v1/analytics/quality/error-rate', {
    ...scope,
    bucket: range.bucket,
  });
  const sample = useApi<EventsAnswer>('/api/v1/events', {
    ...scope,
    event_type: 'prompt_call',
    limit: SAMPLE,
  });
  const topErrors = useApi<TopErrorsAnswer>('/api/v1/analytics/quality/top-errors', scope);

  // Live: the server pushes the totals from the range's start to now every few seconds.
  const [live, setLive] = useState<Figures & { at: string }>();
  useEffect(() => {
    setLive(undefined);
    const abort = new AbortController();
    streamEvents(
      '/api/v1/live',
      { from: range.from, interval_ms: 2000, ...filters },
      (type, data) => {
        if (type === 'summary') setLive(data as Figures & { at: string });
      },
      abort.signal,
    ).catch(() => undefined);
    return () => abort.abort();
    // Restart the stream when the window or the project changes.
    // (filters is rebuilt every render; its one field is the dependency.)
  }, [range.from, filters.project_id]);

  const calls = summary.data?.rows.find((row) => row.key === 'prompt_call');
  const figures: Figures | undefined =
    live ??
    (summary.data
      ? (calls ?? {
          requests: 0,
          errors: 0,
          cost_usd: 0,
          latency_p50_ms: 0,
          latency_p95_ms: 0,
          latency_p99_ms: 0,
        })
      : undefined);
  const spanMs = live ? Date.parse(live.at) - Date.parse(range.from) : range.ms;
  const hours = spanMs / 3_600_000;

  return (
    <>
      <PageHeader title="Overview">
        <TimeRangePicker />
      </PageHeader>
      <Loaded state={summary} what="summary">
        {() =>
          figures && (
            <div className="stats" data-testid="overview-stats" data-live={live ? live.at : ''}>
              <Stat
                testId="total-requests"
                label="Model calls"
                raw={figures.requests}
                value={formatCount(figures.requests)}
              />
              <Stat
                testId="requests-per-minute"
                label="Requests / min"
                raw={figures.requests / (hours * 60)}
                value={(figures.requests / (hours * 60)).toFixed(2)}
              />
              <Stat
                testId="success-rate"
                label="Success rate"
                raw={figures.requests ? 1 - figures.errors / figures.requests : ''}
                value={
                  figures.requests ? formatPercent(1 - figures.errors / figures.requests) : '–'
                }
                hint={`${formatCount(figures.errors)} failed`}
              />
              <Stat
                testId="total-cost"
                label="Cost"
                raw={figures.cost_usd}
                value={formatUsd(figures.cost_usd)}
              />
              <Stat
                testId="burn-hour"
                label="Burn per hour"
                raw={figures.cost_usd / hours}
                value={formatUsd(figures.cost_usd / hours)}
                hint={`projected month ${formatUsd((figures.cost_usd / hours) * 24 * 30)}`}
              />
              <Stat
                testId="latency-p95"
                label="Latency p50 / p95 / p99"
                value={`${formatDuration(figures.latency_p95_ms)}`}
                hint={`${formatDuration(figures.latency_p50_ms)} / ${formatDuration(figures.latency_p95_ms)} / ${formatDuration(figures.latency_p99_ms)}`}
              />
            </div>
          )
        }
      </Loaded>
      <div className="grid2">
        <section className="panel">
          <h2>Requests and cost per {range.bucket}</h2>
          <Loaded state={costs} what="costs" isEmpty={(data) => data.rows.length === 0}>
            {(data) => (
              <ResponsiveContainer width="100%" height={220}>
                <BarChart
                  data={data.rows.map((row) => ({
                    at: formatHour(row.key),
                    requests: row.requests,
                    cost: Number(row.cost_usd),
                  }))}
                >
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="at" />
                  <YAxis yAxisId="left" />
                  <YAxis
                    yAxisId="right"
                    orientation="right"
                    tickFormatter={(value: number) => formatUsd(value)}
                  />
                  <Tooltip />
                  <Legend />
                  <Bar yAxisId="left" dataKey="requests" fill="#3558d4" />
                  <Bar yAxisId="right" dataKey="cost" fill="#17a673" />
                </BarChart>
              </ResponsiveContainer>
            )}
          </Loaded>
        </section>
        <section className="panel">
          <h2>Success rate per {range.bucket}</h2>
          <Loaded
            state={errorRate}
            what="error rates"
            isEmpty={(data) => (data.rows ?? []).length === 0}
          >
            {(data) => (
              <ResponsiveContainer width="100%" height={220}>
                <LineChart
                  data={(data.rows ?? []).map((row) => ({
                    at: formatHour(row.bucket),
                    success: 100 * (1 - row.error_rate),
                  }))}
                >
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="at" />
                  <YAxis domain={[0, 100]} unit="%" />
                  <Tooltip />
                  <Line dataKey="success" stroke="#17a673" dot={false} />
                </LineChart>
              </ResponsiveContainer>
            )}
          </Loaded>
        </section>
        <section className="panel">
          <h2>Latency p50 / p95 / p99 (newest {SAMPLE} calls)</h2>
          <Loaded state={sample} what="calls" isEmpty={(data) => data.events.length === 0}>
            {(data) => (
              <ResponsiveContainer width="100%" height={220}>
                <LineChart
                  data={latencyOf(
                    data.events,
                    range.bucket === 'hour' ? 3_600_000 : 86_400_000,
                  ).series.map((point) => ({ ...point, at: formatHour(point.at) }))}
                >
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="at" />
                  <YAxis tickFormatter={(value: number) => formatDuration(value)} />
                  <Tooltip formatter={(value) => formatDuration(Number(value))} />
                  <Legend />
                  <Line dataKey="p50" stroke="#3558d4" dot={false} />
                  <Line dataKey="p95" stroke="#e08a00" dot={false} />
                  <Line dataKey="p99" stroke="#d43535" dot={false} />
                </LineChart>
              </ResponsiveContainer>
            )}
          </Loaded>
        </section>
        <section className="panel">
          <h2>Latency histogram (newest {SAMPLE} calls)</h2>
          <Loaded state={sample} what="calls" isEmpty={(data) => data.events.length === 0}>
            {(data) => (
              <ResponsiveContainer width="100%" height={220}>
                <BarChart data={latencyOf(data.events, 3_600_000).histogram}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="bucket" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Bar dataKey="calls" fill="#8e5bd4" />
                </BarChart>
              </ResponsiveContainer>
            )}
          </Loaded>
        </section>
      </div>
      <section className="panel">
        <h2>Top errors</h2>
        <Loaded
          state={topErrors}
          what="errors"
          isEmpty={(data) => (data.rows ?? data.errors ?? []).length === 0}
        >
          {(data) => (
            <DataTable
              rows={data.rows ?? data.errors ?? []}
              columns={[
                { key: 'error_message', label: 'Message' },
                {
                  key: 'occurrences',
                  label: 'Count',
                  align: 'right',
                  render: (row) => formatCount(row.occurrences),
                },
                {
                  key: 'last_seen',
                  label: 'Last seen',
                  render: (row) => formatTime(row.last_seen),
                },
              ]}
            />
          )}
        </Loaded>
      </section>
    </>
  );
}
