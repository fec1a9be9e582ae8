import { useCallback, useEffect, useState } from 'react';
import { ApiFailure, getJson, readParams, type Params } from './api';
import type { MeAnswer, OrganizationsAnswer } from './api-types';
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

/** An org as the dashboard names it: what `GET /api/v1/me` and `GET /api/v1/admin/orgs` both tell. */
export type Organization = MeAnswer['org'];

export type Project = MeAnswer['projects'][number];

export interface Access {
  /** The key is an org admin key (it may use the admin API). */
  admin: boolean;
  /** Every org the key may read: all of them for an operator admin, else its own. */
  organizations: Organization[];
  /** The org being read: the one chosen in the URL, or the key's own. */
  orgId: string | undefined;
  /** The key's project; null for an org-wide key. */
  projectId: string | null;
  /** The projects the key may read: its own, or those of the org being read. */
  projects: Project[];
  /** Whether this page may change things: an admin key reading its own org (writes never go elsewhere). */
  canEdit: boolean;
  loading: boolean;
}

/**
 * What the signed-in key may do, from `GET /api/v1/me`; the org list of the
 * admin API is asked only by an admin of the operator org (a project key's
 * pages make no admin call).
 */
export function useAccess(): Access {
  const selected = useSelectedOrgId();
  const me = useApi<MeAnswer>('/api/v1/me');
  const own = me.data?.org;
  const admin = me.data?.admin === true;
  const orgs = useApi<OrganizationsAnswer>(admin && own?.operator ? '/api/v1/admin/orgs' : null, {
    org_id: null,
  });
  return {
    admin,
    organizations: orgs.data?.organizations ?? (own ? [own] : []),
    orgId: selected ?? own?.id,
    projectId: me.data?.project_id ?? null,
    projects: me.data?.projects ?? [],
    canEdit: admin && (selected === null || selected === own?.id),
    loading: me.loading || (admin && own?.operator === true && orgs.loading),
  };
}

/**
 * The project a page reads: the one chosen in the URL, the key's own, or an
 * org's only project; null for the whole org (or, while `access` loads, not yet known).
 */
export function projectOf(access: Access, chosen: string | null): string | null {
  if (chosen) return chosen;
  if (access.projectId) return access.projectId;
  return access.projects.length === 1 ? access.projects[0]!.id : null;
}
