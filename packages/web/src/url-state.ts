import { useEffect, useMemo, useState } from 'react';

/**
 * Page, time range and filters live in the URL, so a reload or a shared
 * link shows the same view. `navigate` and `setParams` push history entries.
 */
const CHANGE = 'tollgate:location';

export function navigate(href: string): void {
  window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(CHANGE));
}

export function useLocation(): { path: string; search: string } {
  const read = () => ({ path: window.location.pathname, search: window.location.search });
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const update = () => setLocation(read());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return location;
}

export function useParams(): [
  URLSearchParams,
  (changes: Record<string, string | undefined>) => void,
] {
  const { search } = useLocation();
  const params = useMemo(() => new URLSearchParams(search), [search]);
  const set = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(window.location.search);
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(name);
      else next.set(name, value);
    }
    const query = next.toString();
    navigate(`${window.location.pathname}${query ? `?${query}` : ''}`);
  };
  return [params, set];
}

export const RANGES = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
  '90d': 90 * 86_400_000,
};
export type RangeName = keyof typeof RANGES;

export interface TimeRange {
  name: RangeName;
  from: string;
  to: string;
  /** Hourly buckets for a day or less, daily ones beyond. */
  bucket: 'hour' | 'day';
  ms: number;
}

/** The URL's `range` (default 24h) as ISO times, fixed when the range changes or `refresh` is called. */
export function useTimeRange(): TimeRange & { refresh: () => void } {
  const [params] = useParams();
  const given = params.get('range');
  const name: RangeName = given !== null && given in RANGES ? (given as RangeName) : '24h';
  // The range ends when it was chosen: a new `now` only when the range changes (set during render,
  // so the first render's reads are not made a second time with a slightly later `to`).
  const [fixed, setFixed] = useState(() => ({ name, now: Date.now() }));
  if (fixed.name !== name) setFixed({ name, now: Date.now() });
  const now = fixed.name === name ? fixed.now : Date.now();
  const setNow = (next: number) => setFixed({ name, now: next });
  const ms = RANGES[name];
  return {
    name,
    from: new Date(now - ms).toISOString(),
    to: new Date(now).toISOString(),
    bucket: ms > 2 * 86_400_000 ? 'day' : 'hour',
    ms,
    refresh: () => setNow(Date.now()),
  };
}

/**
 * The organization the dashboard reads (`org_id` in the URL): set only by an
 * admin of the operator organization, who may read any org; absent means the
 * key's own org. Every read sends it (see `api.ts`); writes never do.
 */
export const ORG_PARAMETER = 'org_id';

export function selectedOrgId(): string | null {
  return new URLSearchParams(window.location.search).get(ORG_PARAMETER);
}

export function useSelectedOrgId(): string | null {
  const { search } = useLocation();
  return new URLSearchParams(search).get(ORG_PARAMETER);
}
