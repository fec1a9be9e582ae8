import { DataTable, Loaded, PageHeader, TimeRangePicker } from '../components';
import { formatTime } from '../format';
import { useParams, useTimeRange } from '../url-state';
import { useApi } from '../use-api';
import { GuardrailReferences } from './guardrail-references';
import type { EventsAnswer } from '../api-types';

/** Guardrail decisions: what was checked, the similarity score, the reference it matched and the action. */
export function GuardrailsPage() {
  const range = useTimeRange();
  const [params] = useParams();
  const events = useApi<EventsAnswer>('/api/v1/events', {
    from: range.from,
    to: range.to,
    event_type: 'guardrail',
    project_id: params.get('project_id'),
    limit: 1000,
  });
  return (
    <>
      <PageHeader title="Guardrails">
        <TimeRangePicker />
      </PageHeader>
      <GuardrailReferences />
      <h2>Guardrail log</h2>
      <Loaded state={events} what="guardrail events" isEmpty={(data) => data.events.length === 0}>
        {(data) => (
          <DataTable
            testId="guardrails-table"
            rows={data.events}
            columns={[
              { key: 'ts', label: 'Time', render: (event) => formatTime(event.ts) },
              { key: 'name', label: 'Guardrail' },
              { key: 'action', label: 'Action' },
              {
                key: 'score',
                label: 'Score',
                align: 'right',
                render: (event) => event.score.toFixed(3),
              },
              { key: 'reference', label: 'Flagged reference' },
              {
                key: 'status',
                label: 'Status',
                render: (event) => <span className={`badge ${event.status}`}>{event.status}</span>,
              },
              { key: 'run_id', label: 'Run' },
            ]}
          />
        )}
      </Loaded>
    </>
  );
}
