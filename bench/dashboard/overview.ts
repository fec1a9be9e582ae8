/**
 * How long the dashboard's overview takes to show data in a real browser with
 * 10 million events stored.
 *
 * It reuses the embedded event store that `bench/queries/run.ts` fills (10
 * million events of 5 orgs over 90 days, kept under /tmp), gives one of its
 * orgs a meta-store row and an org-wide read key, starts the built server
 * (`packages/server/dist/main.js serve`) on that data, and opens the overview
 * in Debian's Chromium (playwright-core) once per repetition and range, each
 * time in a fresh browser context (nothing cached, the bundle loaded again).
 * A load is done when the headline figures show and no panel is loading (data
 * or chart code); the time to the headline figures alone is reported too.
 *
 *   npx tsx bench/queries/run.ts              # once: loads the 10 million events
 *   npm run build
 *   npx tsx bench/dashboard/overview.ts [--data DIR] [--org org_0] [--repeats 5]
 *                                       [--ranges 24h,7d,30d,90d] [--built DIR]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { chromium } from 'playwright-core';
import { generateApiKeySecret } from '../../packages/server/src/auth/api-key-secret';
import { createPgliteMetaStore } from '../../packages/server/src/stores/meta';

const { values: options } = parseArgs({
  options: {
    data: { type: 'string', default: '/tmp/tollgate-bench-queries-10000000' },
    org: { type: 'string', default: 'org_0' },
    repeats: { type: 'string', default: '5' },
    ranges: { type: 'string', default: '24h,7d,30d,90d' },
    port: { type: 'string', default: '4791' },
    /** Where the built server and dashboard are (a copy, so other builds of this checkout cannot change them mid-run). */
    built: { type: 'string' },
    chromium: {
      type: 'string',
      default: process.env.TOLLGATE_CHROMIUM_PATH ?? '/usr/bin/chromium',
    },
  },
});
/** The built server and dashboard: this checkout, or a copy of its build (`--built`). */
const root = resolve(options.built ?? join(import.meta.dirname, '../..'));
const server = join(root, 'packages/server/dist/main.js');
const data = resolve(options.data);
const marker = join(data, 'bench-queries.json');
if (!existsSync(marker)) throw new Error(`${data} holds no load: run npx tsx bench/queries/run.ts`);
if (!existsSync(server)) throw new Error('no server build: run npm run build');
const events = (JSON.parse(readFileSync(marker, 'utf8')) as { events: number }).events;
const repeats = Number(options.repeats);
const ranges = options.ranges.split(',');
const url = `http://127.0.0.1:${options.port}`;

/** The bench org in a fresh meta store, with an org-wide read key: the generated events name the org by id. */
async function prepareMeta(directory: string): Promise<string> {
  const store = await createPgliteMetaStore({ directory });
  await store.migrate();
  await store.close();
  const key = generateApiKeySecret();
  const database = await PGlite.create(directory);
  await database.query(`INSERT INTO organizations (id, name, plan) VALUES ($1, $1, 'pro')`, [
    options.org,
  ]);
  await database.query(
    `INSERT INTO api_keys (id, org_id, name, prefix, hash, scopes) VALUES ($1, $2, 'bench', $3, $4, $5)`,
    ['key_bench_overview', options.org, key.prefix, key.hash, ['read']],
  );
  await database.close();
  return key.secret;
}

async function waitForHealth(): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error('the server did not start within 120 s');
}

const spread = (values: number[]) =>
  `${median(values).toFixed(0)} [${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}]`;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const work = mkdtempSync(join(tmpdir(), 'tollgate-bench-overview-'));
symlinkSync(data, join(work, 'events'));
const key = await prepareMeta(join(work, 'meta'));
const child = spawn(process.execPath, [server, 'serve'], {
  env: {
    ...process.env,
    TOLLGATE_DATA_DIR: work,
    PORT: options.port,
    LOG_LEVEL: 'warn',
    TOLLGATE_RETENTION_TIME: 'off',
    DATABASE_URL: '',
    REDIS_URL: '',
    CLICKHOUSE_URL: '',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const results: {
  range: string;
  ms: number[];
  /** First visit: ms to the headline figures (before the charts may have drawn). */
  headline: number[];
  returning: number[];
  requests: number;
}[] = [];
/** Every API read the overview made, timed again alone after the browser runs. */
const apiCalls = new Set<string>();
const alone: { path: string; ms: number }[] = [];
/** The slowest requests of a range's last load: where the time goes. */
const slowest: Record<string, { path: string; ms: number }[]> = {};
try {
  await waitForHealth();
  const browser = await chromium.launch({
    executablePath: options.chromium,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  // One unmeasured load warms the server's caches (key, org) and chDB's marks, as a user's second visit would.
  for (const range of ['warm-up', ...ranges]) {
    const times: number[] = [];
    const returning: number[] = [];
    const headline: number[] = [];
    let requests = 0;
    for (let repeat = 0; repeat < (range === 'warm-up' ? 1 : repeats); repeat += 1) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await context.addInitScript((secret) => sessionStorage.setItem('tollgate.key', secret), key);
      const page = await context.newPage();
      const finished: { path: string; ms: number }[] = [];
      page.on('requestfinished', (request) => {
        const timing = request.timing();
        finished.push({ path: new URL(request.url()).pathname, ms: timing.responseEnd });
        if (request.url().includes('/api/v1/') && !request.url().includes('/live'))
          apiCalls.add(request.url());
      });
      /** Ms from the navigation's start (the page's own clock) to the headline figures and to done. */
      const load = async () => {
        await page.goto(`${url}/?range=${range === 'warm-up' ? '90d' : range}`);
        const at = (handle: { jsonValue(): Promise<unknown> }) =>
          handle.jsonValue() as Promise<number>;
        const figures = await at(
          await page.waitForFunction(
            () => document.querySelector('[data-testid="total-requests"]') && performance.now(),
            undefined,
            { timeout: 60_000 },
          ),
        );
        const done = await at(
          await page.waitForFunction(
            () =>
              !document.querySelector('[data-testid="state-loading"]') &&
              document.querySelector('[data-testid="total-requests"]') &&
              performance.now(),
            undefined,
            { timeout: 60_000 },
          ),
        );
        return { figures, done };
      };
      const first = await load();
      times.push(first.done);
      headline.push(first.figures);
      slowest[range] = finished.sort((a, b) => b.ms - a.ms).slice(0, 4);
      // The same user coming back: the bundle from the browser's cache, its code compiled.
      returning.push((await load()).done);
      requests = Number(await page.getByTestId('total-requests').getAttribute('data-value'));
      await context.close();
    }
    if (range !== 'warm-up') results.push({ range, ms: times, headline, returning, requests });
  }
  await browser.close();
  for (const call of apiCalls) {
    const started = performance.now();
    await (await fetch(call, { headers: { authorization: `Bearer ${key}` } })).arrayBuffer();
    const { pathname, searchParams } = new URL(call);
    alone.push({
      path: `${pathname} (${searchParams.get('from')?.slice(0, 10)})`,
      ms: performance.now() - started,
    });
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((done) => child.once('exit', done));
  rmSync(work, { recursive: true, force: true });
}

const lines = [
  `Overview page, ${events.toLocaleString('en')} events stored, org ${options.org}, ${repeats} loads per range (each in a fresh browser context, then reloaded in it)`,
  '',
  '| range | requests shown | first visit: ms to data, median [min–max] | first visit: ms to headline figures | returning visit |',
  '| ----- | -------------- | ----------------------------------------- | ----------------------------------- | --------------- |',
  ...results.map(
    ({ range, ms, headline, returning, requests }) =>
      `| ${range} | ${requests.toLocaleString('en')} | ${spread(ms)} | ${spread(headline)} | ${spread(returning)} |`,
  ),
];
console.log(lines.join('\n'));
console.log(
  `each read alone: ${alone.map((each) => `${each.path} ${each.ms.toFixed(0)} ms`).join(', ')}`,
);
for (const range of ranges)
  console.log(
    `slowest requests, ${range}: ${(slowest[range] ?? []).map((each) => `${each.path} ${each.ms.toFixed(0)} ms`).join(', ')}`,
  );
writeFileSync(
  join(import.meta.dirname, 'results.json'),
  JSON.stringify(
    { date: new Date().toISOString(), events, org: options.org, results, slowest },
    null,
    2,
  ),
);
