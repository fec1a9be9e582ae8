import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateApiKeySecret, hashApiKeySecret, looksLikeApiKeySecret } from './api-key-secret';

describe('generateApiKeySecret', () => {
  it('makes tg_ and 40 base62 characters, with its prefix and hash', () => {
    const { secret, prefix, hash } = generateApiKeySecret();
    expect(secret).toMatch(/^tg_[0-9A-Za-z]{40}$/);
    expect(prefix).toBe(secret.slice(0, 10));
    expect(prefix).toMatch(/^tg_[0-9A-Za-z]{7}$/);
    expect(hash).toBe(hashApiKeySecret(secret));
  });

  it('never repeats a secret', () => {
    const secrets = new Set(Array.from({ length: 1_000 }, () => generateApiKeySecret().secret));
    expect(secrets.size).toBe(1_000);
  });

  it('uses every base62 character', () => {
    const characters = new Set(
      Array.from({ length: 200 }, () => generateApiKeySecret().secret.slice(3)).join(''),
    );
    expect(characters.size).toBe(62);
  });
});

describe('hashApiKeySecret', () => {
  it('is the SHA-256 of the secret in hex', () => {
    const secret = 'tg_0123456789abcdefghijABCDEFGHIJ0123456789';
    expect(hashApiKeySecret(secret)).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(hashApiKeySecret(secret)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic and tells secrets apart', () => {
    const { secret } = generateApiKeySecret();
    expect(hashApiKeySecret(secret)).toBe(hashApiKeySecret(secret));
    const changed = `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`;
    expect(hashApiKeySecret(secret)).not.toBe(hashApiKeySecret(changed));
  });
});

describe('looksLikeApiKeySecret', () => {
  it('accepts a generated secret', () => {
    expect(looksLikeApiKeySecret(generateApiKeySecret().secret)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['the prefix alone', 'tg_'],
    ['too short', `tg_${'a'.repeat(39)}`],
    ['too long', `tg_${'a'.repeat(41)}`],
    ['another prefix', `sk_${'a'.repeat(40)}`],
    ['upper-case prefix', `TG_${'a'.repeat(40)}`],
    ['non-base62 characters', `tg_${'a'.repeat(39)}-`],
    ['surrounding space', ` tg_${'a'.repeat(40)}`],
    ['a trailing newline', `tg_${'a'.repeat(40)}\n`],
  ])('rejects %s', (_description, value) => {
    expect(looksLikeApiKeySecret(value)).toBe(false);
  });
});
