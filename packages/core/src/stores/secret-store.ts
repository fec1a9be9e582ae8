/**
 * What the meta store keeps for encryption at rest: each org's content data
 * key, wrapped (AES-256-GCM) by the operator's `TOLLGATE_SECRET_KEY`, and the
 * two operations that span every org: the start-up check that the configured
 * key is the one that wrapped them, and re-wrapping every secret under a new key.
 */
export interface ContentKeyRecord {
  id: string;
  orgId: string;
  /** The data key sealed by the master key (`v1:<iv>:<tag>:<ciphertext>`). */
  wrappedKey: string;
  /** The fingerprint of the master key that wrapped it. */
  masterKeyId: string;
  createdAt: Date;
}

/** A provider credential's sealed secret, as the rotation re-seals it. */
export interface SealedCredential {
  id: string;
  orgId: string;
  name: string;
  ciphertext: string;
}

export interface RewrappedSecrets {
  contentKeys: Pick<ContentKeyRecord, 'id' | 'orgId' | 'wrappedKey' | 'masterKeyId'>[];
  credentials: Pick<SealedCredential, 'id' | 'orgId' | 'ciphertext'>[];
}

export interface SecretStore {
  /** The org's content keys, oldest first. */
  listContentKeys(orgId: string): Promise<ContentKeyRecord[]>;
  /**
   * Stores the org's first content key; when another process stored one first,
   * keeps that one and answers it (so an org has one key whoever asks first).
   */
  createContentKey(record: Omit<ContentKeyRecord, 'createdAt'>): Promise<ContentKeyRecord>;
  /** Every org's content keys and sealed credentials (start-up check, rotation). */
  listAllSecrets(): Promise<{ contentKeys: ContentKeyRecord[]; credentials: SealedCredential[] }>;
  /** Replaces every sealed value given, in one transaction: all or none. */
  rewrapSecrets(secrets: RewrappedSecrets): Promise<void>;
}
