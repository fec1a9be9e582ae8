import { createEventId, type PromptVersion } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickPromptVersion } from '../../src/prompts/pick-prompt-version';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
/** An admin key of a second organization, and its project. */
let other: { adminKey: string; projectId: string };

async function json<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return (text ? JSON.parse(text) : undefined) as T;
}

function stubVersion(version: number): PromptVersion {
  return {
    version,
    template: '',
    system: null,
    model: null,
    temperature: null,
    maxTokens: null,
    createdBy: null,
    createdAt: new Date(0),
    weight: null,
  };
}

interface ErrorBody {
  error: { code: string; message: string; details?: { field?: string } };
}

function createPrompt(
  body: unknown,
  key = server.tenant.adminKey,
  project = server.tenant.projectId,
) {
  return postJson(server, `/api/v1/prompts?project_id=${project}`, body, key);
}

beforeAll(async () => {
  server = await startTestServer();
  const org = await json<{ admin_key: { secret: string } }>(
    await postJson(server, '/api/v1/admin/orgs', { name: 'globex' }, server.tenant.adminKey),
    201,
  );
  const project = await json<{ id: string }>(
    await postJson(server, '/api/v1/admin/projects', { name: 'app' }, org.admin_key.secret),
    201,
  );
  other = { adminKey: org.admin_key.secret, projectId: project.id };
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('prompt versions and activation', () => {
  it('creates a prompt whose first version is active, and audits it', async () => {
    const created = await json<{ id: string; versions: Array<Record<string, unknown>> }>(
      await createPrompt({
        name: 'summarize',
        template: 'Summarize {{text}} in {{words}} words',
        system: 'You write for {{audience}}.',
        model: 'simulated/prompted',
        temperature: 0.2,
        max_tokens: 120,
      }),
      201,
    );
    expect(created.versions).toEqual([
      expect.objectContaining({
        version: 1,
        variables: ['audience', 'text', 'words'],
        temperature: 0.2,
        max_tokens: 120,
        active: true,
        weight: 1,
        created_by: expect.stringMatching(/^key_/),
      }),
    ]);
    const audit = await json<{ entries: Array<Record<string, unknown>> }>(
      await server.request('/api/v1/admin/audit', { key: server.tenant.adminKey }),
      200,
    );
    expect(audit.entries[0]).toMatchObject({
      action: 'prompt.created',
      target_type: 'prompt',
      target_id: created.id,
      before: null,
    });
  });

  it('adds numbered versions that stay inactive until activated', async () => {
    const path = `/api/v1/prompts/summarize/versions?project_id=${server.tenant.projectId}`;
    const second = await json(
      await postJson(server, path, { template: 'Short: {{text}}' }, server.tenant.adminKey),
      201,
    );
    const third = await json(
      await postJson(server, path, { template: 'Tiny: {{text}}' }, server.tenant.adminKey),
      201,
    );
    expect([second.version, third.version]).toEqual([2, 3]);
    expect([second.active, third.active]).toEqual([false, false]);
    // A project key reads in its own project without naming it.
    const prompt = await json<{ versions: Array<{ version: number; active: boolean }> }>(
      await server.request('/api/v1/prompts/summarize'),
      200,
    );
    expect(prompt.versions.map((each) => [each.version, each.active])).toEqual([
      [1, true],
      [2, false],
      [3, false],
    ]);
  });

  it('activates an A/B split, deactivating the others, and audits before and after', async () => {
    const activated = await json<{ versions: Array<{ version: number; weight: number | null }> }>(
      await postJson(
        server,
        `/api/v1/prompts/summarize/activate?project_id=${server.tenant.projectId}`,
        {
          versions: [
            { version: 2, weight: 0.6 },
            { version: 3, weight: 0.4 },
          ],
        },
        server.tenant.adminKey,
      ),
      200,
    );
    expect(activated.versions.map((each) => each.weight)).toEqual([null, 0.6, 0.4]);
    const audit = await json<{ entries: Array<Record<string, unknown>> }>(
      await server.request('/api/v1/admin/audit', { key: server.tenant.adminKey }),
      200,
    );
    expect(audit.entries[0]).toMatchObject({
      action: 'prompt.activated',
      before: { active: [{ version: 1, weight: 1 }] },
      after: {
        active: [
          { version: 2, weight: 0.6 },
          { version: 3, weight: 0.4 },
        ],
      },
    });
  });

  it('resolves the same version for a user every time, as the unit-tested split does', async () => {
    // The split over 10,000 users is checked in pick-prompt-version.test.ts; here the
    // endpoint must give each user that same pick, and the same one again.
    const weights = [null, 0.6, 0.4].map((weight, index) => ({
      ...stubVersion(index + 1),
      weight,
    }));
    const users = Array.from({ length: 300 }, (_, index) => `user-${index}`);
    const versions: number[] = [];
    for (const user of users) {
      const first = await json<{ version: number; assignment: string }>(
        await server.request(`/api/v1/prompts/summarize/resolve?userId=${user}`),
        200,
      );
      const again = await json<{ version: number }>(
        await server.request(`/api/v1/prompts/summarize/resolve?userId=${user}`),
        200,
      );
      expect(again.version).toBe(first.version);
      expect(first.assignment).toBe('sticky');
      expect(first.version).toBe(pickPromptVersion('summarize', weights, user)!.version.version);
      versions.push(first.version);
    }
    // Share of version 2 (weight 0.6) over 300 users: within 4 binomial standard
    // deviations, 4 * sqrt(0.6 * 0.4 / 300) = 0.113. Fixed ids: the outcome is deterministic.
    const share = versions.filter((each) => each === 2).length / users.length;
    expect(Math.abs(share - 0.6)).toBeLessThanOrEqual(0.113);
    expect(new Set(versions)).toEqual(new Set([2, 3]));
  }, 60_000);

  it('picks at random by weight without a user id', async () => {
    const assignments = new Set<string>();
    for (let index = 0; index < 20; index += 1) {
      const picked = await json<{ version: number; assignment: string }>(
        await server.request('/api/v1/prompts/summarize/resolve'),
        200,
      );
      expect([2, 3]).toContain(picked.version);
      assignments.add(picked.assignment);
    }
    expect(assignments).toEqual(new Set(['random']));
  });

  it('rejects bad input with a 400 naming the field', async () => {
    const activate = (body: unknown) =>
      postJson(
        server,
        `/api/v1/prompts/summarize/activate?project_id=${server.tenant.projectId}`,
        body,
        server.tenant.adminKey,
      );
    const cases: Array<[Promise<Response>, string]> = [
      [
        activate({
          versions: [
            { version: 2, weight: 0.7 },
            { version: 3, weight: 0.4 },
          ],
        }),
        'versions',
      ],
      [activate({ versions: [{ version: 2, weight: 1.5 }] }), 'versions.0.weight'],
      [activate({ versions: [{ version: 2, weight: -0.1 }] }), 'versions.0.weight'],
      [
        activate({
          versions: [
            { version: 2, weight: 0.5 },
            { version: 2, weight: 0.5 },
          ],
        }),
        'versions',
      ],
      [activate({ versions: [{ version: 9, weight: 0.5 }] }), 'versions.0.version'],
      [activate({ version: 9 }), 'version'],
      [activate({}), 'version'],
      [createPrompt({ name: 'x', template: 't', temperature: 2.5 }), 'temperature'],
      [createPrompt({ name: 'x', template: 't', max_tokens: 0 }), 'max_tokens'],
      [createPrompt({ name: 'bad name!', template: 't' }), 'name'],
      [createPrompt({ name: 'x' }), 'template'],
      [createPrompt({ name: 'x', template: 't', colour: 'red' }), 'body'],
      [createPrompt({ name: 'y', template: 't' }, server.tenant.adminKey, ''), 'project_id'],
    ];
    for (const [response, field] of cases) {
      const body = await json<ErrorBody>(await response, 400);
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.details?.field).toBe(field);
      expect(body.error.message).toContain(field === 'body' ? '' : field);
    }
    // A rejected activation changed nothing.
    const prompt = await json<{ versions: Array<{ weight: number | null }> }>(
      await server.request('/api/v1/prompts/summarize'),
      200,
    );
    expect(prompt.versions.map((each) => each.weight)).toEqual([null, 0.6, 0.4]);
  });

  it('answers 409 for a taken name, 404 for an unknown prompt, 403 without the admin scope', async () => {
    expect(
      (await json<ErrorBody>(await createPrompt({ name: 'summarize', template: 't' }), 409)).error
        .code,
    ).toBe('conflict');
    await json(await server.request('/api/v1/prompts/absent'), 404);
    await json(await server.request('/api/v1/prompts/absent/resolve'), 404);
    const forbidden = await json<ErrorBody>(
      await postJson(server, '/api/v1/prompts', { name: 'mine', template: 't' }),
      403,
    );
    expect(forbidden.error.code).toBe('forbidden');
  });

  it('shows another organization none of the prompts', async () => {
    const listed = await json<{ prompts: unknown[] }>(
      await server.request(`/api/v1/prompts?project_id=${other.projectId}`, {
        key: other.adminKey,
      }),
      200,
    );
    expect(listed.prompts).toEqual([]);
    for (const path of ['summarize', 'summarize/resolve', 'summarize/comparison']) {
      await json(
        await server.request(`/api/v1/prompts/${path}?project_id=${other.projectId}`, {
          key: other.adminKey,
        }),
        404,
      );
    }
    // Naming the first org's project does not help.
    await json(
      await server.request(`/api/v1/prompts/summarize?project_id=${server.tenant.projectId}`, {
        key: other.adminKey,
      }),
      404,
    );
    await json(
      await postJson(
        server,
        `/api/v1/prompts/summarize/activate?project_id=${server.tenant.projectId}`,
        { version: 1 },
        other.adminKey,
      ),
      404,
    );
  });
});

describe('comparison of versions', () => {
  interface Call {
    version: number;
    status: 'success' | 'error';
    latency: number;
    tokens: [number, number];
    costNanos: number;
    feedback?: number[];
  }
  const calls: Call[] = [
    {
      version: 1,
      status: 'success',
      latency: 120,
      tokens: [100, 20],
      costNanos: 1_500,
      feedback: [4],
    },
    {
      version: 1,
      status: 'success',
      latency: 80,
      tokens: [90, 30],
      costNanos: 1_700,
      feedback: [5, 3],
    },
    { version: 1, status: 'error', latency: 900, tokens: [0, 0], costNanos: 0 },
    { version: 1, status: 'success', latency: 200, tokens: [110, 40], costNanos: 2_000 },
    { version: 2, status: 'success', latency: 60, tokens: [50, 10], costNanos: 700, feedback: [2] },
    { version: 2, status: 'success', latency: 70, tokens: [55, 15], costNanos: 800 },
    { version: 2, status: 'error', latency: 3_000, tokens: [0, 0], costNanos: 0 },
  ];
  const from = Date.now() - 3_600_000;

  /** The figures the API must give, computed here from the seeded calls. */
  function expected(version: number) {
    const own = calls.filter((call) => call.version === version);
    const latencies = own.map((call) => call.latency).sort((a, b) => a - b);
    const cost = own.reduce((sum, call) => sum + call.costNanos, 0);
    const scores = own.flatMap((call) => call.feedback ?? []);
    const successes = own.filter((call) => call.status === 'success').length;
    return {
      version,
      executions: own.length,
      successes,
      success_rate: Math.round((successes / own.length) * 10_000) / 10_000,
      latency_avg_ms: latencies.reduce((sum, each) => sum + each, 0) / own.length,
      latency_p95_ms: latencies[Math.floor(0.95 * latencies.length)],
      tokens_avg: own.reduce((sum, call) => sum + call.tokens[0] + call.tokens[1], 0) / own.length,
      cost_total_nanos: String(cost),
      cost_avg_usd: Math.round(cost / own.length) / 1e9,
      feedback_count: scores.length,
      feedback_avg: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null,
    };
  }

  beforeAll(async () => {
    const events = calls.map((call, index) => ({
      event_id: createEventId(from + 60_000 + index),
      event_type: 'prompt_call',
      ts: new Date(from + 60_000 + index * 1_000).toISOString(),
      status: call.status,
      latency_ms: call.latency,
      // A model the catalogue does not price: its reported cost is what is stored.
      model: 'house-model-mini',
      input_tokens: call.tokens[0],
      output_tokens: call.tokens[1],
      cost_usd: call.costNanos / 1e9,
      prompt_name: 'summarize',
      prompt_version: call.version,
    }));
    // Another prompt's call, which no figure may count.
    events.push({
      ...events[0]!,
      event_id: createEventId(from + 90_000),
      prompt_name: 'translate',
    });
    await json(await postJson(server, '/api/v1/events', events), 200);
    for (const [index, call] of calls.entries()) {
      for (const score of call.feedback ?? []) {
        await json(
          await postJson(server, `/api/v1/events/${events[index]!.event_id}/feedback`, { score }),
          201,
        );
      }
    }
  }, 60_000);

  it('gives each version its figures, computed from the events', async () => {
    const to = Date.now() + 60_000;
    const answer = await json<{ versions: Array<Record<string, unknown>> }>(
      await server.request(`/api/v1/prompts/summarize/comparison?from=${from}&to=${to}`),
      200,
    );
    expect(answer.versions).toHaveLength(2);
    for (const [index, version] of [1, 2].entries()) {
      const want = expected(version);
      const got = answer.versions[index]!;
      expect(got).toMatchObject({
        version: want.version,
        executions: want.executions,
        successes: want.successes,
        success_rate: want.success_rate,
        latency_p95_ms: want.latency_p95_ms,
        cost_total_nanos: want.cost_total_nanos,
        feedback_count: want.feedback_count,
      });
      expect(got.latency_avg_ms).toBeCloseTo(want.latency_avg_ms, 9);
      expect(got.tokens_avg).toBeCloseTo(want.tokens_avg, 9);
      expect(Number(got.cost_avg_usd)).toBeCloseTo(want.cost_avg_usd, 12);
      expect(got.feedback_avg).toBeCloseTo(want.feedback_avg!, 9);
    }
  });

  it('counts nothing outside the period, and needs a sane range', async () => {
    const answer = await json<{ versions: unknown[] }>(
      await server.request(
        `/api/v1/prompts/summarize/comparison?from=${from - 7_200_000}&to=${from}`,
      ),
      200,
    );
    expect(answer.versions).toEqual([]);
    const bad = await json<ErrorBody>(
      await server.request(`/api/v1/prompts/summarize/comparison?from=${from}&to=${from - 1}`),
      400,
    );
    expect(bad.error.details?.field).toBe('from');
  });
});
