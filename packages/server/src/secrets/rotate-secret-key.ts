import type { SecretStore } from '@tollgate/core';
import { masterKeyId, wrappingContext } from './content-keys';
import { credentialAssociatedData, SecretBox } from './secret-box';

export interface RotationResult {
  contentKeys: number;
  credentials: number;
}

/**
 * Re-wraps every org's content key and re-seals every provider credential
 * from the `previous` master key to `next`, in one transaction: stored events
 * are not touched (their values name data keys, which do not change). Fails
 * before writing anything if one secret does not open with `previous`.
 */
export async function rotateSecretKey(
  store: SecretStore,
  previous: Buffer,
  next: Buffer,
): Promise<RotationResult> {
  const from = new SecretBox(previous);
  const to = new SecretBox(next);
  const nextId = masterKeyId(next);
  const { contentKeys, credentials } = await store.listAllSecrets();
  const rewrapped = {
    contentKeys: contentKeys.map((key) => {
      const context = wrappingContext(key);
      return {
        id: key.id,
        orgId: key.orgId,
        wrappedKey: to.encrypt(
          openWith(from, key.wrappedKey, context, `content key ${key.id}`),
          context,
        ),
        masterKeyId: nextId,
      };
    }),
    credentials: credentials.map((credential) => {
      const context = credentialAssociatedData(credential.orgId, credential.name);
      const secret = openWith(
        from,
        credential.ciphertext,
        context,
        `credential ${credential.name} of org ${credential.orgId}`,
      );
      return {
        id: credential.id,
        orgId: credential.orgId,
        ciphertext: to.encrypt(secret, context),
      };
    }),
  };
  await store.rewrapSecrets(rewrapped);
  return { contentKeys: contentKeys.length, credentials: credentials.length };
}

function openWith(box: SecretBox, sealed: string, context: string, what: string): string {
  try {
    return box.decrypt(sealed, context);
  } catch {
    throw new Error(`${what} does not open with the previous key: nothing was changed`);
  }
}
