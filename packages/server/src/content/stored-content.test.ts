import { describe, expect, it } from 'vitest';
import { parseEventBatch } from '../ingest/parse-event-batch';
import { storedMetadata, storedText } from './stored-content';

const tenant = { orgId: 'org', projectId: 'project', retentionDays: 90 };
const SECRET = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';

describe('what is stored besides prompts', () => {
  it('removes values under credential names at any depth, and credential-shaped strings', () => {
    const stored = storedMetadata(
      {
        attributes: {
          'http.request.header.authorization': 'Basic dXNlcjpwYXNz',
          'x-api-key': 'short',
          'db.password': 'hunter2',
          'gen_ai.usage.input_tokens': 12,
          note: `called with ${SECRET}`,
        },
        events: [{ attributes: { access_token: 'abc' } }],
        url: 'https://user:pa55word@internal.example/path',
      },
      false,
    );
    const text = JSON.stringify(stored);
    for (const secret of ['dXNlcjpwYXNz', 'short', 'hunter2', SECRET, 'abc"', 'pa55word']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('"gen_ai.usage.input_tokens":12');
  });

  it('redacts PII in error texts only when the project asks, credentials always', () => {
    const message = `openai HTTP 401: bad key ${SECRET} for jane@example.com`;
    expect(storedText(message, false)).not.toContain(SECRET);
    expect(storedText(message, false)).toContain('jane@example.com');
    expect(storedText(message, true)).not.toContain('jane@example.com');
  });

  it('applies to every ingested event (SDK and OTLP spans alike)', () => {
    const batch = parseEventBatch(
      [
        {
          event_type: 'error',
          error_message: `upstream said: Bearer ${SECRET} rejected for jane@example.com`,
          metadata: { attributes: { authorization: `Bearer ${SECRET}` } },
        },
      ],
      { ...tenant, piiRedaction: true },
      { maxFutureSkewMs: 3_600_000 },
    );
    const stored = batch.rows.toString();
    expect(batch.accepted).toBe(1);
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain('jane@example.com');
  });
});
