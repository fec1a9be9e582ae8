import { useState } from 'react';
import { sendJson } from '../api';
import {
  FormError,
  Loaded,
  Notice,
  useWrite,
  WriteForm,
  PageHeader,
  SortableTable,
  TimeRangePicker,
} from '../components';
import { formatTime } from '../format';
import { useTimeRange } from '../url-state';
import { useAccess, useApi } from '../use-api';
import type { EventAnswer } from '../api-types';

interface Rule {
  id: string;
  name: string;
  kind: 'cost' | 'error_rate' | 'p95_latency' | 'breaker_open';
  enabled: boolean;
  firing: boolean;
  project?: string;
  thresholdUsd?: number;
  thresholdPercent?: number;
  thresholdMs?: number;
  forSeconds?: number;
  per?: string;
  webhook: { url: string; format: string };
}
type AlertEvent = Omit<EventAnswer, 'metadata'> & {
  /** Free JSON in the API; an alert event's carries its state and summary. */
  metadata: { state?: string; summary?: string };
};

/** The threshold field of each kind, and how it reads. */
const KINDS = {
  cost: { field: 'thresholdUsd', label: 'Cost per hour over (USD)' },
  error_rate: { field: 'thresholdPercent', label: 'Error rate over (%)' },
  p95_latency: { field: 'thresholdMs', label: 'p95 latency over (ms)' },
  breaker_open: { field: 'forSeconds', label: 'Breaker open longer than (s)' },
} as const;

function thresholdOf(rule: Rule): string {
  switch (rule.kind) {
    case 'cost':
      return `cost > $${rule.thresholdUsd} per ${rule.per}`;
    case 'error_rate':
      return `errors > ${rule.thresholdPercent}%`;
    case 'p95_latency':
      return `p95 > ${rule.thresholdMs} ms`;
    case 'breaker_open':
      return `breaker open > ${rule.forSeconds} s`;
  }
}

/** The threshold a rule has now, for its kind. */
function thresholdValueOf(rule: Rule): number | undefined {
  return rule[KINDS[rule.kind].field];
}

/**
 * Adds a rule (no `editing`) or changes one: its name, threshold and webhook
 * (a rule keeps its kind and project). The API's error shows next to the form.
 */
function RuleForm(props: { editing?: Rule; onDone: () => void; onCancel?: () => void }) {
  const { editing } = props;
  const [kind, setKind] = useState<keyof typeof KINDS>(editing?.kind ?? 'error_rate');
  return (
    <WriteForm
      testId={editing ? 'edit-alert' : 'new-alert'}
      submitLabel={editing ? 'Save' : 'Add rule'}
      onCancel={props.onCancel}
      onSubmit={async (data, form) => {
        const fields: Record<string, unknown> = {
          name: data.get('name'),
          [KINDS[kind].field]: Number(data.get('threshold')),
          webhook: { url: data.get('url'), format: data.get('format') },
        };
        if (editing) {
          await sendJson('PATCH', `/api/v1/admin/alerts/${editing.id}`, fields);
        } else {
          await sendJson('POST', '/api/v1/admin/alerts', {
            ...fields,
            kind,
            ...(kind === 'cost' ? { per: 'hour' } : {}),
            ...(data.get('project') ? { project: data.get('project') } : {}),
          });
          form.reset();
        }
        props.onDone();
      }}
    >
      <label>
        Name
        <input name="name" required defaultValue={editing?.name} />
      </label>
      {!editing && (
        <label>
          Kind
          <select
            value={kind}
            onChange={(event) => setKind(event.target.value as keyof typeof KINDS)}
          >
            {Object.keys(KINDS).map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
      )}
      <label>
        {KINDS[kind].label}
        <input
          name="threshold"
          type="number"
          step="any"
          required
          defaultValue={editing && thresholdValueOf(editing)}
        />
      </label>
      {!editing && (
        <label>
          Project id (optional)
          <input name="project" />
        </label>
      )}
      <label>
        Webhook URL
        <input name="url" type="url" required defaultValue={editing?.webhook.url} />
      </label>
      <label>
        Format
        <select name="format" defaultValue={editing?.webhook.format ?? 'slack'}>
          <option>slack</option>
          <option>discord</option>
          <option>generic</option>
        </select>
      </label>
    </WriteForm>
  );
}

/** Alert rules (org admin keys manage them) and the alerts that fired or resolved. */
export function AlertsPage() {
  const range = useTimeRange();
  const performance = useApi<{ events: AlertEvent[] }>('/api/v1/events', {
    from: range.from,
    to: range.to,
    event_type: 'performance_alert',
    limit: 200,
  });
  const cost = useApi<{ events: AlertEvent[] }>('/api/v1/events', {
    from: range.from,
    to: range.to,
    event_type: 'cost_threshold_exceeded',
    limit: 200,
  });
  const access = useAccess();
  // Alert rules are the admin API's: a project key's page does not ask for them.
  const rules = useApi<{ rules: Rule[] }>(access.admin ? '/api/v1/admin/alerts' : null);
  const { error, write } = useWrite();
  const [editing, setEditing] = useState<string>();
  const act = (method: string, rule: Rule, body?: unknown) =>
    write(async () => {
      await sendJson(method, `/api/v1/admin/alerts/${rule.id}`, body);
      rules.reload();
    });
  const edited = rules.data?.rules.find((rule) => rule.id === editing);
  return (
    <>
      <PageHeader title="Alerts">
        <TimeRangePicker />
      </PageHeader>
      <section className="panel">
        <h2>Rules</h2>
        <FormError error={error} />
        {!access.loading && !access.admin && (
          <Notice kind="unavailable">Alert rules are managed with an org admin key.</Notice>
        )}
        {access.admin && (
          <Loaded
            state={rules}
            what="alert rules"
            isEmpty={(data) => data.rules.length === 0}
            // Rules are not bounded by the time range: the empty state says there are none yet.
            emptyText="No alert rules yet."
          >
            {(data) => (
              <SortableTable
                testId="alert-rules"
                rows={data.rules}
                rowKey={(rule) => rule.id}
                columns={[
                  { key: 'name', label: 'Name' },
                  { key: 'kind', label: 'Kind' },
                  {
                    key: 'threshold',
                    label: 'Fires when',
                    value: thresholdOf,
                    render: thresholdOf,
                  },
                  { key: 'project', label: 'Scope', render: (rule) => rule.project ?? 'whole org' },
                  {
                    key: 'webhook',
                    label: 'Webhook',
                    value: (rule) => rule.webhook.format,
                    render: (rule) => rule.webhook.format,
                  },
                  {
                    key: 'firing',
                    label: 'State',
                    value: (rule) => String(rule.firing),
                    render: (rule) => (
                      <span className={`badge ${rule.firing ? 'error' : 'success'}`}>
                        {rule.firing ? 'firing' : 'ok'}
                      </span>
                    ),
                  },
                  {
                    key: 'enabled',
                    label: 'Enabled',
                    value: (rule) => String(rule.enabled),
                    render: (rule) => (
                      <input
                        type="checkbox"
                        aria-label={`${rule.name} enabled`}
                        checked={rule.enabled}
                        disabled={!access.canEdit}
                        onChange={() => void act('PATCH', rule, { enabled: !rule.enabled })}
                      />
                    ),
                  },
                  ...(access.canEdit
                    ? [
                        {
                          key: 'actions',
                          label: '',
                          sortable: false,
                          render: (rule: Rule) => (
                            <>
                              <button onClick={() => setEditing(rule.id)}>Edit</button>{' '}
                              <button onClick={() => void act('DELETE', rule)}>Delete</button>
                            </>
                          ),
                        },
                      ]
                    : []),
                ]}
              />
            )}
          </Loaded>
        )}
        {access.canEdit && edited && (
          <>
            <h3>Change {edited.name}</h3>
            <RuleForm
              key={edited.id}
              editing={edited}
              onDone={() => {
                setEditing(undefined);
                rules.reload();
              }}
              onCancel={() => setEditing(undefined)}
            />
          </>
        )}
        {access.canEdit && (
          <>
            <h3>New rule</h3>
            <RuleForm onDone={rules.reload} />
          </>
        )}
      </section>
      <section className="panel">
        <h2>Fired and resolved</h2>
        <Loaded
          state={performance}
          what="alerts"
          isEmpty={(data) => data.events.length + (cost.data?.events.length ?? 0) === 0}
        >
          {(data) => (
            <SortableTable
              rows={[...data.events, ...(cost.data?.events ?? [])].sort((a, b) =>
                b.ts.localeCompare(a.ts),
              )}
              columns={[
                { key: 'ts', label: 'Time', render: (event) => formatTime(event.ts) },
                { key: 'name', label: 'Rule' },
                {
                  key: 'state',
                  label: 'State',
                  value: (event) => event.metadata.state ?? '',
                  render: (event) => event.metadata.state,
                },
                {
                  key: 'summary',
                  label: 'What',
                  value: (event) => event.metadata.summary ?? '',
                  render: (event) => event.metadata.summary,
                },
              ]}
            />
          )}
        </Loaded>
      </section>
    </>
  );
}
