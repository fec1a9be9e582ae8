import { useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ApiFailure, getText } from '../api';
import {
  SortableTable,
  Filters,
  Loaded,
  Notice,
  PageHeader,
  Stat,
  TimeRangePicker,
} from '../components';
import { formatCount, formatHour, formatUsd } from '../format';
import { useParams, useTimeRange } from '../url-state';
import { useApi } from '../use-api';
import { UnpricedModels } from './unpriced-models';
import type { ChargebackAnswer, CostAnswer } from '../api-types';

const DIMENSIONS = {
  model: 'Model',
  provider: 'Provider',
  project: 'Project',
  user: 'User',
  operation: 'Operation kind',
  service: 'Service',
} as const;
type Dimension = keyof typeof DIMENSIONS;

type ChargebackRow = ChargebackAnswer['orgs'][number];

/** The org (and project) by name, their ids where the report has no name. */
function orgLabel(row: ChargebackRow): string {
  const org = row.org_name ?? row.org_id;
  return row.project_id ? `${org} / ${row.project_name ?? row.project_id}` : org;
}

/** Saves text as a file through a temporary link (the browser's own download). */
function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function CostsPage() {
  const range = useTimeRange();
  const [params, setParams] = useParams();
  const by = (params.get('by') ?? 'model') as Dimension;
  const scope = {
    from: range.from,
    to: range.to,
    project_id: params.get('project_id'),
    model: params.get('model'),
    provider: params.get('provider'),
    service: params.get('service'),
  };
  const grouped = useApi<CostAnswer>('/api/v1/analytics/cost', { ...scope, groupBy: by });
  const overTime = useApi<CostAnswer>('/api/v1/analytics/cost', {
    ...scope,
    groupBy: range.bucket,
  });
  const chargeback = useApi<ChargebackAnswer>('/api/v1/analytics/chargeback', {
    from: range.from,
    to: range.to,
    project_id: scope.project_id,
  });
  const [downloadError, setDownloadError] = useState<string>();

  return (
    <>
      <PageHeader title="Costs">
        <select
          value={by}
          onChange={(event) => setParams({ by: event.target.value })}
          aria-label="Group by"
        >
          {Object.entries(DIMENSIONS).map(([value, label]) => (
            <option key={value} value={value}>
              by {label}
            </option>
          ))}
        </select>
        <TimeRangePicker />
      </PageHeader>
      <Filters
        fields={{
          model: 'Model',
          provider: 'Provider',
          service: 'Service',
        }}
      />
      <Loaded state={grouped} what="costs" isEmpty={(data) => data.rows.length === 0}>
        {(data) => (
          <>
            <div className="stats">
              <Stat
                testId="costs-total"
                label="Total cost"
                raw={data.total.cost_usd}
                value={formatUsd(data.total.cost_usd)}
              />
              <Stat
                label="Model calls"
                raw={data.total.requests}
                value={formatCount(data.total.requests)}
              />
            </div>
            <section className="panel">
              <h2>Cost by {DIMENSIONS[by].toLowerCase()}</h2>
              <ResponsiveContainer width="100%" height={220}>
                <BarChart
                  data={data.rows
                    .slice(0, 20)
                    .map((row) => ({ name: row.key || '(none)', cost: Number(row.cost_usd) }))}
                >
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="name" />
                  <YAxis tickFormatter={(value: number) => formatUsd(value)} />
                  <Tooltip formatter={(value) => formatUsd(Number(value))} />
                  <Bar dataKey="cost" fill="#3558d4" />
                </BarChart>
              </ResponsiveContainer>
              <SortableTable
                testId="costs-table"
                rows={data.rows}
                columns={[
                  { key: 'key', label: DIMENSIONS[by], render: (row) => row.key || '(none)' },
                  {
                    key: 'requests',
                    label: 'Calls',
                    align: 'right',
                    render: (row) => formatCount(row.requests),
                  },
                  {
                    key: 'input_tokens',
                    label: 'Input tokens',
                    align: 'right',
                    render: (row) => formatCount(row.input_tokens),
                  },
                  {
                    key: 'output_tokens',
                    label: 'Output tokens',
                    align: 'right',
                    render: (row) => formatCount(row.output_tokens),
                  },
                  {
                    key: 'cost_usd',
                    label: 'Cost',
                    align: 'right',
                    value: (row) => Number(row.cost_usd),
                    render: (row) => formatUsd(row.cost_usd),
                  },
                  {
                    key: 'average_cost_usd',
                    label: 'Per call',
                    align: 'right',
                    value: (row) => Number(row.average_cost_usd),
                    render: (row) => formatUsd(row.average_cost_usd),
                  },
                ]}
              />
            </section>
          </>
        )}
      </Loaded>
      <UnpricedModels scope={scope} />
      <section className="panel">
        <h2>Cost per {range.bucket}</h2>
        <Loaded state={overTime} what="costs" isEmpty={(data) => data.rows.length === 0}>
          {(data) => (
            <ResponsiveContainer width="100%" height={200}>
              <LineChart
                data={data.rows.map((row) => ({
                  at: formatHour(row.key),
                  cost: Number(row.cost_usd),
                }))}
              >
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="at" />
                <YAxis tickFormatter={(value: number) => formatUsd(value)} />
                <Tooltip formatter={(value) => formatUsd(Number(value))} />
                <Line dataKey="cost" stroke="#17a673" dot={false} />
              </LineChart>
            </ResponsiveContainer>
          )}
        </Loaded>
      </section>
      <section className="panel">
        <h2>
          Chargeback for the period{' '}
          <button
            data-testid="chargeback-csv"
            onClick={async () => {
              try {
                setDownloadError(undefined);
                const csv = await getText('/api/v1/analytics/chargeback', {
                  from: range.from,
                  to: range.to,
                  project_id: scope.project_id,
                  format: 'csv',
                });
                download(
                  `chargeback-${range.from.slice(0, 10)}-${range.to.slice(0, 10)}.csv`,
                  csv,
                  'text/csv',
                );
              } catch (error) {
                setDownloadError(error instanceof ApiFailure ? error.message : String(error));
              }
            }}
          >
            Download CSV
          </button>
        </h2>
        {downloadError && <Notice kind="error">{downloadError}</Notice>}
        <Loaded state={chargeback} what="chargeback" isEmpty={(data) => data.orgs.length === 0}>
          {(data) => (
            <SortableTable
              testId="chargeback-table"
              rows={data.orgs}
              columns={[
                {
                  key: 'org_id',
                  label: 'Org',
                  value: (row) => orgLabel(row),
                  render: (row) => <span title={row.org_id}>{orgLabel(row)}</span>,
                },
                {
                  key: 'requests',
                  label: 'Calls',
                  align: 'right',
                  value: (row) => row.total.requests,
                  render: (row) => formatCount(row.total.requests),
                },
                {
                  key: 'cost',
                  label: 'Cost',
                  align: 'right',
                  value: (row) => Number(row.total.cost_usd),
                  render: (row) => formatUsd(row.total.cost_usd),
                },
                { key: 'chargeback_rate', label: 'Rate', align: 'right' },
                {
                  key: 'amount_to_charge_usd',
                  label: 'To charge',
                  align: 'right',
                  value: (row) => Number(row.amount_to_charge_usd),
                  render: (row) => formatUsd(row.amount_to_charge_usd),
                },
              ]}
            />
          )}
        </Loaded>
      </section>
    </>
  );
}
