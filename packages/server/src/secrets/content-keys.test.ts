import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { MetaStore } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir } from '../../test/helpers/temp-dir';
import { createPgliteMetaStore } from '../stores/meta';
import { ContentKeyError, ContentKeyring, isSealed, sealRowContent } from './content-keys';

describe('content keys on the real meta store (PGlite)', () => {
  const directory = createTempDir('tollgate-content-keys-');
  const master = randomBytes(32);
  let meta: MetaStore;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    meta = await createPgliteMetaStore({ directory: join(directory.path, 'meta') });
    await meta.migrate();
    orgA = (await meta.createOrganization({ name: 'a' })).id;
    orgB = (await meta.createOrganization({ name: 'b' })).id;
  });

  afterAll(async () => {
    await meta?.close();
    directory.remove();
  });

  it('gives an org one key, whoever asks first, and the same key to another process', async () => {
    const ring = new ContentKeyring({ store: meta, master });
    const [first, second] = await Promise.all([ring.keyFor(orgA), ring.keyFor(orgA)]);
    const elsewhere = await new ContentKeyring({ store: meta, master }).keyFor(orgA);
    expect(second.id).toBe(first.id);
    expect(elsewhere.id).toBe(first.id);
    expect(elsewhere.open(first.seal('same key'))).toBe('same key');
    expect(await meta.listContentKeys(orgA)).toHaveLength(1);
    expect((await ring.keyFor(orgB)).id).not.toBe(first.id);
  });

  it('seals rows so they open again as they were, metadata types included', async () => {
    const ring = new ContentKeyring({ store: meta, master });
    const key = await ring.keyFor(orgA);
    const metadata = JSON.stringify({ customer: 'acme', seats: 3, nested: { on: true } });
    const row = { input: 'the prompt', output: 'the answer', metadata };
    sealRowContent(row, key);
    expect(isSealed(row.input)).toBe(true);
    expect(row.input).not.toBe(key.seal('the prompt')); // a fresh IV every time
    expect(row.metadata).not.toContain('acme');
    expect(Object.keys(JSON.parse(row.metadata) as object)).toEqual([
      'customer',
      'seats',
      'nested',
    ]);
    const empty = { input: '', output: '', metadata: '' };
    sealRowContent(empty, key);
    expect(empty).toEqual({ input: '', output: '', metadata: '' });

    await new ContentKeyring({ store: meta, master }).openRows(orgA, [row, empty]);
    expect(row).toEqual({ input: 'the prompt', output: 'the answer', metadata });
  });

  it("refuses a value moved into another org's rows, or altered", async () => {
    const ring = new ContentKeyring({ store: meta, master });
    const sealed = (await ring.keyFor(orgA)).seal('org a only');
    await expect(
      ring.openRows(orgB, [{ input: sealed, output: '', metadata: '' }]),
    ).rejects.toThrow(ContentKeyError);
    const at = sealed.lastIndexOf(':') + 1; // the ciphertext's first character
    const altered = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;
    await expect(
      ring.openRows(orgA, [{ input: altered, output: '', metadata: '' }]),
    ).rejects.toThrow(/altered or moved/);
  });

  it('fails loudly with a master key that did not wrap the stored keys', async () => {
    await new ContentKeyring({ store: meta, master }).checkMasterKey();
    const wrong = new ContentKeyring({ store: meta, master: randomBytes(32) });
    await expect(wrong.checkMasterKey()).rejects.toThrow(/is not the key that wrapped 2 of 2/);
    await expect(wrong.keyFor(orgA)).rejects.toThrow(/does not unwrap with TOLLGATE_SECRET_KEY/);
  });
});
