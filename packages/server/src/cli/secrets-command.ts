import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Configuration } from '../config';
import { rotateSecretKey } from '../secrets/rotate-secret-key';
import { parseSecretKey } from '../secrets/secret-box';
import { closeStores, openStores } from '../stores/open-stores';

/**
 * `tollgate secrets rotate`: re-wraps every org's content key and re-seals
 * every provider credential from the previous master key
 * (`TOLLGATE_PREVIOUS_SECRET_KEY`, or the key generated in the data directory)
 * to the new one (`TOLLGATE_SECRET_KEY`). Stored events are not rewritten.
 * Run it with the servers stopped, then start them with the new key.
 */
export async function secretsRotateCommand(configuration: Configuration): Promise<void> {
  const keyFile = join(configuration.dataDir, 'secret.key');
  if (!configuration.secretKey) {
    throw new Error(
      'set TOLLGATE_SECRET_KEY to the new key (64 hex characters or base64 of 32 bytes)',
    );
  }
  const previousText =
    configuration.previousSecretKey ??
    (existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : undefined);
  if (!previousText) {
    throw new Error(
      `set TOLLGATE_PREVIOUS_SECRET_KEY to the key being replaced (no generated key in ${keyFile})`,
    );
  }
  const previous = parseSecretKey(previousText);
  const next = parseSecretKey(configuration.secretKey);
  if (previous.equals(next)) throw new Error('the new key is the previous key: nothing to rotate');
  const stores = await openStores(configuration);
  try {
    const rotated = await rotateSecretKey(stores.meta, previous, next);
    // The generated key file must not bring the old key back if the variable is ever unset.
    if (!configuration.previousSecretKey && existsSync(keyFile)) {
      writeFileSync(keyFile, `${next.toString('hex')}\n`, { mode: 0o600 });
    }
    console.log(
      `re-wrapped ${rotated.contentKeys} content keys and ${rotated.credentials} provider credentials; ` +
        'start Tollgate with the new TOLLGATE_SECRET_KEY',
    );
  } finally {
    await closeStores(stores);
  }
}
