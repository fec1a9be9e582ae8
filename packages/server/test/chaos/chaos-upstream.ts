/**
 * A loopback OpenAI-format upstream that misbehaves on purpose: each request
 * gets the next behaviour of a seeded sequence (answer, answer slowly, 500,
 * 429 with Retry-After, hang, reset, or a stream broken before its first
 * event). The sequence comes from fast-check's seeded sampler, so a run is
 * reproducible from its seed.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { openAIWire } from '../helpers/upstreams/openai-upstream';
import { replyFor } from '../helpers/upstreams/scripted-upstream';

export type Behaviour =
  'ok' | 'slow' | 'server-error' | 'rate-limited' | 'hang' | 'reset' | 'broken-stream';

export interface ChaosUpstream {
  url: string;
  /** How many requests got each behaviour. */
  served: Record<Behaviour, number>;
  close(): Promise<void>;
}

const SEQUENCE_LENGTH = 10_000;
const wire = openAIWire('openai');
const textReply = replyFor(wire, 'text');
const streamReply = replyFor(wire, 'text-stream');

/** Starts an upstream whose behaviours are drawn with the given weights from the seed. */
export async function startChaosUpstream(
  seed: number,
  weights: Partial<Record<Behaviour, number>>,
  slowMs: { min: number; max: number } = { min: 50, max: 300 },
  retryAfterSeconds = 1,
): Promise<ChaosUpstream> {
  const behaviours = fc.sample(
    fc.oneof(
      ...Object.entries(weights).map(([behaviour, weight]) => ({
        arbitrary: fc.constant(behaviour as Behaviour),
        weight: weight!,
      })),
    ),
    { seed, numRuns: SEQUENCE_LENGTH },
  );
  const delays = fc.sample(fc.integer(slowMs), { seed: seed + 1, numRuns: SEQUENCE_LENGTH });
  const served: Record<Behaviour, number> = {
    ok: 0,
    slow: 0,
    'server-error': 0,
    'rate-limited': 0,
    hang: 0,
    reset: 0,
    'broken-stream': 0,
  };
  let next = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const index = next++ % SEQUENCE_LENGTH;
      const behaviour = behaviours[index]!;
      served[behaviour] += 1;
      const streaming = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean })
        .stream;
      behave(behaviour, streaming === true, delays[index]!, retryAfterSeconds, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function behave(
  behaviour: Behaviour,
  streaming: boolean,
  delayMs: number,
  retryAfterSeconds: number,
  response: ServerResponse,
): void {
  switch (behaviour) {
    case 'ok':
      answer(streaming, response);
      return;
    case 'slow':
      setTimeout(() => answer(streaming, response), delayMs);
      return;
    case 'server-error':
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'chaos', type: 'server_error' } }));
      return;
    case 'rate-limited':
      response.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': String(retryAfterSeconds),
      });
      response.end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit' } }));
      return;
    case 'hang':
      return;
    case 'reset':
      response.socket?.destroy();
      return;
    case 'broken-stream':
      // Headers of a successful answer, then the connection drops before any event or body.
      response.writeHead(200, {
        'content-type': streaming ? 'text/event-stream' : 'application/json',
      });
      response.flushHeaders();
      setTimeout(() => response.socket?.destroy(), 5);
      return;
    default: {
      const unexpected: never = behaviour;
      throw new Error(`unknown behaviour ${String(unexpected)}`);
    }
  }
}

function answer(streaming: boolean, response: ServerResponse): void {
  if (streaming && streamReply.type === 'sse') {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const event of streamReply.events) response.write(event);
    response.end();
    return;
  }
  if (textReply.type !== 'json') throw new Error('the chat-text fixture is not JSON');
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(textReply.body));
}
