import { chmodSync, mkdirSync } from 'node:fs';

/**
 * Creates (or keeps) a directory only its owner may read, write or enter
 * (0700), whatever the umask: the data directory holds every tenant's events,
 * keys' hashes and the credentials' secret key.
 */
export function makePrivateDirectory(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
}

/** Mode of files Tollgate creates under the data directory: the owner's only. */
export const PRIVATE_FILE_MODE = 0o600;
