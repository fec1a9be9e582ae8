import { sendJson, type Params } from '../api';
import { Loaded, SortableTable, WriteForm } from '../components';
import { formatCount, formatTime } from '../format';
import { useAccess, useApi } from '../use-api';
import type { CostSummaryAnswer } from '../api-types';

type CostSummary = CostSummaryAnswer;

/**
 * Calls recorded without a price: counted apart (their cost is unknown, not
 * $0) with, for an org admin, a form per model that adds its price through
 * the admin price API (`PUT /api/v1/admin/prices`, audited).
 */
export function UnpricedModels(props: { scope: Params }) {
  const summary = useApi<CostSummary>('/api/v1/analytics/cost/summary', props.scope);
  const access = useAccess();
  return (
    <section className="panel" data-testid="unpriced-models">
      <Loaded state={summary} what="unpriced calls" isEmpty={(data) => data.unpriced.calls === 0}>
        {(data) => (
          <>
            <h2>
              Unpriced calls: {formatCount(data.unpriced.calls)} (cost unknown, not in the totals)
            </h2>
            <SortableTable
              testId="unpriced-table"
              rows={data.unpriced.models}
              columns={[
                { key: 'model', label: 'Model', render: (row) => row.model || '(none)' },
                { key: 'provider', label: 'Provider' },
                {
                  key: 'calls',
                  label: 'Calls',
                  align: 'right',
                  render: (row) => formatCount(row.calls),
                },
                {
                  key: 'last_seen',
                  label: 'Last seen',
                  render: (row) => formatTime(row.last_seen),
                },
                {
                  key: 'price',
                  label: 'Add its price (USD per million tokens)',
                  render: (row) =>
                    access.canEdit ? (
                      <PriceForm model={row.model} onDone={summary.reload} />
                    ) : (
                      'an org admin can add it'
                    ),
                },
              ]}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}

function PriceForm(props: { model: string; onDone: () => void }) {
  return (
    <WriteForm
      testId={`price-form-${props.model}`}
      submitLabel="Save price"
      onSubmit={async (data) => {
        await sendJson('PUT', '/api/v1/admin/prices', {
          model: props.model,
          price: { input: Number(data.get('input')), output: Number(data.get('output')) },
        });
        props.onDone();
      }}
    >
      <input name="input" type="number" min="0" step="any" required placeholder="input" />
      <input name="output" type="number" min="0" step="any" required placeholder="output" />
    </WriteForm>
  );
}
