import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { streamEvents } from '../api';
import { DataTable, Loaded, Notice, PageHeader, Stat, TimeRangePicker } from '../components';
import { formatCount, formatDuration, formatPercent, formatTime, formatUsd } from '../format';
import { useParams, useTimeRange } from '../url-state';
import { useApi } from '../use-api';
import type { OverviewAnswer } from '../api-types';

interface Figures {
  requests: number;
  errors: number;
  cost_usd: number;
  latency_p50_ms: number;
  latency_p95_ms: number;
  latency_p99_ms: number;
}

// The chart library is most of the dashboard's code: load it apart, starting now (while the
// overview's data is on its way), so the headline figures and the table never wait for it.
const charts = import('./overview-charts');
const RequestsCostChart = lazy(() =>
  charts.then((module) => ({ default: module.RequestsCostChart })),
);
const SuccessRateChart = lazy(() =>
  charts.then((module) => ({ default: module.SuccessRateChart })),
);
const LatencyChart = lazy(() => charts.then((module) => ({ default: module.LatencyChart })));
const LatencyHistogramChart = lazy(() =>
  charts.then((module) => ({ default: module.LatencyHistogramChart })),
);

function Chart({ children }: { children: ReactNode }) {
  return (
    <Suspense fallback={<Notice kind="loading">Loading the chart…</Notice>}>{children}</Suspense>
  );
}

function figuresOf(totals: OverviewAnswer['totals']): Figures {
  return {
    requests: totals.requests,
    errors: totals.errors,
    cost_usd: Number(totals.cost_usd),
    latency_p50_ms: totals.latency_p50_ms ?? 0,
    latency_p95_ms: totals.latency_p95_ms ?? 0,
    latency_p99_ms: totals.latency_p99_ms ?? 0,
  };
}

export function OverviewPage() {
  const range = useTimeRange();
  const [params] = useParams();
  const filters = { project_id: params.get('project_id') ?? undefined };
  const overview = useApi<OverviewAnswer>('/api/v1/analytics/overview', {
    from: range.from,
    to: range.to,
    bucket: range.bucket,
    ...filters,
  });

  // Live: the server pushes the totals from the range's start to now every few seconds. The
  // stream starts once the overview has answered: its first push would otherwise run beside the
  // overview's reads, and concurrent reads contend on the embedded engine.
  const [live, setLive] = useState<Figures & { at: string }>();
  const answered = overview.data !== undefined || overview.error !== undefined;
  useEffect(() => {
    setLive(undefined);
    if (!answered) return;
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
    // Restart the stream when the window or the project changes (the overview reads again then).
    // (filters is rebuilt every render; its one field is the dependency.)
  }, [range.from, filters.project_id, answered]);

  const figures: Figures | undefined =
    live ?? (overview.data ? figuresOf(overview.data.totals) : undefined);
  const spanMs = live ? Date.parse(live.at) - Date.parse(range.from) : range.ms;
  const hours = spanMs / 3_600_000;
  const noCalls = (data: OverviewAnswer) => data.buckets.length === 0;

  return (
    <>
      <PageHeader title="Overview">
        <TimeRangePicker />
      </PageHeader>
      <Loaded state={overview} what="summary">
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
          <Loaded state={overview} what="model calls" isEmpty={noCalls}>
            {(data) => (
              <Chart>
                <RequestsCostChart buckets={data.buckets} />
              </Chart>
            )}
          </Loaded>
        </section>
        <section className="panel">
          <h2>Success rate per {range.bucket}</h2>
          <Loaded state={overview} what="model calls" isEmpty={noCalls}>
            {(data) => (
              <Chart>
                <SuccessRateChart buckets={data.buckets} />
              </Chart>
            )}
          </Loaded>
        </section>
        <section className="panel">
          <h2>Latency p50 / p95 / p99 per {range.bucket}</h2>
          <Loaded state={overview} what="model calls" isEmpty={noCalls}>
            {(data) => (
              <Chart>
                <LatencyChart buckets={data.buckets} />
              </Chart>
            )}
          </Loaded>
        </section>
        <section className="panel">
          <h2>Latency histogram</h2>
          <Loaded state={overview} what="model calls" isEmpty={noCalls}>
            {(data) => (
              <Chart>
                <LatencyHistogramChart bins={data.latency_histogram} />
              </Chart>
            )}
          </Loaded>
        </section>
      </div>
      <section className="panel">
        <h2>Top errors</h2>
        <Loaded state={overview} what="errors" isEmpty={(data) => data.top_errors.length === 0}>
          {(data) => (
            <DataTable
              rows={data.top_errors}
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
