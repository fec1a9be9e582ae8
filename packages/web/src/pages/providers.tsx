import { useEffect } from 'react';
import { DataTable, Loaded, PageHeader } from '../components';
import { formatDuration, formatPercent, formatTime } from '../format';
import { useApi } from '../use-api';
import type { ProvidersHealthAnswer } from '../api-types';

const REFRESH_MS = 5000;

/** Every deployment's circuit breaker and recent calls, refreshed every few seconds. */
export function ProvidersPage() {
  const health = useApi<ProvidersHealthAnswer>('/api/v1/providers/health');
  const { reload } = health;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <>
      <PageHeader title="Providers">
        <span>live, every {REFRESH_MS / 1000} s</span>
      </PageHeader>
      <Loaded state={health} what="deployments" isEmpty={(data) => data.deployments.length === 0}>
        {(data) => (
          <DataTable
            testId="providers-table"
            rows={data.deployments}
            columns={[
              { key: 'id', label: 'Deployment' },
              { key: 'provider', label: 'Provider' },
              { key: 'model', label: 'Model' },
              { key: 'routes', label: 'Routes', render: (row) => row.routes.join(', ') },
              {
                key: 'state',
                label: 'Breaker',
                value: (row) => row.breaker.state,
                render: (row) => (
                  <span className={`badge ${row.breaker.state}`}>{row.breaker.state}</span>
                ),
              },
              {
                key: 'failures',
                label: 'Failures',
                align: 'right',
                value: (row) => row.breaker.failures_in_window ?? -1,
                render: (row) => row.breaker.failures_in_window ?? '–',
              },
              {
                key: 'error_rate',
                label: 'Error rate',
                align: 'right',
                value: (row) => row.calls.error_rate ?? -1,
                render: (row) => formatPercent(row.calls.error_rate),
              },
              {
                key: 'latency',
                label: 'Last latency',
                align: 'right',
                value: (row) => row.calls.last_latency_ms ?? -1,
                render: (row) =>
                  row.calls.last_latency_ms === null
                    ? '–'
                    : formatDuration(row.calls.last_latency_ms),
              },
              {
                key: 'last',
                label: 'Last call',
                render: (row) => formatTime(row.calls.last_attempt_at),
              },
            ]}
          />
        )}
      </Loaded>
    </>
  );
}
