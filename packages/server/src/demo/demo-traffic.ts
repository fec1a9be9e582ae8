import { createEventId, createSeededRandom } from '@tollgate/core';

export interface DemoOptions {
  baseUrl: string;
  projectKey: string;
  /** With an admin key the demo also adds two routes with failing simulated deployments. */
  adminKey?: string;
  /** Iterations of the mixed workload (each is one or several calls). */
  iterations: number;
  concurrency: number;
  seed: number;
  log: (line: string) => void;
}

export interface DemoSummary {
  calls: number;
  failed: number;
  streamed: number;
  agentRuns: number;
  events: number;
}

const MODELS = [
  'simulated/gpt-4o',
  'simulated/gpt-4o-mini',
  'simulated/claude-sonnet-4-5',
  'simulated/gemini-2.5-flash',
];
const TOPICS = [
  'refund policy',
  'shipping delay',
  'password reset',
  'invoice copy',
  'upgrade plan',
  'API limits',
];
const TOOLS = ['search_orders', 'lookup_customer', 'create_ticket', 'fetch_invoice'];

/** Demo routes: a flaky deployment that fails over to a steady one, and one that always fails. */
const DEMO_ROUTES = [
  {
    model: 'demo-flaky',
    deployments: [
      {
        id: 'demo-flaky-primary',
        provider: 'simulated',
        model: 'simulated/flaky',
        priority: 0,
        maxRetries: 0,
        options: { errorRate: 0.35 },
      },
      { id: 'demo-flaky-backup', provider: 'simulated', model: 'simulated/backup', priority: 1 },
    ],
  },
  {
    model: 'demo-broken',
    deployments: [
      {
        id: 'demo-broken',
        provider: 'simulated',
        model: 'simulated/broken',
        maxRetries: 0,
        options: { errorRate: 1 },
      },
    ],
  },
];

/**
 * Mixed, realistic traffic through the gateway against the simulated
 * provider: several models and users, some streaming, some failing, and agent
 * runs whose steps and tool calls are reported through the events API.
 */
export async function runDemoTraffic(options: DemoOptions): Promise<DemoSummary> {
  const random = createSeededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const summary: DemoSummary = { calls: 0, failed: 0, streamed: 0, agentRuns: 0, events: 0 };
  const headers = (key: string, extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${key}`,
    'content-type': 'application/json',
    ...extra,
  });

  let models = MODELS;
  if (options.adminKey) {
    for (const route of DEMO_ROUTES) {
      const response = await fetch(`${options.baseUrl}/api/v1/admin/routes/${route.model}`, {
        method: 'PUT',
        headers: headers(options.adminKey),
        body: JSON.stringify(route),
      });
      if (!response.ok)
        throw new Error(
          `could not create the demo route ${route.model}: ${response.status} ${await response.text()}`,
        );
    }
    models = [...MODELS, 'demo-flaky', 'demo-flaky', 'demo-broken'];
    options.log('added routes demo-flaky (fails over) and demo-broken (always fails)');
  } else {
    options.log('no --admin-key: skipping the failing demo routes');
  }

  async function chat(
    model: string,
    user: string,
    content: string,
    trace: Record<string, string> = {},
  ): Promise<void> {
    const stream = random() < 0.3;
    const response = await fetch(`${options.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: headers(options.projectKey, { 'x-tollgate-user-id': user, ...trace }),
      body: JSON.stringify({
        model,
        messages: [
          { role: 'system', content: 'You are a helpful support assistant.' },
          { role: 'user', content },
        ],
        stream,
        ...(stream && { stream_options: { include_usage: true } }),
        max_tokens: 64 + Math.floor(random() * 400),
      }),
    });
    await response.text();
    summary.calls += 1;
    if (stream) summary.streamed += 1;
    if (!response.ok) summary.failed += 1;
  }

  async function agentRun(user: string): Promise<void> {
    const runId = createEventId();
    const topic = pick(TOPICS);
    const events: Array<Record<string, unknown>> = [];
    const steps = 2 + Math.floor(random() * 3);
    for (let step = 1; step <= steps; step += 1) {
      const stepId = createEventId();
      const tool = pick(TOOLS);
      const latency = 50 + Math.floor(random() * 400);
      await chat(pick(MODELS), user, `Step ${step} of handling "${topic}"`, {
        'x-tollgate-run-id': runId,
        'x-tollgate-parent-id': stepId,
      });
      events.push(
        {
          event_type: 'agent_step',
          event_id: stepId,
          run_id: runId,
          step_number: step,
          step_name: `step-${step}`,
          step_type: step === 1 ? 'plan' : 'act',
          user_id: user,
          latency_ms: latency,
          input: topic,
          output: `done ${step}`,
        },
        {
          event_type: 'tool_call',
          run_id: runId,
          parent_id: stepId,
          tool_name: tool,
          user_id: user,
          latency_ms: Math.floor(latency / 2),
          status: random() < 0.1 ? 'error' : 'success',
          input: { query: topic },
          output: { rows: Math.floor(random() * 20) },
        },
      );
    }
    const response = await fetch(`${options.baseUrl}/api/v1/events`, {
      method: 'POST',
      headers: headers(options.projectKey),
      body: JSON.stringify(events),
    });
    if (!response.ok)
      throw new Error(
        `the events API refused the demo run: ${response.status} ${await response.text()}`,
      );
    summary.agentRuns += 1;
    summary.events += events.length;
  }

  let next = 0;
  async function worker(): Promise<void> {
    while (next < options.iterations) {
      const iteration = next++;
      const user = `user-${1 + Math.floor(random() * 20)}`;
      if (iteration % 5 === 4) await agentRun(user);
      else await chat(pick(models), user, `Question about ${pick(TOPICS)} #${iteration}`);
      if ((iteration + 1) % 50 === 0)
        options.log(`${iteration + 1}/${options.iterations} iterations`);
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return summary;
}
