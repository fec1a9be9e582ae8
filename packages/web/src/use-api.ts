import { useCallback, useEffect, useState } from 'react';
import { ApiFailure, getJson, type Params } from './api';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiFailure | undefined;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` with `params` whenever either changes; `path` null waits. */
export function useApi<T>(path: string | null, params: Params = {}): ApiState<T> {
  const key = path === null ? null : `${path}?${JSON.stringify(params)}`;
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
