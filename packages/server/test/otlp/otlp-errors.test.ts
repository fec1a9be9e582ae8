import { gzipSync } from 'node:zlib';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { startTestServer, type TestServer } from '../helpers/test-server';
import {
  exportRequest,
  hex,
  jsonSpan,
  postJsonTraces,
  postTraces,
  recordSpans,
} from './otlp-json-fixtures';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

describe('bodies that cannot be read', () => {
  let committedBefore: number;

  beforeEach(() => {
    committedBefore = server.app.eventWriter.stats.committedRows;
  });

  const expectNothingWritten = () =>
    expect(server.app.eventWriter.stats.committedRows).toBe(committedBefore);

  const expectJsonError = async (response: Response, status: number, code: string) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    return body.error.message;
  };

  it('answers 400 to a body that is not JSON', async () => {
    const response = await postTraces(server, '{"resourceSpans": [', {
      'content-type': 'application/json',
    });
    expect(await expectJsonError(response, 400, 'invalid_request')).toContain('not valid JSON');
    expectNothingWritten();
  });

  it('answers 400 to JSON that is not an export request', async () => {
    const response = await postJsonTraces(server, { resourceSpans: 'everything' });
    expect(await expectJsonError(response, 400, 'invalid_request')).toContain('resourceSpans');
    expectNothingWritten();
  });

  it('answers 400 with a protobuf Status to bytes that are not protobuf', async () => {
    const response = await postTraces(server, Buffer.from('this is not a protobuf message'), {
      'content-type': 'application/x-protobuf',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    expect(Buffer.from(await response.arrayBuffer()).toString('utf8')).toContain(
      'not a protobuf ExportTraceServiceRequest',
    );
    const truncated = await postTraces(server, Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]), {
      'content-type': 'application/x-protobuf',
    });
    expect(truncated.status).toBe(400);
    expectNothingWritten();
  });

  it('answers 400 to a gzip body that is not gzip', async () => {
    const spans = recordSpans((provider) => provider.getTracer('t').startSpan('s').end());
    const response = await postTraces(
      server,
      Buffer.from(JsonTraceSerializer.serializeRequest(spans)!),
      {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
    );
    expect(await expectJsonError(response, 400, 'invalid_request')).toContain('gzip');
    expectNothingWritten();
  });

  it('answers 415 to other content types and encodings', async () => {
    const spans = recordSpans((provider) => provider.getTracer('t').startSpan('s').end());
    const json = Buffer.from(JsonTraceSerializer.serializeRequest(spans)!);
    await expectJsonError(
      await postTraces(server, json, { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    );
    await expectJsonError(await postTraces(server, json, {}), 415, 'unsupported_media_type');
    await expectJsonError(
      await postTraces(server, json, {
        'content-type': 'application/json',
        'content-encoding': 'br',
      }),
      415,
      'unsupported_media_type',
    );
    expectNothingWritten();
  });

  it('answers 413 when the body inflates past the size limit', async () => {
    const bomb = gzipSync(Buffer.alloc(server.configuration.ingest.maxBytes + 1, 0x20));
    const response = await postTraces(server, bomb, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    await expectJsonError(response, 413, 'payload_too_large');
    expectNothingWritten();
  });
});

describe('keys', () => {
  const request = exportRequest([jsonSpan(hex(16), 'keyed', [])]);

  const errorOf = async (response: Response) => {
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return ((await response.json()) as { error: { code: string; message: string } }).error;
  };

  it('answers 401 as JSON without a key or with an unknown one, whatever the encoding', async () => {
    const none = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      body: 'garbage',
      headers: { 'content-type': 'application/x-protobuf' },
    });
    expect(none.status).toBe(401);
    expect((await errorOf(none)).code).toBe('unauthorized');
    const unknown = await postJsonTraces(server, request, 'tg_not_a_real_key');
    expect(unknown.status).toBe(401);
    expect((await errorOf(unknown)).code).toBe('unauthorized');
  });

  it('answers 403 as JSON to a key without the ingest scope and to an org key', async () => {
    const readOnly = await issueApiKey(server.app.stores.meta, {
      orgId: server.tenant.orgId,
      projectId: server.tenant.projectId,
      name: 'otlp read only',
      scopes: ['read'],
    });
    const readOnlyResponse = await postTraces(
      server,
      Buffer.from('x'),
      { 'content-type': 'application/x-protobuf' },
      readOnly.secret,
    );
    expect(readOnlyResponse.status).toBe(403);
    expect((await errorOf(readOnlyResponse)).code).toBe('forbidden');
    const orgKey = await postJsonTraces(server, request, server.tenant.adminKey);
    expect(orgKey.status).toBe(403);
    expect((await errorOf(orgKey)).message).toContain('project key');
  });
});
