import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOP_HEADER, OutboundPolicy, isOutboundRefused } from './outbound-policy';
import type { OutboundLookup } from './outbound-policy';

/** Every name resolves to loopback: a name that passed a write-time check and rebinds. */
const rebindingLookup: OutboundLookup = (_hostname, callback) =>
  callback(null, [{ address: '127.0.0.1', family: 4 }]);

function policyWith(allow: string[] = [], lookup: OutboundLookup = rebindingLookup) {
  return new OutboundPolicy({
    allow,
    operatorExempt: true,
    isOperatorOrg: async (orgId) => orgId === 'operator',
    lookup,
  });
}

describe('addresses', () => {
  const policy = policyWith();
  afterAll(() => policy.close());

  it.each([
    '127.0.0.1',
    '10.0.0.5',
    '172.16.3.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1',
  ])('refuses %s', (address) => {
    expect(policy.isAddressAllowed(address)).toBe(false);
  });

  it.each(['8.8.8.8', '104.18.6.192', '2606:4700::1111'])('allows public %s', (address) => {
    expect(policy.isAddressAllowed(address)).toBe(true);
  });

  it('allows the addresses and ranges the operator names, and no more', async () => {
    const allowing = policyWith(['10.0.0.5', '192.168.0.0/16', 'fd00::/8']);
    expect(allowing.isAddressAllowed('10.0.0.5')).toBe(true);
    expect(allowing.isAddressAllowed('10.0.0.6')).toBe(false);
    expect(allowing.isAddressAllowed('192.168.44.1')).toBe(true);
    expect(allowing.isAddressAllowed('fd00::9')).toBe(true);
    expect(allowing.isAddressAllowed('127.0.0.1')).toBe(false);
    await allowing.close();
  });
});

describe('URLs at write time', () => {
  const policy = policyWith(['vllm.internal']);
  afterAll(() => policy.close());

  it.each([
    'http://127.0.0.1:4000/v1',
    'http://[::1]/',
    'http://localhost:8080',
    'http://api.localhost',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://10.1.2.3/',
    'ftp://example.com/',
    'not a url',
  ])('refuses %s for a tenant', (url) => {
    expect(() => policy.checkUrl(url, 'tenant')).toThrow('refused by outbound policy');
  });

  it('accepts public names, allowed hosts, and anything http for the operator', () => {
    expect(() => policy.checkUrl('https://api.openai.com/v1', 'tenant')).not.toThrow();
    expect(() => policy.checkUrl('http://vllm.internal:8000/v1', 'tenant')).not.toThrow();
    expect(() => policy.checkUrl('http://127.0.0.1:4000', 'operator')).not.toThrow();
    expect(() => policy.checkUrl('file:///etc/passwd', 'operator')).toThrow();
  });

  it("trusts the operator org's own configuration only when it is exempt", async () => {
    expect(await policy.trustOf('operator')).toBe('operator');
    expect(await policy.trustOf('tenant-org')).toBe('tenant');
    const strict = new OutboundPolicy({
      allow: [],
      operatorExempt: false,
      isOperatorOrg: async () => true,
    });
    expect(await strict.trustOf('operator')).toBe('tenant');
    await strict.close();
  });
});

describe('at connect time', () => {
  let server: Server;
  let port: number;
  const received: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((incoming, response) => {
      received.push(incoming.headers);
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function send(policy: OutboundPolicy, url: string, headers: Record<string, string> = {}) {
    const response = await request(url, { dispatcher: policy.dispatcher('tenant'), headers });
    return response.body.text();
  }

  it('refuses a public-looking name that resolves to loopback (DNS rebinding)', async () => {
    const policy = policyWith();
    const before = received.length;
    const error = await send(policy, `http://rebinding.example:${port}/`).catch((e: unknown) => e);
    expect(isOutboundRefused(error)).toBe(true);
    expect((error as Error).message).toBe('refused by outbound policy');
    expect(received).toHaveLength(before);
    await policy.close();
  });

  it('refuses a name when any of its addresses is private', async () => {
    const policy = policyWith([], (_hostname, callback) =>
      callback(null, [
        { address: '8.8.8.8', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ]),
    );
    const error = await send(policy, `http://mixed.example:${port}/`).catch((e: unknown) => e);
    expect(isOutboundRefused(error)).toBe(true);
    await policy.close();
  });

  it('refuses an address literal', async () => {
    const policy = policyWith();
    const error = await send(policy, `http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(isOutboundRefused(error)).toBe(true);
    await policy.close();
  });

  it('connects where the operator allows, with the loop header and without a Host of the tenant', async () => {
    const policy = policyWith(['127.0.0.1']);
    expect(await send(policy, `http://allowed.example:${port}/`, { host: 'internal.admin' })).toBe(
      'ok',
    );
    const headers = received.at(-1)!;
    expect(headers[LOOP_HEADER]).toBe('1');
    expect(headers.host).toBe(`allowed.example:${port}`);
    await policy.close();
  });

  it("adds the loop header to the operator's requests too", async () => {
    const policy = policyWith();
    const response = await request(`http://127.0.0.1:${port}/`, {
      dispatcher: policy.dispatcher('operator'),
    });
    await response.body.text();
    expect(received.at(-1)![LOOP_HEADER]).toBe('1');
    await policy.close();
  });
});
