// Runs the built container image (TOLLGATE_IMAGE) with podman and checks it the way a user
// would, over HTTP on 127.0.0.1 (the containers share the host's network, each on a free port):
//   1. one container on a named volume: /readyz, the keys it prints on first start, an event
//      ingested and read back, one gateway call to a simulated model, the HEALTHCHECK and the
//      user it runs as; SIGTERM (podman stop) ends it with exit code 0 within 10 s; a new
//      container on the same volume still has the event and the gateway call's record; stopped
//      again the same way;
//   2. two replicas sharing the host's PostgreSQL (database `tollgate_image`, made afresh) and
//      Redis (database 13, flushed): a key's rate limit and a key's budget hold across both.
// One file on purpose (~425 lines): CI runs it as one script, and both scenarios share its helpers.
// scripts/image-smoke.sh builds the image and sets podman up (CONTAINERS_CONF, ...) first.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';

const image = process.env.TOLLGATE_IMAGE ?? 'localhost/tollgate:ci';
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const IMAGE_DATABASE = 'tollgate_image';
const IMAGE_REDIS_DB = 13;
/** How long a replica keeps an org's budgets before reading them again (governance/budgets). */
const BUDGET_CACHE_MS = 5_000;
const LABEL = 'tollgate-image-smoke';
const run = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

function log(message) {
  console.log(`  ${message}`);
}

function check(condition, message, detail) {
  if (!condition) {
    throw new Error(`${message}${detail === undefined ? '' : `\n${JSON.stringify(detail)}`}`);
  }
}

function podman(...args) {
  const result = spawnSync('podman', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`podman ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return result.stdout.trim();
}

/** A port free on 127.0.0.1 now (the kernel's pick); the container binds it next. */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a container of the image on the host's network at 127.0.0.1:<port>. */
function startContainer(name, volume, port, environment = {}) {
  const settings = { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...environment };
  podman(
    'run',
    '--detach',
    '--name',
    name,
    '--label',
    LABEL,
    '--network',
    'host',
    '--volume',
    `${volume}:/data`,
    ...Object.entries(settings).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
    image,
  );
  return { name, url: `http://127.0.0.1:${port}` };
}

/** Waits for /readyz to answer 200 (up to 90 s); fails early, with its logs, if it exited. */
async function waitReady(container) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      const response = await fetch(`${container.url}/readyz`);
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    const state = podman('inspect', '--format', '{{.State.Status}}', container.name);
    if (state !== 'running' || Date.now() > deadline) {
      throw new Error(
        `${container.name} is not ready (state ${state}):\n${podman('logs', container.name)}`,
      );
    }
    await sleep(250);
  }
}

/** `podman stop` (SIGTERM, then SIGKILL after 10 s): must exit by itself, with 0, in time. */
function stopContainer(container) {
  const started = Date.now();
  podman('stop', '--time', '10', container.name);
  const seconds = (Date.now() - started) / 1000;
  const exitCode = podman('inspect', '--format', '{{.State.ExitCode}}', container.name);
  check(
    exitCode === '0' && seconds < 10,
    `${container.name} stopped with exit code ${exitCode} after ${seconds} s (wanted 0 within 10 s)`,
  );
  log(`${container.name}: SIGTERM -> exit code 0 in ${seconds.toFixed(1)} s`);
}

async function call(container, path, { key, method = 'GET', body, headers = {} } = {}) {
  const response = await fetch(`${container.url}${path}`, {
    method,
    headers: {
      ...(key && { authorization: `Bearer ${key}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, body: json };
}

function chat(container, key, runId) {
  return call(container, '/v1/chat/completions', {
    method: 'POST',
    key,
    headers: runId ? { 'x-tollgate-run-id': runId } : {},
    body: { model: 'simulated/gpt-4o', messages: [{ role: 'user', content: 'Hello' }] },
  });
}

/** The keys printed once on first start. */
function printedKeys(container) {
  const logs = podman('logs', container.name);
  const adminKey = /admin key:\s+(\S+)/.exec(logs)?.[1];
  const projectKey = /project key:\s+(\S+)/.exec(logs)?.[1];
  check(adminKey && projectKey, `${container.name} printed no keys on first start:\n${logs}`);
  return { adminKey, projectKey };
}

/** Polls `read` until `accept` takes its answer (events are stored a moment after the answer). */
async function eventually(read, accept, what) {
  const deadline = Date.now() + 15_000;
  let last;
  while (Date.now() < deadline) {
    last = await read();
    if (accept(last)) return last;
    await sleep(200);
  }
  throw new Error(`${what}: gave up after 15 s; last answer ${JSON.stringify(last)}`);
}

async function eventsOf(container, key, runId) {
  return call(container, `/api/v1/events?run_id=${encodeURIComponent(runId)}`, { key });
}

async function singleContainer() {
  console.log('\n-- one container on a volume');
  const volume = `tollgate-smoke-${run}`;
  podman('volume', 'create', '--label', LABEL, volume);
  const port = await freePort();
  const first = startContainer(`tollgate-smoke-${run}-a`, volume, port);
  const startedAt = Date.now();
  await waitReady(first);
  log(`ready after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  const { adminKey, projectKey } = printedKeys(first);

  const user = podman('exec', first.name, 'id', '-u');
  check(user === '10001', `the server runs as uid ${user}, not the image's user 10001`);
  const healthcheck = spawnSync('podman', ['healthcheck', 'run', first.name], { encoding: 'utf8' });
  check(
    healthcheck.status === 0,
    `podman healthcheck run exited ${healthcheck.status}`,
    healthcheck.stderr,
  );
  log('runs as uid 10001; HEALTHCHECK (/healthz) passes');

  const runId = `image-smoke-${run}`;
  const event = {
    event_type: 'prompt_call',
    run_id: runId,
    provider: 'openai',
    model: 'gpt-4o',
    input_tokens: 1200,
    output_tokens: 300,
    latency_ms: 840,
  };
  const ingested = await call(first, '/api/v1/events', {
    method: 'POST',
    key: projectKey,
    body: [event],
  });
  check(ingested.status === 200 && ingested.body.accepted === 1, 'ingest failed', ingested);
  const eventId = ingested.body.event_ids[0];
  const readBack = await eventsOf(first, projectKey, runId);
  check(
    readBack.status === 200 &&
      readBack.body.events.length === 1 &&
      readBack.body.events[0].event_id === eventId &&
      readBack.body.events[0].input_tokens === 1200,
    'the ingested event did not read back',
    readBack,
  );
  log(`event ${eventId} ingested and read back`);

  const gatewayRunId = `image-smoke-gateway-${run}`;
  const reply = await chat(first, projectKey, gatewayRunId);
  check(
    reply.status === 200 &&
      reply.headers.get('x-tollgate-simulated') === 'true' &&
      typeof reply.body.choices?.[0]?.message?.content === 'string',
    'the gateway call to simulated/gpt-4o failed',
    reply,
  );
  log(`gateway: simulated/gpt-4o answered (cost $${reply.headers.get('x-tollgate-cost-usd')})`);

  // Stopped right after the answer: the call's record must be flushed on SIGTERM, not lost.
  stopContainer(first);
  podman('rm', first.name);

  const second = startContainer(`tollgate-smoke-${run}-b`, volume, port);
  await waitReady(second);
  const secondLogs = podman('logs', second.name);
  check(!/admin key:/.test(secondLogs), 'a restart on the same volume printed new keys');
  const again = await eventsOf(second, projectKey, runId);
  check(
    again.status === 200 &&
      again.body.events.length === 1 &&
      again.body.events[0].event_id === eventId,
    'after the restart the event is gone',
    again,
  );
  const recorded = await eventually(
    () => eventsOf(second, projectKey, gatewayRunId),
    (answer) => answer.status === 200 && answer.body.events.length === 1,
    'the gateway call recorded before the stop',
  );
  check(
    recorded.body.events[0].model === 'simulated/gpt-4o',
    'the recorded gateway call names another model',
    recorded.body,
  );
  log('new container on the same volume: the event and the gateway call are there');
  stopContainer(second);
  podman('rm', second.name);
  podman('volume', 'rm', volume);
  return { adminKey };
}

function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function freshSharedStores() {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${IMAGE_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${IMAGE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const redis = new Redis(withDatabase(redisUrl, String(IMAGE_REDIS_DB)), { lazyConnect: true });
  await redis.connect();
  await redis.flushdb();
  redis.disconnect();
  return {
    DATABASE_URL: withDatabase(databaseUrl, IMAGE_DATABASE),
    REDIS_URL: withDatabase(redisUrl, String(IMAGE_REDIS_DB)),
  };
}

async function spendOf(container, adminKey, budgetId) {
  const answer = await call(container, `/api/v1/admin/budgets/${budgetId}`, { key: adminKey });
  check(answer.status === 200, 'reading the budget failed', answer);
  return answer.body.spent_usd;
}

/** Exact decimal USD text to nano-dollars. */
function nanos(usd) {
  const [whole, fraction = ''] = usd.split('.');
  return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

function usd(nanoDollars) {
  const text = nanoDollars.toString().padStart(10, '0');
  return `${text.slice(0, -9)}.${text.slice(-9)}`;
}

async function twoReplicas() {
  console.log('\n-- two replicas sharing PostgreSQL and Redis');
  const shared = {
    ...(await freshSharedStores()),
    TOLLGATE_SECRET_KEY: randomBytes(32).toString('hex'),
  };
  const replicas = [];
  for (const name of ['r1', 'r2']) {
    const volume = `tollgate-smoke-${run}-${name}`;
    podman('volume', 'create', '--label', LABEL, volume);
    const replica = startContainer(
      `tollgate-smoke-${run}-${name}`,
      volume,
      await freePort(),
      shared,
    );
    replicas.push(replica);
    // One after the other: the first makes the schema and the default tenant.
    await waitReady(replica);
  }
  const [one, two] = replicas;
  const { adminKey } = printedKeys(one);
  const ready = await call(two, '/readyz');
  check(
    ready.body.stores.some((store) => store.store === 'meta' && store.kind === 'postgres') &&
      ready.body.stores.some((store) => store.store === 'hot' && store.kind === 'redis'),
    'the replicas are not on PostgreSQL and Redis',
    ready.body,
  );
  log(`replicas at ${one.url} and ${two.url} (meta=postgres, hot=redis)`);

  const projects = await call(two, '/api/v1/admin/projects', { key: adminKey });
  check(projects.status === 200, 'listing projects on the second replica failed', projects);
  const projectId = projects.body.projects[0].id;
  const newKey = async (name, extra = {}) => {
    const created = await call(one, '/api/v1/admin/keys', {
      method: 'POST',
      key: adminKey,
      body: { name, scopes: ['gateway'], project_id: projectId, ...extra },
    });
    check(created.status === 201, `creating key ${name} failed`, created);
    return created.body;
  };

  // Rate limit: 4 requests a minute for one key, called on the replicas in turn.
  const limited = await newKey('rate limited', { rate_limits: { requests_per_minute: 4 } });
  const statuses = [];
  for (let index = 0; index < 8; index += 1) {
    const replica = replicas[index % 2];
    statuses.push(
      `${replica === one ? 'r1' : 'r2'}:${(await chat(replica, limited.secret)).status}`,
    );
  }
  check(
    statuses.join(' ') === 'r1:200 r2:200 r1:200 r2:200 r1:429 r2:429 r1:429 r2:429',
    'the rate limit of 4 a minute did not hold across the replicas',
    statuses,
  );
  log(`rate limit 4/min across both: ${statuses.join(' ')}`);

  // Budget: a key's daily budget of 2.5 calls' cost (the first call's cost, read from its answer).
  const budgeted = await newKey('budgeted');
  const probe = await chat(one, (await newKey('probe')).secret);
  const callCost = nanos(probe.headers.get('x-tollgate-cost-usd') ?? '0');
  check(callCost > 0n, 'a simulated/gpt-4o call has no cost', Object.fromEntries(probe.headers));
  const amount = (callCost * 5n) / 2n;
  const budget = await call(two, '/api/v1/admin/budgets', {
    method: 'POST',
    key: adminKey,
    body: { scope: 'key', scope_id: budgeted.id, period: 'day', amount_usd: usd(amount) },
  });
  check(budget.status === 201, 'creating the budget failed', budget);
  // Each replica reads an org's budgets again after at most 5 s (BudgetGuard's cache): the other
  // replica loaded them (none) during the calls above.
  await sleep(BUDGET_CACHE_MS + 500);
  const outcomes = [];
  let spent = 0n;
  for (let index = 0; index < 8; index += 1) {
    const replica = replicas[index % 2];
    const answer = await chat(replica, budgeted.secret);
    outcomes.push(`${replica === one ? 'r1' : 'r2'}:${answer.status}`);
    if (answer.status !== 200) {
      check(
        answer.status === 402 && answer.body.error?.code === 'budget_exceeded',
        'a call past the budget was refused with something other than 402 budget_exceeded',
        answer,
      );
      continue;
    }
    spent += nanos(answer.headers.get('x-tollgate-cost-usd'));
    // The spend is counted once the call is recorded; both replicas see the same counter.
    await eventually(
      () => spendOf(replicas[(index + 1) % 2], adminKey, budget.body.id),
      (shown) => nanos(shown) === spent,
      `the budget's spend on the other replica (expected $${usd(spent)})`,
    );
  }
  const admitted = outcomes.filter((outcome) => outcome.endsWith(':200')).length;
  check(
    admitted === 3 && outcomes.slice(3).every((outcome) => outcome.endsWith(':402')),
    `a budget of $${usd(amount)} (2.5 calls) did not hold across the replicas`,
    outcomes,
  );
  log(`budget $${usd(amount)} across both: ${outcomes.join(' ')}; spent $${usd(spent)}`);

  for (const replica of replicas) {
    stopContainer(replica);
    podman('rm', replica.name);
    podman('volume', 'rm', `${replica.name}`);
  }
}

try {
  await singleContainer();
  await twoReplicas();
  console.log('\nimage smoke test: all checks passed');
} catch (error) {
  console.error(`\nimage smoke test failed: ${error.message}`);
  const names = execFileSync(
    'podman',
    ['ps', '-a', '--filter', `label=${LABEL}`, '--format', '{{.Names}}'],
    { encoding: 'utf8' },
  );
  for (const name of names.split('\n').filter(Boolean)) {
    console.error(`\n--- logs of ${name} (last 40 lines)`);
    console.error(podman('logs', '--tail', '40', name));
  }
  process.exitCode = 1;
}
