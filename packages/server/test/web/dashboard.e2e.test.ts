import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { waitFor } from '../helpers/poll';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

/** The fields of a gateway call's event this test reads. */
interface PromptCall {
  model_requested: string;
  provider: string;
  providers_tried: string[];
}

/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core)
 * against the real server with seeded events: every page, figures against the
 * API, the time range, the chargeback CSV and the live overview. Over 400 lines
 * on purpose: one browser session walks the pages in order and later steps
 * build on earlier ones (a budget made here is read by the project key there).
 */
const root = join(import.meta.dirname, '../../../..');
const executablePath = process.env.TOLLGATE_CHROMIUM_PATH ?? '/usr/bin/chromium';
const present = existsSync(executablePath);
const required = Boolean(process.env.CI || process.env.TOLLGATE_REQUIRE_SERVICES);
const screenshots = join(root, 'test-artifacts/dashboard');
if (!present && !required) {
  console.warn(
    `SKIPPED the dashboard browser test: no Chromium at ${executablePath} ` +
      '(apt-get install -y chromium, or set TOLLGATE_CHROMIUM_PATH).',
  );
}

const HOUR = 3_600_000;
let server: TestServer;
let browser: Browser;
let page: Page;
/** What the admin's page wrote to the browser console as errors (and uncaught exceptions). */
const consoleErrors: string[] = [];

/** Collects a page's console errors and uncaught exceptions into `into`. */
function watchConsole(watched: Page, into: string[]): void {
  watched.on('console', (message) => {
    // A failed fetch is logged with the resource's URL as its location.
    if (message.type() === 'error') {
      into.push(`${message.location().url || watched.url()}: ${message.text()}`);
    }
  });
  watched.on('pageerror', (error) => into.push(`${watched.url()}: ${error.message}`));
}

/** The console errors so far, but those an action meant to provoke (an API refusal it shows). */
function unexpectedErrors(allowed: RegExp[] = []): string[] {
  return consoleErrors.filter((text) => !allowed.some((pattern) => pattern.test(text)));
}

function call(minutesAgo: number, fields: Record<string, unknown>) {
  return {
    event_type: 'prompt_call',
    provider: 'openai',
    model: 'gpt-4o-mini',
    status: 'success',
    latency_ms: 420,
    input_tokens: 120,
    output_tokens: 40,
    cost_usd: 0.002,
    ts: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    input: 'What is the capital of France?',
    output: 'Paris.',
    ...fields,
  };
}

async function send(events: unknown[]): Promise<void> {
  const response = await postJson(server, '/api/v1/events', events);
  expect(response.status).toBe(200);
}

async function api<T>(path: string): Promise<T> {
  const response = await server.request(path, { key: server.tenant.adminKey });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** A gateway call (the project key) to `model`, and its recorded event, once stored. */
async function gatewayCall(model: string, label: string): Promise<PromptCall> {
  const requestId = `${label}-${Date.now()}`;
  const response = await server.request('/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }] }),
  });
  expect(response.status).toBe(200);
  // The run id is the request id when the caller sends no run header.
  const events = await waitFor(
    async () => {
      const listed = await server.request(
        `/api/v1/events?event_type=prompt_call&run_id=${requestId}`,
      );
      return ((await listed.json()) as { events: PromptCall[] }).events;
    },
    (found) => found.length === 1,
    `the prompt_call event of ${requestId}`,
  );
  return events[0]!;
}

/** The window the page shows, from the range picker. */
async function shownRange(): Promise<{ from: string; to: string }> {
  const picker = page.getByTestId('time-range');
  return {
    from: (await picker.getAttribute('data-from'))!,
    to: (await picker.getAttribute('data-to'))!,
  };
}

async function statValue(testId: string): Promise<number> {
  return Number(await page.getByTestId(testId).getAttribute('data-value'));
}

/** The model-call totals the API answers for a window. */
async function apiTotals(range: { from: string; to?: string }) {
  const query = new URLSearchParams({ groupBy: 'event_type', ...range });
  const answer = await api<{ rows: { key: string; requests: number; cost_usd: number }[] }>(
    `/api/v1/metrics/summary?${query}`,
  );
  return answer.rows.find((row) => row.key === 'prompt_call') ?? { requests: 0, cost_usd: 0 };
}

async function visit(name: string, title: string): Promise<void> {
  await page.getByRole('link', { name: title, exact: true }).click();
  await page.waitForURL(new RegExp(`/${name}(\\?|$)`));
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-testid="state-loading"]'));
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

// A browser on a busy machine: each step gets more than the default 30 s.
describe.skipIf(!present && !required)('dashboard in Chromium', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    // The server serves packages/web/dist: build it as `npm start` does.
    execFileSync('npm', ['run', 'build', '--workspace', 'packages/web'], {
      cwd: root,
      stdio: 'pipe',
    });
    mkdirSync(screenshots, { recursive: true });
    server = await startTestServer();
    const runId = 'run-e2e-trip';
    await send([
      // Three hours ago: outside the 1h range, inside 24h.
      ...Array.from({ length: 6 }, () => call(180, { model: 'gpt-4o', cost_usd: 0.01 })),
      ...Array.from({ length: 8 }, () => call(10, { user_id: 'user-anna', session_id: 'sess-1' })),
      ...Array.from({ length: 2 }, () =>
        call(9, { status: 'error', error_message: 'upstream timeout', output: '' }),
      ),
      {
        event_type: 'agent_step',
        run_id: runId,
        event_id: '01JD0000000000000000000001',
        user_id: 'user-anna',
        session_id: 'sess-1',
        step_number: 1,
        step_name: 'plan',
        step_type: 'llm',
        latency_ms: 900,
        input: 'plan a trip',
        output: 'book a flight',
        ts: new Date(Date.now() - 8 * 60_000).toISOString(),
      },
      {
        ...call(8, {
          run_id: runId,
          parent_id: '01JD0000000000000000000001',
          user_id: 'user-anna',
          session_id: 'sess-1',
        }),
      },
      {
        event_type: 'tool_call',
        run_id: runId,
        parent_id: '01JD0000000000000000000001',
        tool_name: 'search_flights',
        latency_ms: 300,
        input: '{"to":"CDG"}',
        output: '{"flights":3}',
        ts: new Date(Date.now() - 8 * 60_000 + 500).toISOString(),
      },
      {
        event_type: 'guardrail',
        name: 'pii',
        action: 'block',
        score: 0.93,
        reference: 'credit card number',
        ts: new Date(Date.now() - 5 * 60_000).toISOString(),
      },
    ]);
    const rule = await server.request('/api/v1/admin/alerts', {
      method: 'POST',
      key: server.tenant.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'spend',
        kind: 'cost',
        per: 'hour',
        thresholdUsd: 5,
        webhook: { url: 'http://127.0.0.1:9/hook' },
      }),
    });
    expect(rule.status).toBe(201);
    const prompt = await server.request(`/api/v1/prompts?project_id=${server.tenant.projectId}`, {
      method: 'POST',
      key: server.tenant.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'greet', template: 'Hello {{name}}' }),
    });
    expect(prompt.status).toBe(201);
    browser = await chromium.launch({
      executablePath,
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
    page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
    watchConsole(page, consoleErrors);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in with a key and shows the API’s figures on the overview', async () => {
    await page.goto(server.url);
    await page.getByLabel('API key').fill('tg_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.sign-in .notice.error').waitFor();
    await page.getByLabel('API key').fill(server.tenant.adminKey);
    // The wrong key's refusal (401) is the one error this step means to cause.
    consoleErrors.length = 0;
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('total-requests').waitFor();
    await page.screenshot({ path: join(screenshots, 'overview.png'), fullPage: true });

    const range = await shownRange();
    const totals = await apiTotals(range);
    expect(totals.requests).toBe(17);
    expect(await statValue('total-requests')).toBe(totals.requests);
    expect(await statValue('total-cost')).toBeCloseTo(totals.cost_usd, 9);
    // The server prices the usage, not the client's cost_usd: 6 gpt-4o calls at
    // (120 × $2.50 + 40 × $10) / 1M = $0.0007 and 11 gpt-4o-mini calls at
    // (120 × $0.15 + 40 × $0.60) / 1M = $0.000042.
    expect(await page.getByTestId('total-cost').textContent()).toContain('$0.004662');
    expect(await page.getByRole('cell', { name: 'upstream timeout' }).count()).toBe(1);
  });

  it('changes the time range in the URL and the figures with it', async () => {
    await page.getByRole('button', { name: '1h', exact: true }).click();
    await page.waitForURL(/range=1h/);
    const range = await shownRange();
    expect(Date.parse(range.to) - Date.parse(range.from)).toBe(HOUR);
    const totals = await apiTotals(range);
    expect(totals.requests).toBe(11);
    await expect.poll(() => statValue('total-requests')).toBe(totals.requests);
    expect(await statValue('total-cost')).toBeCloseTo(totals.cost_usd, 9);
    // A reload keeps the range: it lives in the URL.
    await page.reload();
    await page.getByTestId('total-requests').waitFor();
    expect(page.url()).toContain('range=1h');
    await expect.poll(() => statValue('total-requests')).toBe(11);
  });

  it('updates the overview live while traffic arrives', async () => {
    const before = await statValue('total-requests');
    await send(Array.from({ length: 5 }, () => call(0, { cost_usd: 0.5 })));
    await expect.poll(() => statValue('total-requests'), { timeout: 15_000 }).toBe(before + 5);
    const totals = await apiTotals({ from: (await shownRange()).from });
    expect(await statValue('total-cost')).toBeCloseTo(totals.cost_usd, 9);
    expect(page.url()).toContain('range=1h');
  });

  it('visits every page', async () => {
    await page.getByRole('button', { name: '24h', exact: true }).click();
    await visit('costs', 'Costs');
    await page
      .getByTestId('costs-table')
      .getByRole('cell', { name: 'gpt-4o', exact: true })
      .waitFor();

    // Three calls opening with the same long system prompt: a prompt-caching recommendation.
    const system = {
      role: 'system',
      content: 'You answer questions about our product. '.repeat(150),
    };
    await send(
      [33, 32, 31].map((minutes, index) =>
        call(minutes, {
          provider: 'anthropic',
          model: 'claude-sonnet-4-6',
          input_tokens: 2000,
          cost_usd: undefined,
          input: [system, { role: 'user', content: `Question ${index}?` }],
        }),
      ),
    );
    // The seeded calls repeat one question: the cache recommendation shows the API's exact saving.
    await visit('recommendations', 'Recommendations');
    const advice = await api<{ recommendations: { kind: string; saving_usd?: string }[] }>(
      `/api/v1/analytics/recommendations?${new URLSearchParams(await shownRange())}`,
    );
    for (const [kind, table] of [
      ['repeated_requests', 'repeated-requests-table'],
      ['prompt_caching', 'prompt-caching-table'],
    ] as const) {
      const found = advice.recommendations.find((item) => item.kind === kind);
      expect(found?.saving_usd, kind).toBeDefined();
      await page.getByTestId(table).locator(`[data-usd="${found!.saving_usd}"]`).first().waitFor();
    }

    await visit('traces', 'Traces');
    await page.getByRole('cell', { name: 'run-e2e-trip' }).click();
    await page.getByTestId('run-timeline').waitFor();
    await page.getByText('tool search_flights').click();
    expect(await page.getByTestId('run-step').textContent()).toContain('"flights": 3');
    await page.screenshot({ path: join(screenshots, 'trace-run.png'), fullPage: true });

    await visit('requests', 'Requests');
    await page.getByLabel('Search text').fill('timeout');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/q=timeout/);
    await expect.poll(() => page.getByTestId('requests-table').locator('tbody tr').count()).toBe(2);
    // Seeded calls were reported by an app: the gateway's cache never saw them.
    expect(
      await page
        .getByTestId('requests-table')
        .locator('tbody tr td:nth-child(8)')
        .allTextContents(),
    ).toEqual(['–', '–']);
    await page.getByTestId('requests-table').locator('tbody tr').first().click();
    await page.waitForURL(/\/requests\/[0-9A-Z]{26}/);
    const detail = page.getByTestId('request-detail');
    await detail.waitFor();
    expect(await detail.textContent()).toContain('upstream timeout');
    expect(await page.getByTestId('request-tokens').textContent()).toContain('120 input');
    // 120 × $0.15 + 40 × $0.60 per million tokens: exactly $0.000042, in plain decimals.
    expect(await page.getByTestId('request-cost').textContent()).toContain('$0.000042');
    expect(await page.getByTestId('request-price').textContent()).toContain('gpt-4o-mini');
    await page.screenshot({ path: join(screenshots, 'request-detail.png'), fullPage: true });

    // Prompts belong to a project: an org with one project reads it without a pick.
    await visit('prompts', 'Prompts');
    expect(await page.getByText('Choose a project above').count()).toBe(0);
    await page.getByTestId('prompts-table').getByRole('cell', { name: 'greet' }).click();
    await page.waitForURL(/prompt=greet/);
    await page.getByRole('cell', { name: 'Hello {{name}}' }).waitFor();
    expect(await page.locator('[data-testid="state-error"]').count()).toBe(0);
    await page.screenshot({ path: join(screenshots, 'prompts.png'), fullPage: true });

    for (const [name, title] of [
      ['providers', 'Providers'],
      ['budgets', 'Budgets & limits'],
      ['flags', 'Feature flags'],
    ] as const) {
      await visit(name, title);
      // Each shows its records or a clear empty / unavailable state, never an error.
      expect(await page.locator('[data-testid="state-error"]').count()).toBe(0);
    }
    await visit('guardrails', 'Guardrails');
    await page.getByRole('cell', { name: 'credit card number' }).waitFor();
    // The project's reference prompts are managed here, through the admin API.
    const reference = page.getByTestId('guardrail-reference-new');
    await reference.getByLabel('Name').fill('launch plans');
    await reference.getByLabel('Reference prompt').fill('tell me the secret launch plans');
    await reference.getByLabel('Action').selectOption('block');
    await reference.getByRole('button', { name: 'Add reference' }).click();
    await page
      .getByTestId('guardrail-references-table')
      .getByRole('cell', { name: 'launch plans', exact: true })
      .waitFor();
    const references = await api<{ references: { name: string; action: string }[] }>(
      `/api/v1/admin/projects/${server.tenant.projectId}/guardrails`,
    );
    expect(references.references).toEqual([
      expect.objectContaining({ name: 'launch plans', action: 'block' }),
    ]);
    await page.screenshot({ path: join(screenshots, 'guardrails.png'), fullPage: true });
    await visit('fallbacks', 'AI fallbacks');
    await page.getByTestId('state-empty').first().waitFor();
    await visit('alerts', 'Alerts');
    await page
      .getByTestId('alert-rules')
      .getByRole('cell', { name: 'spend', exact: true })
      .waitFor();
  });

  it('downloads the chargeback CSV with the API’s totals', async () => {
    await visit('costs', 'Costs');
    const range = await shownRange();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('chargeback-csv').click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const [header, ...lines] = csv
      .trim()
      .split(/\r?\n/)
      .map((line) => line.split(','));
    const total = lines.find((line) => line[header!.indexOf('kind')] === 'total')!;
    const field = (name: string) => total[header!.indexOf(name)]!;

    const report = await api<{
      orgs: { total: { requests: number; cost_usd: string }; amount_to_charge_usd: string }[];
    }>(`/api/v1/analytics/chargeback?${new URLSearchParams(range)}`);
    expect(Number(field('requests'))).toBe(report.orgs[0]!.total.requests);
    // 17 seeded, 5 sent live, 3 opening with one system prompt (recommendations).
    expect(Number(field('requests'))).toBe(25);
    expect(Number(field('cost_usd'))).toBe(Number(report.orgs[0]!.total.cost_usd));
    expect(field('amount_to_charge_usd')).toBe(report.orgs[0]!.amount_to_charge_usd);
    // The table names the org, not its id.
    const me = await api<{ org: { name: string } }>('/api/v1/me');
    await page.getByTestId('chargeback-table').getByRole('cell', { name: me.org.name }).waitFor();
  });

  it('lets the operator admin switch org and shows that org’s figures', async () => {
    // A second org with its own traffic: four calls of $0.25.
    const { meta } = server.app.stores;
    const other = await meta.createOrganization({ name: 'second org' });
    const otherProject = await meta.createProject({ orgId: other.id, name: 'shop' });
    const otherKey = await issueApiKey(meta, {
      orgId: other.id,
      projectId: otherProject.id,
      name: 'shop ingest',
      scopes: ['ingest', 'read'],
    });
    const ingested = await postJson(
      server,
      '/api/v1/events',
      Array.from({ length: 4 }, () => call(20, { model: 'claude-haiku', cost_usd: 0.25 })),
      otherKey.secret,
    );
    expect(ingested.status).toBe(200);
    // The picker lists orgs when the app loads.
    await page.reload();
    await visit('costs', 'Costs');
    // The table sorts by a click on a header: descending first, then ascending.
    const costs = page.getByTestId('costs-table');
    const shownCosts = async () =>
      (await costs.locator('tbody tr td:nth-child(5)').allTextContents()).map((text) =>
        Number(text.replace(/[$,]/g, '')),
      );
    await costs.getByRole('columnheader', { name: 'Cost' }).click();
    const descending = await shownCosts();
    expect(descending.length).toBeGreaterThan(1);
    expect(descending).toEqual([...descending].sort((a, b) => b - a));
    await costs.getByRole('columnheader', { name: /^Cost/ }).click();
    expect(await shownCosts()).toEqual([...descending].reverse());
    await page.getByLabel('Organization').selectOption(other.id);
    await page.waitForURL(new RegExp(`org_id=${other.id}`));
    await page.getByTestId('costs-table').getByRole('cell', { name: 'claude-haiku' }).waitFor();
    const range = await shownRange();
    const query = new URLSearchParams({ groupBy: 'model', org_id: other.id, ...range });
    const answer = await api<{ total: { cost_usd: string } }>(`/api/v1/analytics/cost?${query}`);
    expect(Number(answer.total.cost_usd)).toBe(1);
    expect(await statValue('costs-total')).toBe(Number(answer.total.cost_usd));
    expect(
      await page.getByTestId('costs-table').getByRole('cell', { name: 'gpt-4o' }).count(),
    ).toBe(0);
    // Another org's budgets are shown, not edited: writes act on the key's own org.
    await visit('budgets', 'Budgets & limits');
    expect(await page.getByTestId('budget-new').count()).toBe(0);
    // Back to the key's own org: the parameter leaves the URL.
    await page.getByLabel('Organization').selectOption(server.tenant.orgId);
    await page.waitForURL((url) => !url.search.includes('org_id'));
    await page.getByTestId('budget-new').waitFor();
  });

  it('creates, changes and refuses budgets from the UI as the admin API does', async () => {
    await visit('budgets', 'Budgets & limits');
    const form = page.getByTestId('budget-new');
    await form.getByLabel('Period').selectOption('day');
    await form.getByLabel('Limit (USD)').fill('12.5');
    await form.getByLabel('Warn at (% of limit)').fill('75');
    await form.getByRole('button', { name: 'Add budget' }).click();
    const table = page.getByTestId('budgets-table');
    await table.getByRole('cell', { name: '$12.50' }).waitFor();
    const listed = await api<{
      budgets: {
        id: string;
        scope: string;
        period: string;
        amount_usd: string;
        soft_threshold: number;
      }[];
    }>('/api/v1/admin/budgets');
    expect(listed.budgets).toHaveLength(1);
    expect(listed.budgets[0]).toMatchObject({ scope: 'org', period: 'day', soft_threshold: 0.75 });
    expect(Number(listed.budgets[0]!.amount_usd)).toBe(12.5);
    // The same scope and period again: the API's conflict shows next to the form.
    await form.getByLabel('Period').selectOption('day');
    await form.getByLabel('Limit (USD)').fill('3');
    await form.getByRole('button', { name: 'Add budget' }).click();
    await expect
      .poll(() => form.getByTestId('form-error').textContent())
      .toContain('already has a budget');
    // Change the limit.
    await table.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByTestId('budget-edit');
    await edit.getByLabel('Limit (USD)').fill('20');
    await edit.getByRole('button', { name: 'Save' }).click();
    await table.getByRole('cell', { name: '$20.00' }).waitFor();
    const changed = await api<{ amount_usd: string }>(
      `/api/v1/admin/budgets/${listed.budgets[0]!.id}`,
    );
    expect(Number(changed.amount_usd)).toBe(20);
  });

  it('creates a flag with an override from the UI, and the admin API returns it', async () => {
    await visit('flags', 'Feature flags');
    const form = page.getByTestId('flag-new');
    await form.getByLabel('Name').fill('Not A Name');
    await form.getByRole('button', { name: 'Add flag' }).click();
    await expect.poll(() => form.getByTestId('form-error').textContent()).toContain('name');
    await form.getByLabel('Name').fill('new_checkout');
    await form.getByLabel('Description').fill('the new checkout');
    await form.getByLabel('On by default').check();
    await form.getByRole('button', { name: 'Add override' }).click();
    await form.getByLabel('Project').selectOption(server.tenant.projectId);
    await form.getByLabel('On', { exact: true }).uncheck();
    await form.getByRole('button', { name: 'Add flag' }).click();
    await page.getByTestId('flags-table').getByRole('cell', { name: 'new_checkout' }).waitFor();
    // The gateway's own flags are listed with their defaults.
    await page
      .getByTestId('flags-table')
      .getByRole('cell', { name: 'pii_redaction_upstream' })
      .waitFor();
    const flag = await api<{ default: boolean; description: string; overrides: unknown[] }>(
      '/api/v1/admin/flags/new_checkout',
    );
    expect(flag).toMatchObject({
      default: true,
      description: 'the new checkout',
      overrides: [{ project_id: server.tenant.projectId, user_id: null, enabled: false }],
    });
    await page.screenshot({ path: join(screenshots, 'flags-edit.png'), fullPage: true });
  });

  it('shows users and a user’s spend as the API does, and their sessions', async () => {
    // A call of a tenth of a nano-dollar's worth of tokens shows in plain decimals: $0.00000015.
    await send([call(4, { user_id: 'user-tiny', input_tokens: 1, output_tokens: 0 })]);
    // A fresh URL: the filters of earlier pages (q=timeout) would keep only matching users.
    await page.goto(`${server.url}/users`);
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    const users = page.getByTestId('users-table');
    await users.getByRole('cell', { name: 'user-anna', exact: true }).click();
    await page.waitForURL(/\/users\/user-anna/);
    await page.getByTestId('user-cost').waitFor();
    const range = await shownRange();
    const answer = await api<{ totals: { cost_usd: string; calls: number } }>(
      `/api/v1/analytics/users/user-anna?${new URLSearchParams(range)}`,
    );
    expect(answer.totals.calls).toBe(9);
    expect(await page.getByTestId('user-cost').getAttribute('data-value')).toBe(
      answer.totals.cost_usd,
    );
    const bars = await page
      .getByTestId('user-spend')
      .locator('.row')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-cost')));
    const spent = bars.reduce((sum, cost) => sum + Number(cost), 0);
    expect(spent).toBeCloseTo(Number(answer.totals.cost_usd), 12);
    await page.getByTestId('user-sessions').getByRole('cell', { name: 'sess-1' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'user.png'), fullPage: true });

    await page.getByTestId('user-sessions').getByRole('cell', { name: 'sess-1' }).click();
    await page.waitForURL(/\/sessions\/sess-1/);
    await page.getByTestId('session-runs').getByRole('cell', { name: 'run-e2e-trip' }).waitFor();
    const session = await api<{ events: unknown[] }>(
      `/api/v1/analytics/sessions/sess-1?${new URLSearchParams(range)}`,
    );
    expect(await page.getByTestId('session-events').locator('tbody tr').count()).toBe(
      session.events.length,
    );
    await page.screenshot({ path: join(screenshots, 'session.png'), fullPage: true });

    await page.goto(`${server.url}/users/user-tiny`);
    await page.getByTestId('user-cost').waitFor();
    expect(await page.getByTestId('user-cost').textContent()).toContain('$0.00000015');
    expect(await page.locator('body').textContent()).not.toMatch(/\de-\d/);
  });

  it('filters traces by user and keeps sub-millisecond bars inside their panel', async () => {
    await send([
      {
        event_type: 'tool_call',
        run_id: 'run-e2e-fast',
        tool_name: 'lookup',
        latency_ms: 0.4,
        ts: new Date(Date.now() - 3 * 60_000).toISOString(),
      },
      {
        event_type: 'tool_call',
        run_id: 'run-e2e-fast',
        tool_name: 'format',
        latency_ms: 0.3,
        ts: new Date(Date.now() - 3 * 60_000).toISOString(),
      },
    ]);
    await page.goto(`${server.url}/traces`);
    await page.getByRole('heading', { level: 1, name: 'Traces' }).waitFor();
    await page.getByLabel('User').fill('user-anna');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/user_id=user-anna/);
    await expect.poll(() => page.getByTestId('runs-table').locator('tbody tr').count()).toBe(1);
    await page.getByTestId('runs-table').getByRole('cell', { name: 'run-e2e-trip' }).waitFor();
    await page.goto(`${server.url}/traces/run-e2e-fast`);
    await page.getByTestId('run-timeline').waitFor();
    const outside = await page.getByTestId('run-timeline').evaluate(
      (timeline) =>
        Array.from(timeline.querySelectorAll('.track')).filter((track) => {
          const bar = track.querySelector('.bar')!.getBoundingClientRect();
          const box = track.getBoundingClientRect();
          return bar.left < box.left - 0.5 || bar.right > box.right + 0.5;
        }).length,
    );
    expect(outside).toBe(0);
    await page.screenshot({ path: join(screenshots, 'trace-fast.png'), fullPage: true });
  });

  it('creates a route in the UI that the next gateway call uses, and edits and deletes it', async () => {
    await visit('routes', 'Routes');
    // A credential by name and provider: its key is never shown again.
    const credential = page.getByTestId('credential-new');
    await credential.getByLabel('Name').fill('sim-key');
    await credential.getByLabel('Provider').selectOption('simulated');
    await credential.getByLabel('API key').fill('sk-e2e-never-shown');
    await credential.getByRole('button', { name: 'Add credential' }).click();
    await page.getByTestId('credentials-table').getByRole('cell', { name: 'sim-key' }).waitFor();
    expect(await page.locator('body').textContent()).not.toContain('sk-e2e-never-shown');

    const form = page.getByTestId('route-new');
    await form.getByLabel('Model name').fill('e2e-chat');
    const first = form.getByTestId('route-deployment').nth(0);
    await first.getByLabel('Provider').selectOption('simulated');
    await first.getByLabel('Upstream model').fill('simulated/e2e-primary');
    await first.getByLabel('Deployment id').fill('sim-primary');
    await first.getByLabel('Priority').fill('500');
    // The API's validation message, naming the field, shows under the form.
    await form.getByRole('button', { name: 'Add route' }).click();
    await expect
      .poll(() => form.getByTestId('form-error').textContent())
      .toContain('deployments.0.priority');
    await first.getByLabel('Priority').fill('0');
    await first.getByLabel('Weight').fill('3');
    await form.getByRole('button', { name: 'Add deployment' }).click();
    const second = form.getByTestId('route-deployment').nth(1);
    await second.getByLabel('Upstream model').fill('simulated/e2e-backup');
    await second.getByLabel('Deployment id').fill('sim-backup');
    await second.getByLabel('Priority').fill('1');
    await form.getByRole('button', { name: 'Add route' }).click();
    const route = page.locator('[data-testid="org-route"][data-model="e2e-chat"]');
    await route.getByRole('cell', { name: 'sim-backup' }).waitFor();
    const stored = await api<{ config: { deployments: Record<string, unknown>[] } }>(
      '/api/v1/admin/routes/e2e-chat',
    );
    expect(stored.config.deployments).toEqual([
      expect.objectContaining({ id: 'sim-primary', priority: 0, weight: 3 }),
      expect.objectContaining({ id: 'sim-backup', priority: 1, weight: 1 }),
    ]);

    const used = await gatewayCall('e2e-chat', 'e2e-route');
    expect(used).toMatchObject({
      model_requested: 'e2e-chat',
      provider: 'simulated',
      providers_tried: ['sim-primary'],
    });

    // Lower the primary below the backup: the next call goes to the backup.
    await route.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByTestId('route-edit');
    await edit.getByTestId('route-deployment').nth(0).getByLabel('Priority').fill('2');
    await edit.getByRole('button', { name: 'Save route' }).click();
    await page.getByTestId('route-edit').waitFor({ state: 'detached' });
    await route.getByRole('cell', { name: '2', exact: true }).waitFor();
    expect((await gatewayCall('e2e-chat', 'e2e-route-edited')).providers_tried).toEqual([
      'sim-backup',
    ]);
    // The form lists deployments in the order calls try them. Dragging the primary (priority 2,
    // second) onto the backup puts it first and renumbers the priorities to follow the order.
    await route.getByRole('button', { name: 'Edit' }).click();
    const deployments = page.getByTestId('route-edit').getByTestId('route-deployment');
    const shown = async (field: string) =>
      Promise.all([0, 1].map((index) => deployments.nth(index).getByLabel(field).inputValue()));
    expect(await shown('Deployment id')).toEqual(['sim-backup', 'sim-primary']);
    await deployments.nth(1).getByTestId('deployment-drag').dragTo(deployments.nth(0));
    expect(await shown('Deployment id')).toEqual(['sim-primary', 'sim-backup']);
    expect(await shown('Priority')).toEqual(['0', '1']);
    await page.getByTestId('route-edit').getByRole('button', { name: 'Save route' }).click();
    await page.getByTestId('route-edit').waitFor({ state: 'detached' });
    const dragged = await api<{ config: { deployments: Record<string, unknown>[] } }>(
      '/api/v1/admin/routes/e2e-chat',
    );
    expect(dragged.config.deployments).toEqual([
      expect.objectContaining({ id: 'sim-primary', priority: 0, weight: 3 }),
      expect.objectContaining({ id: 'sim-backup', priority: 1, weight: 1 }),
    ]);
    expect((await gatewayCall('e2e-chat', 'e2e-route-dragged')).providers_tried).toEqual([
      'sim-primary',
    ]);
    // Both deployments' breakers, as the providers' health shows them.
    await page.reload();
    await route.getByRole('cell', { name: 'sim-backup' }).waitFor();
    expect(await route.locator('.badge.closed').count()).toBe(2);
    await page.screenshot({ path: join(screenshots, 'routes.png'), fullPage: true });

    await route.getByRole('button', { name: 'Delete' }).click();
    await route.waitFor({ state: 'detached' });
    const gone = await server.request('/api/v1/admin/routes/e2e-chat', {
      key: server.tenant.adminKey,
    });
    expect(gone.status).toBe(404);
    await page
      .getByTestId('credentials-table')
      .getByRole('row', { name: /sim-key/ })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByText('No credentials yet').waitFor();
    expect(await api<{ credentials: unknown[] }>('/api/v1/admin/credentials')).toEqual({
      credentials: [],
    });
  });

  it('keeps the admin’s console free of errors', async () => {
    // Only the refusals the forms were meant to show: a second budget for the same period (409),
    // a flag name the API refuses (400) and a route priority out of range (400).
    expect(
      unexpectedErrors([
        /\/api\/v1\/admin\/budgets.*status of 409/,
        /\/api\/v1\/admin\/flags\/Not.*status of 400/,
        /\/api\/v1\/admin\/routes\/e2e-chat.*status of 400/,
      ]),
    ).toEqual([]);
  });

  it('shows a project key the lists without the edit controls', async () => {
    const reader = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const readerErrors: string[] = [];
    watchConsole(reader, readerErrors);
    const adminCalls: string[] = [];
    reader.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/v1/admin')) {
        adminCalls.push(request.url());
      }
    });
    try {
      await reader.goto(`${server.url}/budgets`);
      await reader.getByLabel('API key').fill(server.tenant.projectKey);
      await reader.getByRole('button', { name: 'Sign in' }).click();
      await reader.getByTestId('budgets-table').getByRole('cell', { name: '$20.00' }).waitFor();
      expect(await reader.getByRole('button', { name: 'Edit' }).count()).toBe(0);
      expect(await reader.getByTestId('budget-new').count()).toBe(0);
      expect(await reader.getByLabel('Organization').count()).toBe(0);
      await reader.getByRole('link', { name: 'Feature flags', exact: true }).click();
      // The project's value of the flag: its override turns it off for this project.
      const row = reader.getByTestId('flags-table').getByRole('row', { name: /new_checkout/ });
      await row.waitFor();
      expect(await row.textContent()).toContain('off');
      expect(await reader.getByTestId('flag-new').count()).toBe(0);
      // Every page, as the project key sees it: no admin call, no console error.
      for (const [name, title] of [
        ['overview', 'Overview'],
        ['costs', 'Costs'],
        ['traces', 'Traces'],
        ['requests', 'Requests'],
        ['users', 'Users'],
        ['sessions', 'Sessions'],
        ['prompts', 'Prompts'],
        ['providers', 'Providers'],
        ['guardrails', 'Guardrails'],
        ['fallbacks', 'AI fallbacks'],
        ['alerts', 'Alerts'],
      ] as const) {
        await reader.getByRole('link', { name: title, exact: true }).click();
        await reader.waitForURL(new RegExp(`/${name}(\\?|$)`));
        await reader.getByRole('heading', { level: 1, name: title }).waitFor();
        await reader.waitForFunction(
          () => !document.querySelector('[data-testid="state-loading"]'),
        );
        expect(await reader.locator('[data-testid="state-error"]').count()).toBe(0);
      }
      await reader.getByText('Alert rules are managed with an org admin key').waitFor();
      // Routes are the admin API's: not in a project key's menu, and its page asks nothing.
      expect(await reader.getByRole('link', { name: 'Routes', exact: true }).count()).toBe(0);
      await reader.goto(`${server.url}/routes`);
      await reader.getByText('Routes are managed with an org admin key').waitFor();
      await reader.getByRole('link', { name: 'Users', exact: true }).click();
      await reader.getByTestId('users-table').getByRole('cell', { name: 'user-anna' }).click();
      await reader.getByTestId('user-cost').waitFor();
      await reader.screenshot({ path: join(screenshots, 'project-key-user.png'), fullPage: true });
      expect(adminCalls).toEqual([]);
      expect(readerErrors).toEqual([]);
    } finally {
      await reader.close();
    }
  });
});
