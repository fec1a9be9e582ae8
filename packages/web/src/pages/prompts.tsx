import { useState } from 'react';
import { ApiFailure, sendJson, withParams } from '../api';
import { DataTable, Loaded, Notice, PageHeader, TimeRangePicker } from '../components';
import { formatCount, formatDuration, formatPercent, formatTime, formatUsd } from '../format';
import { useParams, useTimeRange } from '../url-state';
import { projectOf, useAccess, useApi } from '../use-api';
import type { PromptAnswer, PromptComparisonAnswer, PromptsAnswer } from '../api-types';

type Prompt = PromptAnswer;
type Comparison = PromptComparisonAnswer;

/** "1=0.7, 2=0.3" → the activation body's versions with their A/B weights. */
function parseWeights(text: string): { version: number; weight: number }[] {
  return text
    .split(',')
    .map((part) => part.split('=').map((each) => each.trim()))
    .map(([version, weight]) => ({ version: Number(version), weight: Number(weight ?? 1) }));
}

function PromptDetail({ name, projectId }: { name: string; projectId: string | null }) {
  const range = useTimeRange();
  const path = `/api/v1/prompts/${encodeURIComponent(name)}`;
  const prompt = useApi<Prompt>(path, { project_id: projectId });
  const comparison = useApi<Comparison>(`${path}/comparison`, {
    from: range.from,
    to: range.to,
    project_id: projectId,
  });
  const [error, setError] = useState<string>();
  const activate = async (body: unknown) => {
    try {
      await sendJson('POST', withParams(`${path}/activate`, { project_id: projectId }), body);
      setError(undefined);
      prompt.reload();
    } catch (failure) {
      setError(failure instanceof ApiFailure ? failure.message : String(failure));
    }
  };
  return (
    <div className="grid2">
      <section className="panel">
        <h2>{name}: versions</h2>
        {error && <Notice kind="error">{error}</Notice>}
        <Loaded state={prompt} what="versions">
          {(data) => (
            <>
              <DataTable
                rows={data.versions}
                columns={[
                  { key: 'version', label: 'Version', align: 'right' },
                  {
                    key: 'template',
                    label: 'Template',
                    render: (row) => row.template.slice(0, 80),
                  },
                  { key: 'model', label: 'Model', render: (row) => row.model ?? '–' },
                  {
                    key: 'created_at',
                    label: 'Created',
                    render: (row) => formatTime(row.created_at),
                  },
                  {
                    key: 'weight',
                    label: 'A/B weight',
                    value: (row) => row.weight ?? -1,
                    render: (row) => (row.active ? String(row.weight) : 'inactive'),
                  },
                  {
                    key: 'activate',
                    label: '',
                    value: () => '',
                    render: (row) => (
                      <button onClick={() => void activate({ version: row.version })}>
                        Activate alone
                      </button>
                    ),
                  },
                ]}
              />
              <form
                className="filters"
                onSubmit={(event) => {
                  event.preventDefault();
                  const text = String(new FormData(event.currentTarget).get('weights') ?? '');
                  void activate({ versions: parseWeights(text) });
                }}
              >
                <label>
                  A/B weights (admin), e.g. 1=0.7, 2=0.3
                  <input name="weights" />
                </label>
                <button type="submit">Activate</button>
              </form>
            </>
          )}
        </Loaded>
      </section>
      <section className="panel">
        <h2>Version comparison</h2>
        <Loaded
          state={comparison}
          what="calls with this prompt"
          isEmpty={(data) => data.versions.length === 0}
        >
          {(data) => (
            <DataTable
              rows={data.versions}
              columns={[
                { key: 'version', label: 'Version', align: 'right' },
                {
                  key: 'executions',
                  label: 'Calls',
                  align: 'right',
                  render: (row) => formatCount(row.executions),
                },
                {
                  key: 'success_rate',
                  label: 'Success',
                  align: 'right',
                  value: (row) => row.success_rate ?? -1,
                  render: (row) => formatPercent(row.success_rate),
                },
                {
                  key: 'latency_p95_ms',
                  label: 'p95',
                  align: 'right',
                  render: (row) => formatDuration(row.latency_p95_ms),
                },
                {
                  key: 'cost_avg_usd',
                  label: 'Cost / call',
                  align: 'right',
                  value: (row) => Number(row.cost_avg_usd ?? 0),
                  render: (row) => formatUsd(row.cost_avg_usd),
                },
                {
                  key: 'feedback_avg',
                  label: 'Feedback',
                  align: 'right',
                  value: (row) => row.feedback_avg ?? -1,
                  render: (row) => row.feedback_avg?.toFixed(2) ?? '–',
                },
              ]}
            />
          )}
        </Loaded>
      </section>
    </div>
  );
}

/** Prompts of a project, their versions (activation, A/B weights) and the comparison of versions. */
export function PromptsPage() {
  const [params, setParams] = useParams();
  const access = useAccess();
  // Prompts belong to a project: the chosen one, the key's own, or an org's only one.
  const projectId = projectOf(access, params.get('project_id'));
  const prompts = useApi<PromptsAnswer>(projectId ? '/api/v1/prompts' : null, {
    project_id: projectId,
  });
  const name = params.get('prompt');
  if (!access.loading && !projectId) {
    return (
      <>
        <PageHeader title="Prompts" />
        <Notice kind="empty">Choose a project above to see its prompts.</Notice>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Prompts">
        <TimeRangePicker />
      </PageHeader>
      <Loaded
        state={prompts}
        what="prompts"
        isEmpty={(data) => data.prompts.length === 0}
        emptyText="No prompts in this project yet."
      >
        {(data) => (
          <DataTable
            testId="prompts-table"
            rows={data.prompts}
            onSelect={(prompt) => setParams({ prompt: prompt.name })}
            columns={[
              { key: 'name', label: 'Name' },
              {
                key: 'versions',
                label: 'Versions',
                align: 'right',
                value: (row) => row.versions.length,
                render: (row) => row.versions.length,
              },
              {
                key: 'active',
                label: 'Active',
                value: (row) => row.versions.filter((version) => version.active).length,
                render: (row) =>
                  row.versions
                    .filter((version) => version.active)
                    .map((version) => `v${version.version} (${version.weight})`)
                    .join(', ') || 'none',
              },
              { key: 'created_at', label: 'Created', render: (row) => formatTime(row.created_at) },
            ]}
          />
        )}
      </Loaded>
      {name && <PromptDetail name={name} projectId={projectId} />}
    </>
  );
}
