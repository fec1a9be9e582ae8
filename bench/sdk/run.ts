/**
 * SDK overhead benchmark: CPU time on the app's thread per tracked call
 * (trackAIOperation, and a wrapped OpenAI client call), and heap growth over
 * 1,000,000 tracked calls while the Tollgate server is stopped. See README.md.
 *
 *   node --expose-gc --import tsx bench/sdk/run.ts [--calls 200000] [--rounds 5] [--heap-calls 1000000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { createTollgate, trackAIOperation, wrapOpenAI, type Tollgate } from '@tollgate/sdk';
import OpenAI from 'openai';
import { APIPromise } from 'openai/core/api-promise';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const CALLS = option('calls', 200_000);
const ROUNDS = option('rounds', 5);
const HEAP_CALLS = option('heap-calls', 1_000_000);
const CLIENT_CALLS = option('client-calls', 20_000);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx bench/sdk/run.ts');

const completion = {
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1763900000,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello! How can I help you today?', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 19,
    completion_tokens: 10,
    total_tokens: 29,
    prompt_tokens_details: { cached_tokens: 4 },
  },
};
const completionBody = JSON.stringify(completion);

/** CPU µs (user + system) of this process per iteration of `loop`. */
async function cpuPerCall(calls: number, loop: (calls: number) => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await loop(calls);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

/** Lets timers and I/O run, as any app's event loop does between requests (the exporter sends then). */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const YIELD_EVERY = 1000;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round2 = (value: number) => Math.round(value * 100) / 100;

/** A port nothing listens on: the "stopped" server. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A child process answering every POST like Tollgate's ingest (200) and every chat call with a fixture. */
async function startSink(): Promise<{ url: string; child: ChildProcess }> {
  const source = `
    const http = require('node:http');
    const body = ${JSON.stringify(completionBody)};
    const server = http.createServer((request, response) => {
      const chunks = [];
      request.on('data', (chunk) => chunks.push(chunk));
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        if (!request.url.endsWith('/api/v1/events')) return response.end(body);
        const accepted = JSON.parse(Buffer.concat(chunks).toString()).length;
        response.end(JSON.stringify({ accepted, rejected: 0, errors: [] }));
      });
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) =>
    child.stdout!.once('data', (data: Buffer) => resolve(data.toString().trim())),
  );
  return { url: `http://127.0.0.1:${port}`, child };
}

function tollgateAt(baseUrl: string): Tollgate {
  return createTollgate({
    baseUrl,
    apiKey: 'tg_bench',
    setAsDefault: false,
    flushOnExit: false,
    onWarning: () => undefined,
  });
}

const response = { usage: completion.usage };
const trackOptions = (tollgate: Tollgate) => ({
  operationType: 'chat',
  model: 'gpt-4o-mini',
  clientId: 'acme',
  tollgate,
});

async function benchTrack(label: string, tollgate: Tollgate) {
  const fn = () => response;
  const baseline = async (calls: number) => {
    for (let index = 0; index < calls; index++) {
      await fn();
      if (index % YIELD_EVERY === 0) await yieldToEventLoop();
    }
  };
  const tracked = async (calls: number) => {
    for (let index = 0; index < calls; index++) {
      await trackAIOperation(fn, trackOptions(tollgate));
      if (index % YIELD_EVERY === 0) await yieldToEventLoop();
    }
  };
  await tracked(20_000);
  await baseline(20_000);
  const base: number[] = [];
  const with_: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    gc!();
    base.push(await cpuPerCall(CALLS, baseline));
    gc!();
    with_.push(await cpuPerCall(CALLS, tracked));
  }
  await tollgate.flush({ timeoutMs: 5000 });
  const result = {
    label,
    baselineUs: round2(median(base)),
    trackedUs: round2(median(with_)),
    overheadUs: round2(median(with_) - median(base)),
    stats: tollgate.stats(),
  };
  console.log(JSON.stringify(result));
  return result;
}

async function benchClient(label: string, makeClient: (wrapped: boolean) => OpenAI, calls: number) {
  const plain = makeClient(false);
  const wrapped = makeClient(true);
  const params = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user' as const, content: 'Say hello' }],
  };
  const loop = (client: OpenAI) => async (count: number) => {
    for (let index = 0; index < count; index++) await client.chat.completions.create(params);
    await yieldToEventLoop();
  };
  await loop(plain)(2000);
  await loop(wrapped)(2000);
  const base: number[] = [];
  const with_: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    gc!();
    base.push(await cpuPerCall(calls, loop(plain)));
    gc!();
    with_.push(await cpuPerCall(calls, loop(wrapped)));
  }
  const result = {
    label,
    plainUs: round2(median(base)),
    wrappedUs: round2(median(with_)),
    overheadUs: round2(median(with_) - median(base)),
    roundsOverheadUs: base.map((value, index) => round2(with_[index]! - value)),
  };
  console.log(JSON.stringify(result));
  return result;
}

/**
 * The wrapper's own cost, without the client's HTTP work: a client shaped
 * like the official one whose `create` returns the official `APIPromise`
 * over an already-received response.
 */
async function benchWrapperIsolated(tollgate: Tollgate) {
  const headers = new Headers({ 'x-request-id': 'req_bench' });
  const makeClient = () => ({
    chat: {
      completions: {
        create: () =>
          new APIPromise(
            null as never,
            Promise.resolve({ response: { headers } } as never),
            async () => ({ ...completion }) as never,
          ),
      },
    },
  });
  const plain = makeClient();
  const wrapped = wrapOpenAI(makeClient(), { tollgate });
  const params = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] };
  const loop = (client: typeof plain) => async (count: number) => {
    for (let index = 0; index < count; index++) {
      await client.chat.completions.create();
      if (index % YIELD_EVERY === 0) await yieldToEventLoop();
    }
  };
  void params;
  await loop(plain)(20_000);
  await loop(wrapped)(20_000);
  const base: number[] = [];
  const with_: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    gc!();
    base.push(await cpuPerCall(CALLS / 2, loop(plain)));
    gc!();
    with_.push(await cpuPerCall(CALLS / 2, loop(wrapped)));
  }
  const result = {
    label: 'wrapOpenAI overhead, isolated (official APIPromise, no HTTP)',
    plainUs: round2(median(base)),
    wrappedUs: round2(median(with_)),
    overheadUs: round2(median(with_) - median(base)),
  };
  console.log(JSON.stringify(result));
  return result;
}

async function benchHeap(
  label: string,
  calls: number,
  call: () => Promise<unknown>,
  tollgate: Tollgate,
) {
  const samples: { calls: number; heapMb: number }[] = [];
  const sample = (done: number) => {
    gc!();
    gc!();
    samples.push({
      calls: done,
      heapMb: Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10,
    });
  };
  const step = calls / 4;
  for (let index = 0; index < 20_000; index++) await call();
  sample(0);
  for (let done = 0; done < calls;) {
    for (let index = 0; index < step; index++) {
      await call();
      if (index % YIELD_EVERY === 0) await yieldToEventLoop();
    }
    done += step;
    sample(done);
  }
  const result = {
    label,
    samples,
    growthMb: round2(samples.at(-1)!.heapMb - samples[0]!.heapMb),
    stats: tollgate.stats(),
  };
  console.log(JSON.stringify(result));
  return result;
}

const environment = { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length };
console.log(JSON.stringify(environment));

const stoppedUrl = `http://127.0.0.1:${await closedPort()}`;
const sink = await startSink();
const upstream = await startSink();
try {
  const stopped = tollgateAt(stoppedUrl);
  const up = tollgateAt(sink.url);
  const trackStopped = await benchTrack('trackAIOperation, server stopped', stopped);
  const trackUp = await benchTrack('trackAIOperation, server up (export included)', up);

  const isolated = await benchWrapperIsolated(stopped);
  const cannedFetch: typeof fetch = async () =>
    new Response(completionBody, {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req_bench' },
    });
  const inProcess = await benchClient(
    'wrapped OpenAI chat call, in-process canned fetch',
    (wrapped) => {
      const client = new OpenAI({
        apiKey: 'sk-bench',
        baseURL: 'http://upstream.invalid/v1',
        fetch: cannedFetch,
        maxRetries: 0,
      });
      return wrapped ? wrapOpenAI(client, { tollgate: up }) : client;
    },
    CLIENT_CALLS,
  );
  const loopback = await benchClient(
    'wrapped OpenAI chat call, loopback upstream (another process)',
    (wrapped) => {
      const client = new OpenAI({
        apiKey: 'sk-bench',
        baseURL: `${upstream.url}/v1`,
        maxRetries: 0,
      });
      return wrapped ? wrapOpenAI(client, { tollgate: up }) : client;
    },
    Math.round(CLIENT_CALLS / 4),
  );

  const heapTrack = await benchHeap(
    `trackAIOperation x ${HEAP_CALLS}, server stopped`,
    HEAP_CALLS,
    () => trackAIOperation(() => response, trackOptions(stopped)),
    stopped,
  );
  const wrappedStopped = wrapOpenAI(
    new OpenAI({
      apiKey: 'sk-bench',
      baseURL: 'http://upstream.invalid/v1',
      fetch: cannedFetch,
      maxRetries: 0,
    }),
    { tollgate: stopped },
  );
  const heapClient = await benchHeap(
    `wrapped OpenAI call x ${HEAP_CALLS / 10}, server stopped`,
    HEAP_CALLS / 10,
    () =>
      wrappedStopped.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Say hello' }],
      }),
    stopped,
  );
  console.log(
    JSON.stringify({
      summary: {
        environment,
        trackStopped,
        trackUp,
        isolated,
        inProcess,
        loopback,
        heapTrack,
        heapClient,
      },
    }),
  );
  await Promise.all([stopped.shutdown({ timeoutMs: 100 }), up.shutdown({ timeoutMs: 2000 })]);
} finally {
  sink.child.kill();
  upstream.child.kill();
}
