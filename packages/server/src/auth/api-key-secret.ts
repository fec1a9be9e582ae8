import { createHash, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'tg_';
const SECRET_RANDOM_LENGTH = 40;
/** How much of the secret is stored and shown to identify a key: `tg_` and 7 characters. */
const VISIBLE_PREFIX_LENGTH = 10;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The largest multiple of 62 that fits in a byte: bytes from here up are discarded, so no character is likelier. */
const UNBIASED_BYTE_LIMIT = 256 - (256 % BASE62.length);
const SECRET_PATTERN = new RegExp(`^${SECRET_PREFIX}[0-9A-Za-z]{${SECRET_RANDOM_LENGTH}}$`);

export interface ApiKeySecret {
  /** `tg_` and 40 base62 characters (about 238 random bits); shown once, never stored. */
  secret: string;
  /** The first 10 characters of the secret, stored to help people tell their keys apart. */
  prefix: string;
  /** What the meta store keeps (see hashApiKeySecret). */
  hash: string;
}

/** A new API key secret, with the prefix and hash to store for it. */
export function generateApiKeySecret(): ApiKeySecret {
  const secret = SECRET_PREFIX + randomBase62(SECRET_RANDOM_LENGTH);
  return { secret, prefix: secret.slice(0, VISIBLE_PREFIX_LENGTH), hash: hashApiKeySecret(secret) };
}

/**
 * The stored form of a secret: its SHA-256, hex. A fast hash is the right one
 * here, unlike for passwords: the secret is ~238 random bits, so nobody can
 * guess it from the hash however fast they hash, and a fast, unsalted,
 * deterministic hash lets every request find its key with one indexed lookup.
 */
export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** True when `value` has the shape of a Tollgate secret (it may still be unknown or revoked). */
export function looksLikeApiKeySecret(value: string): boolean {
  return SECRET_PATTERN.test(value);
}

function randomBase62(length: number): string {
  let result = '';
  while (result.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte >= UNBIASED_BYTE_LIMIT) continue;
      result += BASE62[byte % BASE62.length];
      if (result.length === length) break;
    }
  }
  return result;
}
