import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { attribute, exportRequest, hex, jsonSpan, nanos, text } from './otlp-json-fixtures';
import { eventNamed, listRunEvents } from './run-events';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
}, 120_000);

afterAll(async () => {
  await server?.close();
});

/** An ExportLogsServiceRequest in OTLP/JSON. */
function logsRequest(records: unknown[]) {
  return {
    resourceLogs: [
      {
        resource: { attributes: [attribute('service.name', text('logs-app'))] },
        scopeLogs: [{ scope: { name: 'genai-app' }, logRecords: records }],
      },
    ],
  };
}

function logRecord(traceId: string, spanId: string, eventName: string, body: unknown) {
  return {
    timeUnixNano: nanos(Date.now() - 20_000),
    eventName,
    body,
    attributes: [attribute('gen_ai.system', text('openai'))],
    traceId,
    spanId,
  };
}

async function chatWithLogs(key?: string) {
  const traceId = hex(16);
  const chat = jsonSpan(traceId, 'chat gpt-4o', [
    attribute('gen_ai.operation.name', text('chat')),
    attribute('gen_ai.request.model', text('gpt-4o')),
    attribute('gen_ai.usage.input_tokens', { intValue: '12' }),
    attribute('gen_ai.usage.output_tokens', { intValue: '3' }),
  ]);
  const logs = await postJson(
    server,
    '/v1/logs',
    logsRequest([
      logRecord(traceId, chat.spanId, 'gen_ai.user.message', {
        kvlistValue: { values: [attribute('content', text('My email is ada@example.com'))] },
      }),
      logRecord(traceId, chat.spanId, 'gen_ai.choice', {
        kvlistValue: {
          values: [
            attribute('index', { intValue: '0' }),
            attribute('message', {
              kvlistValue: { values: [attribute('content', text('Noted.'))] },
            }),
          ],
        },
      }),
      { ...logRecord(traceId, chat.spanId, 'app.log', text('unrelated')), eventName: undefined },
    ]),
    key,
  );
  const traces = await postJson(server, '/v1/traces', exportRequest([chat]), key);
  return { traceId, logs, traces };
}

describe('POST /v1/logs (OTLP/JSON)', () => {
  it('keeps GenAI content events, joins them into the span, and rejects other records', async () => {
    const { traceId, logs, traces } = await chatWithLogs();
    expect(traces.status).toBe(200);
    expect(logs.status).toBe(200);
    expect(await logs.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: '1',
        errorMessage: expect.stringContaining('is not a GenAI content event'),
      },
    });
    const events = await listRunEvents(server, traceId);
    expect(events).toHaveLength(1);
    const chat = eventNamed(events, 'chat gpt-4o');
    expect(JSON.parse(chat.input as string)).toEqual([
      { role: 'user', content: 'My email is ada@example.com' },
    ]);
    expect(chat.output).toBe('Noted.');
  });

  it('stores no content for a project with content storage off', async () => {
    const project = await server.app.stores.meta.createProject({
      orgId: server.tenant.orgId,
      name: 'no-content',
      contentStorage: false,
    });
    const key = await issueApiKey(server.app.stores.meta, {
      orgId: server.tenant.orgId,
      projectId: project.id,
      name: 'no-content',
      scopes: ['ingest', 'read'],
    });
    const { traceId } = await chatWithLogs(key.secret);
    const [chat] = await listRunEvents(server, traceId, key.secret);
    expect(chat).toMatchObject({
      event_type: 'prompt_call',
      input_tokens: 12,
      input: '',
      output: '',
    });
  });

  it('answers 400 to a body that is not an export request', async () => {
    const response = await postJson(server, '/v1/logs', { resourceLogs: 'nope' });
    expect(response.status).toBe(400);
  });
});
