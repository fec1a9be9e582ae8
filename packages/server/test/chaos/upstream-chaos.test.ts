/**
 * Upstream chaos: one route over three misbehaving deployments (random
 * failures, hangs, slowness, 429 with Retry-After, streams broken before their
 * first event) and one healthy deployment behind them. Through the official
 * OpenAI client, at least 99.9% of calls succeed with the full answer, and no
 * call runs past the route's deadline by more than a stated margin.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createTempDir } from '../helpers/temp-dir';
import { startTestServer } from '../helpers/test-server';
import { chaosSeed, printSummary } from './chaos-support';
import { startChaosUpstream, type ChaosUpstream } from './chaos-upstream';

const CALLS = Number(process.env.TOLLGATE_CHAOS_UPSTREAM_CALLS ?? 2_000);
const CONCURRENCY = 16;
const DEADLINE_MS = 6_000;
/** A call may end this much after its deadline (timers, event loop, the client's own parsing). */
const DEADLINE_MARGIN_MS = 500;
/** Misbehaving deployments get a short attempt timeout (a hang costs little); the healthy one a generous one. */
const CHAOS_TIMEOUT_MS = 500;
const HEALTHY_TIMEOUT_MS = 3_000;
const REQUIRED_SUCCESS = 0.999;
/** The text of the OpenAI `chat-text` fixture every good answer carries. */
const FIXTURE_TEXT = 'Hello! How can I help you today?';
/** Fixed unless TOLLGATE_CHAOS_SEED replays another run. */
const SEED = process.env.TOLLGATE_CHAOS_SEED ? chaosSeed('TOLLGATE_CHAOS_SEED') : 20_261_123;

function deployment(
  id: string,
  url: string,
  settings: { priority: number; maxRetries: number; timeoutMs: number },
): string {
  return `      - { id: ${id}, provider: openai, model: gpt-4o-mini, baseUrl: "${url}/v1", apiKeyEnv: CHAOS_OPENAI_KEY, priority: ${settings.priority}, maxRetries: ${settings.maxRetries}, timeoutMs: ${settings.timeoutMs} }`;
}

async function oneCall(client: OpenAI, call: number): Promise<string> {
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];
  if (call % 2 === 0) {
    const completion = await client.chat.completions.create({ model: 'chaos', messages });
    return completion.choices[0]?.message.content ?? '';
  }
  const stream = await client.chat.completions.create({ model: 'chaos', messages, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

describe('chaos: upstream failures', () => {
  it(`answers at least ${REQUIRED_SUCCESS * 100}% of ${CALLS} calls within the deadline over misbehaving deployments`, async () => {
    const upstreams: Record<string, ChaosUpstream> = {
      flaky: await startChaosUpstream(SEED, {
        ok: 50,
        'server-error': 20,
        reset: 10,
        'broken-stream': 10,
        hang: 10,
      }),
      slow: await startChaosUpstream(
        SEED + 10,
        { slow: 70, hang: 20, ok: 10 },
        { min: 50, max: 350 },
      ),
      limited: await startChaosUpstream(SEED + 20, { 'rate-limited': 60, ok: 40 }),
      healthy: await startChaosUpstream(SEED + 30, { ok: 1 }),
    };
    const chaos = { priority: 0, maxRetries: 0, timeoutMs: CHAOS_TIMEOUT_MS };
    const directory = createTempDir();
    const routes = join(directory.path, 'routes.yaml');
    writeFileSync(
      routes,
      [
        'routes:',
        '  - model: chaos',
        `    deadlineMs: ${DEADLINE_MS}`,
        '    deployments:',
        deployment('flaky', upstreams.flaky!.url, chaos),
        deployment('slow', upstreams.slow!.url, chaos),
        // Retried once, so its Retry-After is honoured before failing over.
        deployment('limited', upstreams.limited!.url, { ...chaos, maxRetries: 1 }),
        deployment('healthy', upstreams.healthy!.url, {
          priority: 1,
          maxRetries: 1,
          timeoutMs: HEALTHY_TIMEOUT_MS,
        }),
      ].join('\n'),
    );
    const server = await startTestServer({
      environment: {
        TOLLGATE_ROUTES: routes,
        CHAOS_OPENAI_KEY: 'sk-chaos',
        // Breakers open quickly and probe again soon, so the chaos keeps reaching the gateway.
        TOLLGATE_BREAKER_FAILURES: '5',
        TOLLGATE_BREAKER_COOLDOWN_MS: '1000',
      },
    });
    const client = new OpenAI({
      apiKey: server.tenant.projectKey,
      baseURL: `${server.url}/v1`,
      maxRetries: 0,
      timeout: DEADLINE_MS + 10_000,
    });
    const failures: string[] = [];
    const late: number[] = [];
    const durations: number[] = [];
    let nextCall = 0;
    const started = Date.now();
    try {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let call = nextCall++; call < CALLS; call = nextCall++) {
            const callStarted = performance.now();
            try {
              const text = await oneCall(client, call);
              if (text !== FIXTURE_TEXT) failures.push(`call ${call}: answered "${text}"`);
            } catch (error) {
              failures.push(`call ${call}: ${(error as Error).message}`);
            }
            const duration = performance.now() - callStarted;
            durations.push(duration);
            if (duration > DEADLINE_MS + DEADLINE_MARGIN_MS) late.push(Math.round(duration));
          }
        }),
      );
    } finally {
      await server.close();
      await Promise.all(Object.values(upstreams).map((upstream) => upstream.close()));
      directory.remove();
    }
    const succeeded = CALLS - failures.length;
    const served = Object.entries(upstreams)
      .map(([name, upstream]) => {
        const counts = Object.entries(upstream.served).filter(([, count]) => count > 0);
        return `${name} ${counts.map(([behaviour, count]) => `${behaviour}=${count}`).join(' ')}`;
      })
      .join('; ');
    durations.sort((a, b) => a - b);
    printSummary(
      'upstream chaos',
      `seed ${SEED}; ${CALLS} calls (half streamed) at concurrency ${CONCURRENCY} in ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
        `succeeded ${succeeded} (${((succeeded / CALLS) * 100).toFixed(2)}%), failed ${failures.length}; ` +
        `slowest ${Math.round(durations.at(-1) ?? 0)} ms, over deadline ${DEADLINE_MS} ms + ${DEADLINE_MARGIN_MS} ms: ${late.length}; ` +
        `upstreams served: ${served}`,
    );
    expect(succeeded / CALLS, failures.slice(0, 5).join('\n')).toBeGreaterThanOrEqual(
      REQUIRED_SUCCESS,
    );
    expect(late).toEqual([]);
    // The chaos really happened: every kind of misbehaviour reached the gateway.
    expect(upstreams.flaky!.served['server-error']).toBeGreaterThan(0);
    expect(upstreams.flaky!.served['broken-stream']).toBeGreaterThan(0);
    expect(upstreams.flaky!.served.hang + upstreams.slow!.served.hang).toBeGreaterThan(0);
    expect(upstreams.limited!.served['rate-limited']).toBeGreaterThan(0);
    expect(upstreams.slow!.served.slow).toBeGreaterThan(0);
  }, 600_000);
});
