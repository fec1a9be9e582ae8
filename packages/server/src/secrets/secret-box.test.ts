import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTempDir } from '../../test/helpers/temp-dir';
import { loadSecretKey, parseSecretKey, SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips a secret and never shows it in the sealed text', () => {
    const sealed = box.encrypt('sk-live-123456', 'org_1:openai');
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(sealed).not.toContain('sk-live');
    expect(box.decrypt(sealed, 'org_1:openai')).toBe('sk-live-123456');
    expect(box.encrypt('same', 'x')).not.toBe(box.encrypt('same', 'x'));
  });

  it('refuses altered text, another key, or another associated datum', () => {
    const sealed = box.encrypt('secret', 'org_1:a');
    const parts = sealed.split(':');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.decrypt(parts.join(':'), 'org_1:a')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed, 'org_1:a')).toThrow();
    expect(() => box.decrypt(sealed, 'org_2:a')).toThrow();
  });

  it('parses hex and base64 keys and rejects a short one', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(() => parseSecretKey('abcd')).toThrow(/32 bytes/);
  });

  it('generates a key file once, readable only by its owner, and reuses it', () => {
    const directory = createTempDir();
    try {
      const file = join(directory.path, 'secret.key');
      const first = loadSecretKey(undefined, file);
      expect(first.generated).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const second = loadSecretKey(undefined, file);
      expect(second.generated).toBe(false);
      expect(second.key).toEqual(first.key);
      expect(readFileSync(file, 'utf8').trim()).toBe(first.key.toString('hex'));
    } finally {
      directory.remove();
    }
  });
});
