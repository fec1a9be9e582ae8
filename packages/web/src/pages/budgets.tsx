import { useState } from 'react';
import { sendJson } from '../api';
import {
  FormError,
  Loaded,
  useWrite,
  WriteForm,
  PageHeader,
  SortableTable,
  type Column,
} from '../components';
import { formatCount, formatPercent, formatUsd } from '../format';
import { useParams } from '../url-state';
import { useAccess, useApi } from '../use-api';
import type { BudgetsAnswer, ProjectsAnswer } from '../api-types';

/** A budget with its spend so far, as `/api/v1/budgets` and `/api/v1/admin/budgets` show it. */
type Budget = BudgetsAnswer['budgets'][number];

/** A per-minute limit, or that there is none. */
function perMinute(limit: number | null): string {
  return limit === null ? 'no limit' : formatCount(limit);
}

const SCOPES = ['org', 'project', 'key', 'user'] as const;
const PERIODS = ['month', 'day'] as const;
/** How each state looks: fine, past the warning threshold, over the limit. */
const STATE_BADGES: Record<string, string> = { ok: 'success', soft: 'half_open' };

function usedOf(budget: Budget): number {
  const limit = Number(budget.limit_usd);
  return limit > 0 ? Number(budget.spent_usd) / limit : 0;
}

/**
 * Creates a budget (no `editing`) or changes one: limit, period, warning
 * threshold and webhook. The API's error shows next to the form.
 */
function BudgetForm(props: { editing?: Budget; onDone: () => void; onCancel?: () => void }) {
  const { editing } = props;
  const [scope, setScope] = useState<Budget['scope']>(editing?.scope ?? 'org');
  return (
    <WriteForm
      testId={editing ? 'budget-edit' : 'budget-new'}
      submitLabel={editing ? 'Save' : 'Add budget'}
      onCancel={props.onCancel}
      onSubmit={async (data, form) => {
        const webhook = String(data.get('webhook_url') ?? '').trim();
        const changes = {
          period: data.get('period'),
          amount_usd: String(data.get('amount_usd') ?? '').trim(),
          soft_threshold: Number(data.get('soft_threshold')) / 100,
        };
        if (editing) {
          await sendJson('PATCH', `/api/v1/admin/budgets/${editing.id}`, {
            ...changes,
            webhook_url: webhook || null,
          });
        } else {
          const scopeId = String(data.get('scope_id') ?? '').trim();
          await sendJson('POST', '/api/v1/admin/budgets', {
            scope,
            ...(scopeId ? { scope_id: scopeId } : {}),
            ...changes,
            ...(webhook ? { webhook_url: webhook } : {}),
          });
          form.reset();
          setScope('org');
        }
        props.onDone();
      }}
    >
      {!editing && (
        <>
          <label>
            Scope
            <select
              name="scope"
              value={scope}
              onChange={(event) => setScope(event.target.value as Budget['scope'])}
            >
              {SCOPES.map((each) => (
                <option key={each}>{each}</option>
              ))}
            </select>
          </label>
          {scope !== 'org' && (
            <label>
              {scope === 'user' ? 'User id' : `${scope[0]!.toUpperCase()}${scope.slice(1)} id`}
              <input name="scope_id" required />
            </label>
          )}
        </>
      )}
      <label>
        Period
        <select name="period" defaultValue={editing?.period ?? 'month'}>
          {PERIODS.map((each) => (
            <option key={each}>{each}</option>
          ))}
        </select>
      </label>
      <label>
        Limit (USD)
        <input
          name="amount_usd"
          inputMode="decimal"
          required
          defaultValue={editing ? Number(editing.amount_usd) : ''}
        />
      </label>
      <label>
        Warn at (% of limit)
        <input
          name="soft_threshold"
          type="number"
          min="1"
          max="100"
          step="any"
          required
          defaultValue={Math.round((editing?.soft_threshold ?? 0.8) * 10_000) / 100}
        />
      </label>
      <label>
        Webhook URL (optional)
        <input name="webhook_url" type="url" defaultValue={editing?.webhook_url ?? ''} />
      </label>
    </WriteForm>
  );
}

/** Budgets with their spend so far (org admin keys create, change and delete them), and rate limits. */
export function BudgetsPage() {
  const [params] = useParams();
  const access = useAccess();
  const budgets = useApi<BudgetsAnswer>('/api/v1/budgets', {
    project_id: params.get('project_id'),
  });
  // Rate limits are the admin API's: a project key's page does not ask for them.
  const projects = useApi<ProjectsAnswer>(access.admin ? '/api/v1/admin/projects' : null);
  const [editing, setEditing] = useState<string>();
  const { error, write } = useWrite();
  const remove = (budget: Budget) =>
    write(async () => {
      await sendJson('DELETE', `/api/v1/admin/budgets/${budget.id}`);
      budgets.reload();
    });
  const columns: Column<Budget>[] = [
    { key: 'scope', label: 'Scope' },
    { key: 'scope_id', label: 'For' },
    { key: 'period', label: 'Period' },
    {
      key: 'limit_usd',
      label: 'Limit',
      align: 'right',
      value: (budget) => Number(budget.limit_usd),
      render: (budget) => formatUsd(budget.limit_usd),
    },
    {
      key: 'spent_usd',
      label: 'Spent so far',
      align: 'right',
      value: (budget) => Number(budget.spent_usd),
      render: (budget) => formatUsd(budget.spent_usd),
    },
    {
      key: 'used',
      label: 'Used',
      align: 'right',
      value: usedOf,
      render: (budget) => formatPercent(usedOf(budget)),
    },
    {
      key: 'soft_threshold',
      label: 'Warns at',
      align: 'right',
      render: (budget) => formatPercent(budget.soft_threshold),
    },
    {
      key: 'state',
      label: 'State',
      render: (budget) => (
        <span className={`badge ${STATE_BADGES[budget.state] ?? 'error'}`}>{budget.state}</span>
      ),
    },
    { key: 'webhook_url', label: 'Webhook', render: (budget) => budget.webhook_url ?? '–' },
  ];
  if (access.canEdit) {
    columns.push({
      key: 'actions',
      label: '',
      sortable: false,
      render: (budget) => (
        <>
          <button onClick={() => setEditing(budget.id)}>Edit</button>{' '}
          <button onClick={() => void remove(budget)}>Delete</button>
        </>
      ),
    });
  }
  const edited = budgets.data?.budgets.find((budget) => budget.id === editing);
  return (
    <>
      <PageHeader title="Budgets & limits" />
      <section className="panel">
        <h2>Budgets</h2>
        <FormError error={error} />
        <Loaded
          state={budgets}
          what="budgets"
          isEmpty={(data) => data.budgets.length === 0}
          emptyText="No budgets yet."
        >
          {(data) => (
            <SortableTable
              testId="budgets-table"
              rows={data.budgets}
              rowKey={(budget) => budget.id}
              columns={columns}
            />
          )}
        </Loaded>
        {access.canEdit && edited && (
          <>
            <h3>
              Change the {edited.scope} budget for {edited.scope_id}
            </h3>
            <BudgetForm
              key={edited.id}
              editing={edited}
              onDone={() => {
                setEditing(undefined);
                budgets.reload();
              }}
              onCancel={() => setEditing(undefined)}
            />
          </>
        )}
        {access.canEdit && (
          <>
            <h3>New budget</h3>
            <BudgetForm onDone={budgets.reload} />
          </>
        )}
      </section>
      {access.admin && (
        <section className="panel">
          <h2>Project rate limits</h2>
          <Loaded
            state={projects}
            what="projects"
            isEmpty={(data) => data.projects.length === 0}
            emptyText="No projects yet."
          >
            {(data) => (
              <SortableTable
                testId="project-limits"
                rows={data.projects}
                rowKey={(project) => project.id}
                columns={[
                  { key: 'name', label: 'Project' },
                  { key: 'id', label: 'Id' },
                  {
                    key: 'requests_per_minute',
                    label: 'Requests / min',
                    align: 'right',
                    value: (project) =>
                      project.rate_limits.requests_per_minute ?? Number.MAX_SAFE_INTEGER,
                    render: (project) => perMinute(project.rate_limits.requests_per_minute),
                  },
                  {
                    key: 'tokens_per_minute',
                    label: 'Tokens / min',
                    align: 'right',
                    value: (project) =>
                      project.rate_limits.tokens_per_minute ?? Number.MAX_SAFE_INTEGER,
                    render: (project) => perMinute(project.rate_limits.tokens_per_minute),
                  },
                ]}
              />
            )}
          </Loaded>
        </section>
      )}
    </>
  );
}
