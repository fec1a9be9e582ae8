import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { ContentKeyRecord, SecretStore } from '@tollgate/core';
import { localCache } from '../stores/hot/local-cache';
import { SecretBox } from './secret-box';

/**
 * Encryption at rest of stored content (a project's `content_encryption`).
 * Each org has a data key (AES-256-GCM), kept in the meta store wrapped by the
 * operator's master key (`TOLLGATE_SECRET_KEY`); a sealed value names the key
 * that sealed it and is bound to its org, so a value copied into another
 * org's row does not open. Rotating the master key re-wraps the data keys and
 * leaves every stored value as it is (`rotateSecretKey`).
 */
export const SEALED_PREFIX = 'tgenc:v1:';
const IV_BYTES = 12;
const DATA_KEY_BYTES = 32;

/** A stored value sealed with a content key: `tgenc:v1:<key id>:<iv>:<tag>:<ciphertext>`. */
export function isSealed(text: string): boolean {
  return text.startsWith(SEALED_PREFIX);
}

/** Why stored content cannot be sealed or opened: always the operator's to fix, never the caller's. */
export class ContentKeyError extends Error {
  override readonly name = 'ContentKeyError';
}

/** A short, stable name of a master key (not the key): which key wrapped which data key. */
export function masterKeyId(master: Buffer): string {
  return createHmac('sha256', master)
    .update('tollgate content key wrapping')
    .digest('hex')
    .slice(0, 16);
}

/** What the data key of `orgId` is bound to when wrapped. */
export function wrappingContext(record: Pick<ContentKeyRecord, 'id' | 'orgId'>): string {
  return `content-key:${record.orgId}:${record.id}`;
}

/** One org's data key, unwrapped: seals and opens that org's values. */
export class ContentKey {
  constructor(
    readonly id: string,
    readonly orgId: string,
    private readonly key: Buffer,
  ) {}

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(this.orgId));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${this.id}:${iv.toString('base64url')}:${cipher
      .getAuthTag()
      .toString('base64url')}:${ciphertext.toString('base64url')}`;
  }

  /** Throws a ContentKeyError when the value was not sealed by this key for this org, or was altered. */
  open(sealed: string): string {
    const [iv, tag, ciphertext] = sealed
      .slice(SEALED_PREFIX.length + this.id.length + 1)
      .split(':');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv!, 'base64url'));
      decipher.setAAD(Buffer.from(this.orgId));
      decipher.setAuthTag(Buffer.from(tag!, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext ?? '', 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new ContentKeyError(
        `a value sealed with content key ${this.id} does not open for org ${this.orgId}: altered or moved`,
      );
    }
  }
}

/** The key id a sealed value names. */
function keyIdOf(sealed: string): string {
  const end = sealed.indexOf(':', SEALED_PREFIX.length);
  return sealed.slice(SEALED_PREFIX.length, end < 0 ? undefined : end);
}

export interface ContentKeyringOptions {
  store: SecretStore;
  /** The master key (`TOLLGATE_SECRET_KEY`, or the one generated in the data directory). */
  master: Buffer;
}

/**
 * Each org's content keys, created on first use and kept unwrapped in this
 * process's memory (an org's keys never change: rotation only re-wraps them).
 */
export class ContentKeyring {
  private readonly box: SecretBox;
  readonly masterKeyId: string;
  private readonly keys = localCache<string, Promise<ContentKey[]>>({
    max: 10_000,
    ttlMs: 3_600_000,
  });

  constructor(private readonly options: ContentKeyringOptions) {
    this.box = new SecretBox(options.master);
    this.masterKeyId = masterKeyId(options.master);
  }

  /**
   * Fails, naming how many keys, when data keys in the store were wrapped by
   * another master key: a server started with the wrong `TOLLGATE_SECRET_KEY`
   * stops here instead of storing or showing anything.
   */
  async checkMasterKey(): Promise<void> {
    const { contentKeys } = await this.options.store.listAllSecrets();
    const foreign = contentKeys.filter((key) => key.masterKeyId !== this.masterKeyId);
    if (foreign.length > 0) {
      throw new ContentKeyError(
        `TOLLGATE_SECRET_KEY is not the key that wrapped ${foreign.length} of ${contentKeys.length} content keys ` +
          `(wrapped by key ${foreign[0]!.masterKeyId}, this one is ${this.masterKeyId}): start with the right key, ` +
          'or re-wrap them with `tollgate secrets rotate` (TOLLGATE_PREVIOUS_SECRET_KEY set to the old key)',
      );
    }
    // A fingerprint can collide; unwrapping one key proves the key.
    const [first] = contentKeys;
    if (first) this.unwrap(first);
  }

  /** The key new values of `orgId` are sealed with; made and stored on first use. */
  async keyFor(orgId: string): Promise<ContentKey> {
    const keys = await this.keysOf(orgId);
    if (keys.length > 0) return keys[keys.length - 1]!;
    this.keys.delete(orgId);
    const id = `ck_${randomBytes(9).toString('base64url')}`;
    const dataKey = randomBytes(DATA_KEY_BYTES);
    const stored = await this.options.store.createContentKey({
      id,
      orgId,
      wrappedKey: this.box.encrypt(dataKey.toString('base64'), wrappingContext({ id, orgId })),
      masterKeyId: this.masterKeyId,
    });
    this.keys.delete(orgId);
    // Another process may have stored the org's key first: that one is the org's key.
    return stored.id === id ? new ContentKey(id, orgId, dataKey) : this.unwrap(stored);
  }

  /**
   * Opens every sealed value of `rows` (all of org `orgId`, as every scoped
   * read is) in place: prompt, response and metadata values.
   */
  async openRows(
    orgId: string,
    rows: readonly { input: string; output: string; metadata?: string }[],
  ): Promise<void> {
    const sealed = rows.some(
      (row) => isSealed(row.input) || isSealed(row.output) || row.metadata?.includes(SEALED_PREFIX),
    );
    if (!sealed) return;
    const keys = await this.keysOf(orgId);
    for (const row of rows) {
      row.input = openValue(keys, orgId, row.input);
      row.output = openValue(keys, orgId, row.output);
      if (row.metadata) row.metadata = openMetadata(keys, orgId, row.metadata);
    }
  }

  private keysOf(orgId: string): Promise<ContentKey[]> {
    let keys = this.keys.get(orgId);
    if (!keys) {
      keys = this.options.store
        .listContentKeys(orgId)
        .then((records) => records.map((record) => this.unwrap(record)));
      keys.catch(() => this.keys.delete(orgId));
      this.keys.set(orgId, keys);
    }
    return keys;
  }

  private unwrap(record: ContentKeyRecord): ContentKey {
    let dataKey: Buffer;
    try {
      dataKey = Buffer.from(this.box.decrypt(record.wrappedKey, wrappingContext(record)), 'base64');
    } catch {
      throw new ContentKeyError(
        `content key ${record.id} of org ${record.orgId} does not unwrap with TOLLGATE_SECRET_KEY: wrong key`,
      );
    }
    return new ContentKey(record.id, record.orgId, dataKey);
  }
}

function openValue(keys: ContentKey[], orgId: string, text: string): string {
  if (!isSealed(text)) return text;
  const id = keyIdOf(text);
  const key = keys.find((candidate) => candidate.id === id);
  if (!key) throw new ContentKeyError(`org ${orgId} has no content key ${id}`);
  return key.open(text);
}

/** Metadata is stored as JSON whose top-level values are sealed (the names stay readable). */
function openMetadata(keys: ContentKey[], orgId: string, text: string): string {
  if (!text.includes(SEALED_PREFIX)) return text;
  const sealed = JSON.parse(text) as Record<string, unknown>;
  const opened: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(sealed)) {
    opened[name] =
      typeof value === 'string' && isSealed(value)
        ? JSON.parse(openValue(keys, orgId, value))
        : value;
  }
  return JSON.stringify(opened);
}

/**
 * Seals a row's stored content in place with `key`: its prompt and response
 * (for a tool call, its input and output) and each metadata value (the JSON of
 * it, so numbers and objects come back as they were). Empty values stay empty.
 */
export function sealRowContent(
  row: { input: string; output: string; metadata: string },
  key: ContentKey,
): void {
  if (row.input) row.input = key.seal(row.input);
  if (row.output) row.output = key.seal(row.output);
  if (row.metadata && row.metadata !== '{}') {
    const metadata = JSON.parse(row.metadata) as Record<string, unknown>;
    const sealed: Record<string, string> = {};
    for (const [name, value] of Object.entries(metadata))
      sealed[name] = key.seal(JSON.stringify(value));
    row.metadata = JSON.stringify(sealed);
  }
}

/**
 * A copy of content kept for a while in the hot-state store (a cached answer,
 * a kept `/v1/responses` conversation) as it is stored: sealed with the
 * project's key when it encrypts content.
 */
export function sealedCopy(text: string, key: ContentKey | undefined): string {
  return key ? key.seal(text) : text;
}

/** A hot-state copy read back; a sealed one that this key cannot open counts as not kept. */
export function openedCopy(text: string, key: ContentKey | undefined): string | undefined {
  if (!isSealed(text)) return text;
  if (!key) return undefined;
  try {
    return key.open(text);
  } catch {
    return undefined;
  }
}
