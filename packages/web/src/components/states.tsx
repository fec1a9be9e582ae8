import type { ReactNode } from 'react';
import type { ApiFailure } from '../api';
import type { ApiState } from '../use-api';

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
