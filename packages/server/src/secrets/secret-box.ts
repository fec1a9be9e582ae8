import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;

/** Parses a 256-bit key given as 64 hex characters or base64 of 32 bytes. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error('TOLLGATE_SECRET_KEY must be 32 bytes: 64 hex characters or base64');
  }
  return key;
}

/**
 * The key from TOLLGATE_SECRET_KEY, or, on a single-node install without it,
 * one generated once and kept (mode 0600) in the data directory. Replicas must
 * share the key, so a scaled-out deployment sets the variable.
 */
export function loadSecretKey(
  configured: string | undefined,
  keyFile: string,
): { key: Buffer; generated: boolean } {
  if (configured) return { key: parseSecretKey(configured), generated: false };
  if (existsSync(keyFile))
    return { key: parseSecretKey(readFileSync(keyFile, 'utf8')), generated: false };
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(KEY_BYTES);
  writeFileSync(keyFile, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(keyFile, 0o600);
  return { key, generated: true };
}

/** AES-256-GCM encryption of provider secrets: `v1:<iv>:<tag>:<ciphertext>`, base64url parts. */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error('the secret key must be 32 bytes');
  }

  encrypt(plaintext: string, associatedData = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join(':');
  }

  /** Throws when the text was not made with this key and associated data (or was altered). */
  decrypt(sealed: string, associatedData = ''): string {
    const [version, iv, tag, ciphertext] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined) {
      throw new Error('not a Tollgate sealed secret');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }
}

/** What a provider credential's secret is bound to: its org and name (a copied ciphertext does not open). */
export function credentialAssociatedData(orgId: string, name: string): string {
  return `${orgId}:${name}`;
}
