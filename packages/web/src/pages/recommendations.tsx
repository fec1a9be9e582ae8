import { Loaded, PageHeader, SortableTable, Stat, TimeRangePicker } from '../components';
import { formatCount, formatDuration, formatPercent, formatTime, formatUsd } from '../format';
import { useParams, useTimeRange } from '../url-state';
import { useApi } from '../use-api';
import type { RecommendationsAnswer } from '../api-types';

type Answer = RecommendationsAnswer;
type Recommendation = Answer['recommendations'][number];
type Usage = Extract<Recommendation, { kind: 'cheaper_model' }>['evidence']['current'];
type Bounds = Answer['bounds'];
/** A saving; the price list may not tell one (prompt caching): null amounts, and the reason. */
interface MaybeSaving {
  saving_usd: string | null;
  monthly_saving_usd: string | null;
  saving_unknown?: string;
}
interface Saving extends MaybeSaving {
  saving_usd: string;
  monthly_saving_usd: string;
}

const ofKind = <Kind extends Recommendation['kind']>(answer: Answer, kind: Kind) =>
  answer.recommendations.filter(
    (item): item is Extract<Recommendation, { kind: Kind }> => item.kind === kind,
  );

/** The sum of exact decimal USD strings, for display only (unknown savings are left out). */
const monthlyTotal = (items: MaybeSaving[]) =>
  items.reduce((sum, item) => sum + Number(item.monthly_saving_usd ?? 0), 0);

const usageText = (usage: Usage) =>
  `${formatCount(usage.calls)} calls · ${formatPercent(usage.success_rate)} ok · p95 ${formatDuration(usage.latency_p95_ms)} · ${formatUsd(usage.cost_usd)}`;

/**
 * Where the recorded traffic could cost less (`GET /api/v1/analytics/recommendations`):
 * a cheaper model on the same prompt within the stated bounds, identical requests a
 * response cache would have answered, long shared prompt prefixes provider prompt caching
 * would discount, unpriced models and budgets projected to run out;
 * each with its evidence and the exact saving in the range and per month.
 */
export function RecommendationsPage() {
  const range = useTimeRange();
  const [params] = useParams();
  const answer = useApi<Answer>('/api/v1/analytics/recommendations', {
    from: range.from,
    to: range.to,
    project_id: params.get('project_id'),
  });
  return (
    <>
      <PageHeader title="Recommendations">
        <TimeRangePicker />
      </PageHeader>
      <Loaded
        state={answer}
        what="recommendations"
        isEmpty={(data) => data.recommendations.length === 0}
        emptyText="No recommendation for this time range: the traffic meets none of the rules below."
      >
        {(data) => <Recommendations answer={data} />}
      </Loaded>
      {answer.data && <BoundsNote bounds={answer.data.bounds} />}
    </>
  );
}

function BoundsNote({ bounds }: { bounds: Bounds }) {
  return (
    <section className="panel" data-testid="recommendation-bounds">
      <h2>Rules</h2>
      <p>
        A cheaper model is suggested when both models served at least {bounds.min_calls} calls of
        the same prompt in the range, its success rate is at most{' '}
        {bounds.max_success_rate_drop_points} points lower and its p95 latency at most{' '}
        {Math.round(bounds.max_p95_latency_increase * 100)}% higher. Repeats are successful,
        uncached calls with the same model and input seen {bounds.min_identical_calls} times or
        more. Prompt caching is suggested when {bounds.min_prefix_calls} or more successful calls of
        a model open with the same messages (those before the last user message), estimated at{' '}
        {bounds.min_cacheable_prefix_tokens} tokens or more, none yet read from the cache; a call
        within {bounds.prompt_cache_ttl_minutes} minutes of the previous one counts as a cache read,
        any other as a cache write. Monthly figures continue the range&apos;s rate over{' '}
        {bounds.month_days} days.
      </p>
    </section>
  );
}

function Recommendations({ answer }: { answer: Answer }) {
  const cheaper = ofKind(answer, 'cheaper_model');
  const repeated = ofKind(answer, 'repeated_requests');
  const caching = ofKind(answer, 'prompt_caching');
  const unpriced = ofKind(answer, 'unpriced_model');
  const budgets = ofKind(answer, 'budget_projection');
  return (
    <>
      <section className="stats">
        <Stat
          label="Cheaper models, per month"
          value={formatUsd(monthlyTotal(cheaper))}
          testId="saving-cheaper"
        />
        <Stat
          label="Response cache, per month"
          value={formatUsd(monthlyTotal(repeated))}
          testId="saving-cache"
        />
        <Stat
          label="Prompt caching, per month"
          value={formatUsd(monthlyTotal(caching))}
          testId="saving-prompt-caching"
        />
        <Stat label="Unpriced models" value={formatCount(unpriced.length)} />
        <Stat label="Budgets running out" value={formatCount(budgets.length)} />
      </section>
      {cheaper.length > 0 && (
        <section className="panel">
          <h2>Cheaper model on the same prompt</h2>
          <SortableTable
            testId="cheaper-model-table"
            rows={cheaper}
            columns={[
              { key: 'prompt_name', label: 'Prompt', render: (row) => row.prompt_name || '(none)' },
              { key: 'current_model', label: 'Now' },
              { key: 'suggested_model', label: 'Instead' },
              {
                key: 'evidence',
                label: 'Evidence',
                sortable: false,
                render: (row) => (
                  <>
                    {row.current_model}: {usageText(row.evidence.current)}
                    <br />
                    {row.suggested_model}: {usageText(row.evidence.suggested)}
                  </>
                ),
              },
              savingColumn(),
              monthlyColumn(),
            ]}
          />
        </section>
      )}
      {repeated.length > 0 && (
        <section className="panel">
          <h2>Identical requests the response cache would have answered</h2>
          <SortableTable
            testId="repeated-requests-table"
            rows={repeated}
            columns={[
              { key: 'model', label: 'Model' },
              { key: 'input_sample', label: 'Input' },
              {
                key: 'repeats',
                label: 'Repeats',
                align: 'right',
                value: (row) => row.evidence.repeats,
                render: (row) =>
                  `${formatCount(row.evidence.repeats)} of ${formatCount(row.evidence.identical_calls)}`,
              },
              {
                key: 'last_seen',
                label: 'Last seen',
                value: (row) => row.evidence.last_seen,
                render: (row) => formatTime(row.evidence.last_seen),
              },
              savingColumn(),
              monthlyColumn(),
            ]}
          />
        </section>
      )}
      {caching.length > 0 && (
        <section className="panel">
          <h2>Long shared prompt prefixes provider prompt caching would discount</h2>
          <SortableTable
            testId="prompt-caching-table"
            rows={caching}
            columns={[
              { key: 'model', label: 'Model', render: (row) => `${row.provider} ${row.model}` },
              { key: 'prompt_name', label: 'Prompt', render: (row) => row.prompt_name || '(none)' },
              { key: 'prefix_sample', label: 'Shared prefix' },
              {
                key: 'evidence',
                label: 'Evidence',
                sortable: false,
                render: (row) => (
                  <>
                    {formatCount(row.evidence.calls)} calls (
                    {formatCount(row.evidence.distinct_inputs)} different) open with{' '}
                    {formatCount(row.evidence.prefix_messages)} message(s) of ~
                    {formatCount(row.evidence.estimated_prefix_tokens)} tokens;{' '}
                    {formatCount(row.evidence.cache_reads)} cache reads,{' '}
                    {formatCount(row.evidence.cache_writes)} writes;{' '}
                    {formatTime(row.evidence.first_seen)} to {formatTime(row.evidence.last_seen)}
                    <br />
                    {row.action}
                  </>
                ),
              },
              maybeSavingColumn('saving_usd', 'Saving in range'),
              maybeSavingColumn('monthly_saving_usd', 'Per month'),
            ]}
          />
        </section>
      )}
      {budgets.length > 0 && (
        <section className="panel">
          <h2>Budgets projected to run out before the period ends</h2>
          <SortableTable
            testId="budget-projection-table"
            rows={budgets}
            columns={[
              { key: 'scope', label: 'Budget', render: (row) => `${row.scope} ${row.scope_id}` },
              { key: 'period', label: 'Period' },
              {
                key: 'spent',
                label: 'Spent / amount',
                render: (row) =>
                  `${formatUsd(row.evidence.spent_usd)} / ${formatUsd(row.evidence.amount_usd)}`,
              },
              {
                key: 'projected_spend_usd',
                label: 'Projected',
                align: 'right',
                render: (row) => formatUsd(row.projected_spend_usd),
              },
              {
                key: 'runs_out_at',
                label: 'Runs out',
                render: (row) => (row.exhausted ? 'already spent' : formatTime(row.runs_out_at)),
              },
              {
                key: 'period_ends_at',
                label: 'Period ends',
                render: (row) => formatTime(row.period_ends_at),
              },
            ]}
          />
        </section>
      )}
      {unpriced.length > 0 && (
        <section className="panel">
          <h2>Models without a price (their cost is unknown, not $0)</h2>
          <SortableTable
            testId="unpriced-recommendation-table"
            rows={unpriced}
            columns={[
              { key: 'model', label: 'Model' },
              { key: 'provider', label: 'Provider' },
              {
                key: 'calls',
                label: 'Calls',
                align: 'right',
                value: (row) => row.evidence.calls,
                render: (row) => formatCount(row.evidence.calls),
              },
              {
                key: 'last_seen',
                label: 'Last seen',
                render: (row) => formatTime(row.evidence.last_seen),
              },
            ]}
          />
          <p>Add their prices on the Costs page.</p>
        </section>
      )}
    </>
  );
}

function savingColumn<Row extends Saving>() {
  return {
    key: 'saving_usd',
    label: 'Saving in range',
    align: 'right' as const,
    value: (row: Row) => Number(row.saving_usd),
    render: (row: Row) => <span data-usd={row.saving_usd}>{formatUsd(row.saving_usd)}</span>,
  };
}

function monthlyColumn<Row extends Saving>() {
  return {
    key: 'monthly_saving_usd',
    label: 'Per month',
    align: 'right' as const,
    value: (row: Row) => Number(row.monthly_saving_usd),
    render: (row: Row) => (
      <span data-usd={row.monthly_saving_usd}>{formatUsd(row.monthly_saving_usd)}</span>
    ),
  };
}

/** A saving column that shows "unknown" (with the reason) where the price list cannot tell, never $0. */
function maybeSavingColumn<Row extends MaybeSaving>(
  key: 'saving_usd' | 'monthly_saving_usd',
  label: string,
) {
  return {
    key,
    label,
    align: 'right' as const,
    value: (row: Row) => (row[key] === null ? -1 : Number(row[key])),
    render: (row: Row) =>
      row[key] === null ? (
        <span title={row.saving_unknown}>unknown</span>
      ) : (
        <span data-usd={row[key]}>{formatUsd(row[key])}</span>
      ),
  };
}
