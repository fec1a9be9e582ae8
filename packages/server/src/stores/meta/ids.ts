import { randomUUID } from 'node:crypto';

/** The prefix of each kind of meta store id: `org_…`, `proj_…`, `key_…`. */
export type IdPrefix =
  'org' | 'proj' | 'key' | 'cred' | 'prm' | 'bdg' | 'alr' | 'flo' | 'grd' | 'ret' | 'dlq' | 'video';

/**
 * A new id: the prefix, an underscore and the 32 hex digits of a random UUID v4
 * (122 random bits), e.g. `org_3f9a1c0e5b7d4a2f8c6e1d0b9a7f5e3c`. The prefix
 * tells a reader and a log line what an id names.
 */
export function createId(prefix: IdPrefix): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}
