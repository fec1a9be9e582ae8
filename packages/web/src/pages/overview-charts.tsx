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
import { formatDuration, formatHour, formatUsd } from '../format';
import type { OverviewAnswer } from '../api-types';

/**
 * The overview's charts: the only part of the page that needs the chart
 * library, loaded apart (see `overview.tsx`) so the headline figures show
 * without waiting for it.
 */

export type BucketFigures = OverviewAnswer['buckets'][number];

export type HistogramBin = OverviewAnswer['latency_histogram'][number];

const HEIGHT = 220;

export function RequestsCostChart({ buckets }: { buckets: BucketFigures[] }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <BarChart
        data={buckets.map((row) => ({
          at: formatHour(row.bucket),
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
  );
}

export function SuccessRateChart({ buckets }: { buckets: BucketFigures[] }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <LineChart
        data={buckets.map((row) => ({
          at: formatHour(row.bucket),
          success: row.success_rate === null ? null : 100 * row.success_rate,
        }))}
      >
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="at" />
        <YAxis domain={[0, 100]} unit="%" />
        <Tooltip />
        <Line dataKey="success" stroke="#17a673" dot={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}

export function LatencyChart({ buckets }: { buckets: BucketFigures[] }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <LineChart
        data={buckets.map((row) => ({
          at: formatHour(row.bucket),
          p50: row.latency_p50_ms,
          p95: row.latency_p95_ms,
          p99: row.latency_p99_ms,
        }))}
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
  );
}

export function LatencyHistogramChart({ bins }: { bins: HistogramBin[] }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <BarChart
        data={bins.map((bin) => ({
          bucket:
            bin.up_to_ms === null
              ? `> ${formatDuration(bin.above_ms)}`
              : `≤ ${formatDuration(bin.up_to_ms)}`,
          calls: bin.calls,
        }))}
      >
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="bucket" />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Bar dataKey="calls" fill="#8e5bd4" />
      </BarChart>
    </ResponsiveContainer>
  );
}
