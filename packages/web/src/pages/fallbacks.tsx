import { DataTable, Loaded, PageHeader, RecordList, Stat, TimeRangePicker } from '../components';
import { formatCount, formatPercent, formatUsd } from '../format';
import { useParams, useTimeRange } from '../url-state';
import { useApi } from '../use-api';
import type { FallbacksAnswer } from '../api-types';

/** AI fallbacks: the methods that fall back most, their cost, and the candidates worth learning. */
export function FallbacksPage() {
  const range = useTimeRange();
  const [params] = useParams();
  const scope = { from: range.from, to: range.to, project_id: params.get('project_id') };
  const fallbacks = useApi<FallbacksAnswer>('/api/v1/analytics/fallbacks', {
    ...scope,
    minCount: 0,
  });
  const candidates = useApi<unknown>('/api/v1/analytics/fallbacks/learning-candidates', scope);
  return (
    <>
      <PageHeader title="AI fallbacks">
        <TimeRangePicker />
      </PageHeader>
      <Loaded state={fallbacks} what="AI fallbacks" isEmpty={(data) => data.total.calls === 0}>
        {(data) => (
          <>
            <div className="stats">
              <Stat
                label="Fallback calls"
                raw={data.total.calls}
                value={formatCount(data.total.calls)}
              />
              <Stat
                label="Their cost"
                raw={data.total.cost_usd}
                value={formatUsd(data.total.cost_usd)}
              />
            </div>
            <section className="panel">
              <h2>Top methods</h2>
              <DataTable
                testId="fallback-methods"
                rows={data.top_methods}
                columns={[
                  { key: 'service', label: 'Service' },
                  { key: 'method', label: 'Method' },
                  {
                    key: 'calls',
                    label: 'Calls',
                    align: 'right',
                    render: (row) => formatCount(row.calls),
                  },
                  { key: 'failures', label: 'Failures', align: 'right' },
                  {
                    key: 'success_rate',
                    label: 'Success',
                    align: 'right',
                    render: (row) => formatPercent(row.success_rate),
                  },
                ]}
              />
            </section>
          </>
        )}
      </Loaded>
      <section className="panel">
        <h2>Learning candidates</h2>
        <RecordList state={candidates} what="learning candidates" />
      </section>
    </>
  );
}
