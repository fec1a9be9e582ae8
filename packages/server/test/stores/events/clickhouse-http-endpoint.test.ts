import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startClickHouseHttpEndpoint,
  type ClickHouseHttpEndpoint,
} from '../../helpers/clickhouse-http-endpoint';

/** The test endpoint speaks enough of ClickHouse's HTTP interface for `@clickhouse/client`. */
describe('ClickHouse HTTP test endpoint', () => {
  let endpoint: ClickHouseHttpEndpoint;
  let client: ClickHouseClient;

  beforeAll(async () => {
    endpoint = await startClickHouseHttpEndpoint();
    client = createClient({ url: endpoint.url, log: { level: ClickHouseLogLevel.OFF } });
  });

  afterAll(async () => {
    await client?.close();
    await endpoint?.stop();
  });

  it('answers ping, GET /ping and GET /', async () => {
    expect(await client.ping()).toEqual({ success: true });
    expect(await (await fetch(`${endpoint.url}/ping`)).text()).toBe('Ok.\n');
    expect(await (await fetch(`${endpoint.url}/`)).text()).toBe('Ok.\n');
  });

  it('binds string, number and array parameters exactly', async () => {
    const text = "it's \\ a\ttab\nline {x:String} é";
    const result = await client.query({
      query:
        'SELECT {text:String} AS text, {count:UInt32} + 1 AS next, {list:Array(String)} AS list',
      query_params: { text, count: 41, list: [text, "b'c", ''] },
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([{ text, next: 42, list: [text, "b'c", ''] }]);
    expect(result.response_headers['x-clickhouse-format']).toBe('JSONEachRow');
  });

  it('applies URL settings to their request only', async () => {
    const setting = async (settings: Record<string, string | number> = {}) => {
      const result = await client.query({
        query: "SELECT value FROM system.settings WHERE name = 'max_threads'",
        format: 'JSONEachRow',
        clickhouse_settings: settings,
      });
      return ((await result.json()) as { value: string }[])[0]?.value;
    };
    const before = await setting();
    expect(await setting({ max_threads: 3 })).toBe('3');
    expect(await setting()).toBe(before);
  });

  it('inserts a body after an INSERT query and reports the summary', async () => {
    await client.command({
      query: 'CREATE TABLE numbers_test (n UInt32) ENGINE = MergeTree ORDER BY n',
    });
    const result = await client.insert({
      table: 'numbers_test',
      values: [{ n: 1 }, { n: 2 }],
      format: 'JSONEachRow',
    });
    expect(result.summary?.written_rows).toBe('2');
    const rows = await client.query({
      query: 'SELECT sum(n) AS total FROM numbers_test',
      format: 'JSONEachRow',
    });
    expect(await rows.json()).toEqual([{ total: 3 }]);
  });

  it('answers errors as ClickHouse does: status 500, exception code header and text', async () => {
    await expect(client.query({ query: 'SELECT * FROM no_such_table' })).rejects.toMatchObject({
      code: '60',
      type: 'UNKNOWN_TABLE',
    });
    const response = await fetch(`${endpoint.url}/?query=${encodeURIComponent('SELEC 1')}`);
    expect(response.status).toBe(500);
    expect(response.headers.get('x-clickhouse-exception-code')).toBe('62');
    expect(await response.text()).toMatch(
      /^Code: 62\. DB::Exception: .*\(SYNTAX_ERROR\) \(version [\d.]+\)\n$/s,
    );
  });
});
