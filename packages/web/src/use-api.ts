import { useCallback, useEffect, useState } from 'react';
import { ApiFailure, getJson, readParams, type Params } from './api';
import { useSelectedOrgId } from './url-state';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiFailure | undefined;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` with `params` whenever either (or the org chosen in the URL) changes; `path` null waits. */
export function useApi<T>(path: string | null, params: Params = {}): ApiState<T> {
  // The chosen org is part of every read, so a new choice loads again.
  useSelectedOrgId();
  const key = path === null ? null : `${path}?${JSON.stringify(readParams(params))}`;
  const [state, setState] = useState<{ key: string | null; data?: T; error?: ApiFailure }>({
    key: null,
  });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let current = true;
    getJson<T>(path, params).then(
      (data) => current && setState({ key, data }),
      (error: unknown) =>
        current &&
        setState({
          key,
          error: error instanceof ApiFailure ? error : new ApiFailure(0, 'client', String(error)),
        }),
    );
    return () => {
      current = false;
    };
    // `key` stands for path and params.
  }, [key, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  const fresh = state.key === key;
  return {
    data: fresh ? state.data : undefined,
    error: fresh ? state.error : undefined,
    loading: path !== null && !fresh,
    reload,
  };
}

export interface Organization {
  id: string;
  name: string;
  operator: boolean;
}

export interface Access {
  /** The key is an org admin key (it may use the admin API). */
  admin: boolean;
  /** Every org the key may read: all of them for an operator admin, else its own (or none). */
  organizations: Organization[];
  /** The org being read: the one chosen in the URL, or the key's own. */
  orgId: string | undefined;
  /** Whether this page may change things: an admin key reading its own org (writes never go elsewhere). */
  canEdit: boolean;
  loading: boolean;
}

/** What the signed-in key may do, from the org list of the admin API (a 403 means a read-only key). */
export function useAccess(): Access {
  const selected = useSelectedOrgId();
  const orgs = useApi<{ organizations: Organization[] }>('/api/v1/admin/orgs', { org_id: null });
  const organizations = orgs.data?.organizations ?? [];
  const own =
    organizations.length === 1 ? organizations[0] : organizations.find((org) => org.operator);
  const admin = orgs.data !== undefined;
  return {
    admin,
    organizations,
    orgId: selected ?? own?.id,
    canEdit: admin && (selected === null || selected === own?.id),
    loading: orgs.loading,
  };
}
