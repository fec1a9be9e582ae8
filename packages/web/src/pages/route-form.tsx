import { useState } from 'react';
import { sendJson } from '../api';
import { WriteForm } from '../components';

/** A deployment as the admin API stores it (defaults applied); other fields are kept as they are. */
export interface DeploymentConfig {
  id?: string;
  provider: string;
  model: string;
  credential?: string;
  baseUrl?: string;
  priority: number;
  weight: number;
  timeoutMs: number;
  maxRetries: number;
  [other: string]: unknown;
}

export interface RouteConfig {
  deployments: DeploymentConfig[];
  cacheTtlSeconds?: number;
  [other: string]: unknown;
}

/** The API's providers (`PROVIDER_NAMES` in the core package); it refuses any other. */
export const PROVIDERS = [
  'openai',
  'azure-openai',
  'openai-compatible',
  'anthropic',
  'gemini',
  'simulated',
] as const;

/** The fields the form edits, as the inputs hold them (text: an empty number means the default). */
const EDITED = [
  'id',
  'provider',
  'model',
  'credential',
  'baseUrl',
  'priority',
  'weight',
  'timeoutMs',
  'maxRetries',
] as const;
type Draft = Record<(typeof EDITED)[number], string> & { original: Record<string, unknown> };
const NUMBERS = new Set(['priority', 'weight', 'timeoutMs', 'maxRetries']);

function draftOf(deployment?: DeploymentConfig): Draft {
  const draft = { original: { ...deployment } } as Draft;
  for (const field of EDITED) {
    const value = deployment?.[field];
    draft[field] = value === undefined ? '' : String(value);
  }
  if (!deployment) draft.provider = 'simulated';
  return draft;
}

/**
 * The deployment as the API takes it: the edited fields over the stored ones
 * (headers, options, apiVersion stay); an empty field is left out, so the
 * API's default applies. Numbers go as typed: the API says what is wrong.
 */
function bodyOf(draft: Draft): Record<string, unknown> {
  const body: Record<string, unknown> = { ...draft.original };
  for (const field of EDITED) {
    const text = draft[field].trim();
    if (text === '') delete body[field];
    else body[field] = NUMBERS.has(field) ? Number(text) : text;
  }
  return body;
}

const LABELS: Record<Exclude<(typeof EDITED)[number], 'provider' | 'credential'>, string> = {
  id: 'Deployment id',
  model: 'Upstream model',
  baseUrl: 'Base URL',
  priority: 'Priority',
  weight: 'Weight',
  timeoutMs: 'Timeout (ms)',
  maxRetries: 'Retries',
};

/** What an empty field means: the API's default. */
const PLACEHOLDERS: Partial<Record<(typeof EDITED)[number], string>> = {
  priority: '0',
  weight: '1',
  timeoutMs: '60000',
  maxRetries: '1',
  baseUrl: "the provider's",
};

/**
 * `drafts` with the one at `from` dragged to `to`, priorities renumbered to
 * follow the new order from 0: neighbours that shared a priority keep sharing
 * one (their weights split the traffic), the dragged deployment gets its own.
 */
function dragged(drafts: Draft[], from: number, to: number): Draft[] {
  const next = [...drafts];
  const [moved] = next.splice(from, 1);
  next.splice(to, 0, moved!);
  const priorityOf = (draft: Draft) => Number(draft.priority || 0);
  let priority = 0;
  return next.map((draft, index) => {
    const before = next[index - 1];
    const tied =
      before !== undefined &&
      draft !== moved &&
      before !== moved &&
      priorityOf(before) === priorityOf(draft);
    if (index > 0 && !tied) priority += 1;
    return { ...draft, priority: String(priority) };
  });
}

/** Lower priority first (the order calls try them), the stored order within a priority. */
const byPriority = (a: DeploymentConfig, b: DeploymentConfig) => a.priority - b.priority;

/**
 * Creates a route (no `model`) or replaces one through `PUT /api/v1/admin/routes/:model`:
 * its deployments with priority (lower first), weight (share within a priority),
 * per-attempt timeout and retries. The API's validation message shows below the form.
 * Deployments are listed in the order calls try them; dragging one by its handle onto
 * another puts it there and renumbers the priorities to match (`dragged`); Up and Down
 * only reorder the list.
 */
export function RouteForm(props: {
  model?: string;
  config?: RouteConfig;
  credentials: string[];
  onDone: () => void;
  onCancel?: () => void;
}) {
  const editing = props.model !== undefined;
  const [drafts, setDrafts] = useState<Draft[]>(() =>
    props.config ? [...props.config.deployments].sort(byPriority).map(draftOf) : [draftOf()],
  );
  const [dragging, setDragging] = useState<number | undefined>();
  const change = (index: number, field: (typeof EDITED)[number], value: string) =>
    setDrafts(drafts.map((draft, at) => (at === index ? { ...draft, [field]: value } : draft)));
  const move = (index: number, by: number) => {
    const next = [...drafts];
    const [moved] = next.splice(index, 1);
    next.splice(index + by, 0, moved!);
    setDrafts(next);
  };
  return (
    <WriteForm
      testId={editing ? 'route-edit' : 'route-new'}
      submitLabel={editing ? 'Save route' : 'Add route'}
      onCancel={props.onCancel}
      onSubmit={async (data, form) => {
        const model = props.model ?? String(data.get('model') ?? '').trim();
        const ttl = String(data.get('cacheTtlSeconds') ?? '').trim();
        const body: Record<string, unknown> = { ...props.config, deployments: drafts.map(bodyOf) };
        delete body.model;
        if (ttl === '') delete body.cacheTtlSeconds;
        else body.cacheTtlSeconds = Number(ttl);
        await sendJson('PUT', `/api/v1/admin/routes/${encodeURIComponent(model)}`, body);
        if (!editing) {
          form.reset();
          setDrafts([draftOf()]);
        }
        props.onDone();
      }}
    >
      {!editing && (
        <label>
          Model name
          <input name="model" required placeholder="chat" />
        </label>
      )}
      <label>
        Cache TTL (s)
        <input
          name="cacheTtlSeconds"
          type="number"
          defaultValue={props.config?.cacheTtlSeconds ?? ''}
          placeholder="0"
        />
      </label>
      {drafts.map((draft, index) => (
        <fieldset
          key={index}
          data-testid="route-deployment"
          className={index === dragging ? 'filters dragging' : 'filters'}
          onDragOver={(event) => {
            if (dragging !== undefined) event.preventDefault();
          }}
          onDrop={(event) => {
            event.preventDefault();
            if (dragging !== undefined && dragging !== index) {
              setDrafts(dragged(drafts, dragging, index));
            }
            setDragging(undefined);
          }}
        >
          <legend>
            <span
              className="drag-handle"
              draggable
              title="Drag onto another deployment to put it there; priorities follow the order"
              aria-label={`Drag deployment ${index + 1}`}
              data-testid="deployment-drag"
              onDragStart={(event) => {
                event.dataTransfer.effectAllowed = 'move';
                event.dataTransfer.setData('text/plain', String(index));
                setDragging(index);
              }}
              onDragEnd={() => setDragging(undefined)}
            >
              ⠿
            </span>{' '}
            Deployment {index + 1}
          </legend>
          <label>
            Provider
            <select
              value={draft.provider}
              onChange={(event) => change(index, 'provider', event.target.value)}
            >
              {PROVIDERS.map((provider) => (
                <option key={provider}>{provider}</option>
              ))}
            </select>
          </label>
          {(
            ['model', 'id', 'priority', 'weight', 'timeoutMs', 'maxRetries', 'baseUrl'] as const
          ).map((field) => (
            <label key={field}>
              {LABELS[field]}
              <input
                type={NUMBERS.has(field) ? 'number' : 'text'}
                step={NUMBERS.has(field) ? 'any' : undefined}
                required={field === 'model'}
                value={draft[field]}
                placeholder={
                  field === 'id' ? `${draft.provider}:${draft.model}` : PLACEHOLDERS[field]
                }
                onChange={(event) => change(index, field, event.target.value)}
              />
            </label>
          ))}
          <label>
            Credential
            <select
              value={draft.credential}
              onChange={(event) => change(index, 'credential', event.target.value)}
            >
              <option value="">none</option>
              {props.credentials.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
          <button type="button" disabled={index === 0} onClick={() => move(index, -1)}>
            Up
          </button>
          <button
            type="button"
            disabled={index === drafts.length - 1}
            onClick={() => move(index, 1)}
          >
            Down
          </button>
          <button
            type="button"
            disabled={drafts.length === 1}
            onClick={() => setDrafts(drafts.filter((_, at) => at !== index))}
          >
            Remove deployment
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={() => setDrafts([...drafts, draftOf()])}>
        Add deployment
      </button>
    </WriteForm>
  );
}
