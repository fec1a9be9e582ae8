import { useMemo, useState, type ReactNode } from 'react';
import { ApiFailure } from './api';
import {
  ORG_PARAMETER,
  RANGES,
  useParams,
  useSelectedOrgId,
  useTimeRange,
  type RangeName,
} from './url-state';
import { useAccess, useApi, type ApiState } from './use-api';

/** For org keys: all projects or one (`project_id` in the URL). A project key sees only its own. */
export function ProjectPicker() {
  const [params, setParams] = useParams();
  const projects = useApi<{ projects: { id: string; name: string }[] }>('/api/v1/admin/projects');
  if (!projects.data) return null;
  return (
    <select
      aria-label="Project"
      value={params.get('project_id') ?? ''}
      onChange={(event) => setParams({ project_id: event.target.value })}
    >
      <option value="">All projects</option>
      {projects.data.projects.map((project) => (
        <option key={project.id} value={project.id}>
          {project.name}
        </option>
      ))}
    </select>
  );
}

export function TimeRangePicker() {
  const [, setParams] = useParams();
  const range = useTimeRange();
  return (
    <div className="range" data-testid="time-range" data-from={range.from} data-to={range.to}>
      {(Object.keys(RANGES) as RangeName[]).map((name) => (
        <button
          key={name}
          className={name === range.name ? 'active' : ''}
          onClick={() => setParams({ range: name })}
        >
          {name}
        </button>
      ))}
    </div>
  );
}

/** Text filters bound to URL parameters (`name` → label). */
export function Filters({ fields }: { fields: Record<string, string> }) {
  const [params, setParams] = useParams();
  return (
    <form
      className="filters"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        setParams(
          Object.fromEntries(
            Object.keys(fields).map((name) => [name, String(data.get(name) ?? '')]),
          ),
        );
      }}
    >
      {Object.entries(fields).map(([name, label]) => (
        <label key={name}>
          {label}
          <input name={name} defaultValue={params.get(name) ?? ''} key={params.get(name) ?? ''} />
        </label>
      ))}
      <button type="submit">Apply</button>
    </form>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      <div className="tools">
        <ProjectPicker />
        {children}
      </div>
    </header>
  );
}

export function Stat(props: {
  label: string;
  value: string;
  raw?: string | number;
  testId?: string;
  hint?: string;
}) {
  return (
    <div className="stat" data-testid={props.testId} data-value={props.raw}>
      <div className="label">{props.label}</div>
      <div className="value">{props.value}</div>
      {props.hint && <div className="hint">{props.hint}</div>}
    </div>
  );
}

export function Failure({ error, what }: { error: ApiFailure; what: string }) {
  if (error.status === 400 && error.field === 'project_id') {
    return <Notice kind="empty">Choose a project above to see its {what}.</Notice>;
  }
  if (error.status === 404 && error.code === 'not_found' && /route/i.test(error.message)) {
    return <Notice kind="unavailable">{what} is not available on this server yet.</Notice>;
  }
  if (error.status === 404)
    return (
      <Notice kind="unavailable">
        {what}: {error.message}
      </Notice>
    );
  if (error.status === 403)
    return (
      <Notice kind="unavailable">
        {what} needs another key: {error.message}
      </Notice>
    );
  return (
    <Notice kind="error">
      Could not load {what}: {error.message}
    </Notice>
  );
}

export function Notice({
  kind,
  children,
}: {
  kind: 'empty' | 'loading' | 'error' | 'unavailable';
  children: ReactNode;
}) {
  return (
    <div className={`notice ${kind}`} data-testid={`state-${kind}`}>
      {children}
    </div>
  );
}

/** Loading, error and empty states around a loaded value. */
export function Loaded<T>(props: {
  state: ApiState<T>;
  what: string;
  isEmpty?: (data: T) => boolean;
  /** What the empty state says; by default that the time range holds none. */
  emptyText?: string;
  children: (data: T) => ReactNode;
}) {
  const { data, error, loading } = props.state;
  if (error) return <Failure error={error} what={props.what} />;
  if (loading || data === undefined) return <Notice kind="loading">Loading {props.what}…</Notice>;
  if (props.isEmpty?.(data)) {
    return (
      <Notice kind="empty">{props.emptyText ?? `No ${props.what} in this time range.`}</Notice>
    );
  }
  return <>{props.children(data)}</>;
}

export interface Column<Row> {
  key: string;
  label: string;
  render?: (row: Row) => ReactNode;
  /** What the column sorts by; the raw field by default. */
  value?: (row: Row) => string | number;
  align?: 'right';
  /** False for a column of controls (edit, delete) that sorting means nothing for. */
  sortable?: boolean;
}

/**
 * The dashboard's one table: sorts by any column (click its header: descending
 * first, again for ascending) and pages by `pageSize`.
 */
export function SortableTable<Row>(props: {
  rows: readonly Row[];
  columns: Column<Row>[];
  pageSize?: number;
  onSelect?: (row: Row) => void;
  /** A stable key for each row (its id), so edits keep their row; the index by default. */
  rowKey?: (row: Row) => string;
  testId?: string;
}) {
  const pageSize = props.pageSize ?? 20;
  const [sort, setSort] = useState<{ key: string; descending: boolean } | undefined>();
  const [page, setPage] = useState(0);
  const sorted = useMemo(() => {
    const column = sort && props.columns.find((each) => each.key === sort.key);
    if (!sort || !column) return props.rows;
    const valueOf =
      column.value ?? ((row: Row) => (row as Record<string, string | number>)[column.key] ?? '');
    return [...props.rows].sort((a, b) => {
      const [x, y] = [valueOf(a), valueOf(b)];
      const order =
        typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.descending ? -order : order;
    });
  }, [props.rows, props.columns, sort]);
  const pages = Math.max(1, Math.ceil(sorted.length / pageSize));
  // Fewer rows than before (a filter, a delete): stay on a page that exists.
  const current = Math.min(page, pages - 1);
  const shown = sorted.slice(current * pageSize, (current + 1) * pageSize);
  return (
    <div className="table" data-testid={props.testId}>
      <table>
        <thead>
          <tr>
            {props.columns.map((column) => {
              const sortable = column.sortable !== false;
              const sortedHere = sort?.key === column.key;
              return (
                <th
                  key={column.key}
                  className={column.align}
                  aria-sort={
                    sortedHere ? (sort.descending ? 'descending' : 'ascending') : undefined
                  }
                  onClick={
                    sortable
                      ? () =>
                          setSort({
                            key: column.key,
                            descending: sortedHere ? !sort.descending : true,
                          })
                      : undefined
                  }
                >
                  {column.label}
                  {sortedHere ? (sort.descending ? ' ▼' : ' ▲') : ''}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((row, index) => (
            <tr
              key={props.rowKey?.(row) ?? current * pageSize + index}
              className={props.onSelect ? 'clickable' : ''}
              onClick={() => props.onSelect?.(row)}
            >
              {props.columns.map((column) => (
                <td key={column.key} className={column.align}>
                  {column.render
                    ? column.render(row)
                    : String((row as Record<string, unknown>)[column.key] ?? '')}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {pages > 1 && (
        <div className="pager">
          <button disabled={current === 0} onClick={() => setPage(current - 1)}>
            Previous
          </button>
          <span>
            Page {current + 1} of {pages} ({sorted.length} rows)
          </span>
          <button disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            Next
          </button>
        </div>
      )}
    </div>
  );
}

/** The former name of `SortableTable`, kept for the pages not yet moved to it. */
export const DataTable = SortableTable;

/** An API error next to the form that caused it: the API's own message. */
export function FormError({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p className="notice error" role="alert" data-testid="form-error">
      {error}
    </p>
  );
}

/** The message of a failed call, as the API wrote it. */
export function messageOf(failure: unknown): string {
  return failure instanceof ApiFailure ? failure.message : String(failure);
}

/** Runs admin writes and keeps the last one's error for `FormError`: a success clears it. */
export function useWrite() {
  const [error, setError] = useState<string>();
  const write = async (action: () => Promise<void>) => {
    try {
      await action();
      setError(undefined);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  return { error, write };
}

/**
 * An admin form: submitting runs `onSubmit` with the form's data (a write
 * through the admin API), and the API's error shows below it. `onCancel`
 * adds a Cancel button.
 */
export function WriteForm(props: {
  testId: string;
  submitLabel: string;
  onSubmit: (data: FormData, form: HTMLFormElement) => Promise<void>;
  onCancel?: () => void;
  children: ReactNode;
}) {
  const { error, write } = useWrite();
  return (
    <form
      className="filters"
      data-testid={props.testId}
      onSubmit={async (event) => {
        event.preventDefault();
        const form = event.currentTarget;
        await write(() => props.onSubmit(new FormData(form), form));
      }}
    >
      {props.children}
      <button type="submit">{props.submitLabel}</button>
      {props.onCancel && (
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      )}
      <FormError error={error} />
    </form>
  );
}

/**
 * For an admin of the operator organization: which org the dashboard reads
 * (`org_id` in the URL). Hidden for every other key, which sees only its own.
 */
export function OrgPicker() {
  const access = useAccess();
  const selected = useSelectedOrgId();
  if (access.organizations.length < 2) return null;
  const own = access.organizations.find((org) => org.operator);
  return (
    <label className="org-picker" style={{ display: 'block', padding: '0 16px 12px' }}>
      Organization
      <select
        aria-label="Organization"
        value={selected ?? own?.id ?? ''}
        onChange={(event) => {
          const next = new URLSearchParams(window.location.search);
          const chosen = event.target.value;
          if (chosen === own?.id) next.delete(ORG_PARAMETER);
          else next.set(ORG_PARAMETER, chosen);
          // Projects belong to one org: a chosen project does not carry over.
          next.delete('project_id');
          const query = next.toString();
          // A full load: every read, live streams included, starts again in the chosen org.
          window.location.assign(`${window.location.pathname}${query ? `?${query}` : ''}`);
        }}
      >
        {access.organizations.map((org) => (
          <option key={org.id} value={org.id}>
            {org.name}
            {org.operator ? ' (operator)' : ''}
          </option>
        ))}
      </select>
    </label>
  );
}

/** JSON or text of an event's input or output, readable. */
export function Payload({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === '') return <em>none</em>;
  let text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  try {
    if (typeof value === 'string') text = JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    // Plain text.
  }
  return <pre className="payload">{text}</pre>;
}

/** Columns for a list of records whose shape this page does not know (APIs still being built). */
export function columnsOf(
  rows: readonly Record<string, unknown>[],
): Column<Record<string, unknown>>[] {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))].slice(0, 8);
  return keys.map((key) => ({
    key,
    label: key.replaceAll('_', ' '),
    render: (row) => {
      const value = row[key];
      return typeof value === 'object' && value !== null
        ? JSON.stringify(value)
        : String(value ?? '');
    },
  }));
}

/** The first list in an answer (`{ prompts: [...] }`, `{ budgets: [...] }`, or the answer itself). */
export function listIn(answer: unknown): Record<string, unknown>[] {
  if (Array.isArray(answer)) return answer as Record<string, unknown>[];
  if (typeof answer === 'object' && answer !== null) {
    const list = Object.values(answer).find(Array.isArray);
    if (list) return list as Record<string, unknown>[];
  }
  return [];
}

/**
 * A table of the records an endpoint lists, for APIs whose shape is still
 * settling (prompts, budgets, flags): a 404 shows as "not available".
 */
export function RecordList(props: {
  state: ApiState<unknown>;
  what: string;
  onSelect?: (row: Record<string, unknown>) => void;
  testId?: string;
}) {
  return (
    <Loaded
      state={props.state}
      what={props.what}
      isEmpty={(data) => listIn(data).length === 0}
      emptyText={`No ${props.what} yet.`}
    >
      {(data) => {
        const rows = listIn(data);
        return (
          <SortableTable
            testId={props.testId}
            rows={rows}
            columns={columnsOf(rows)}
            onSelect={props.onSelect}
          />
        );
      }}
    </Loaded>
  );
}
