/**
 * Realistic events made inside ClickHouse: `INSERT INTO events SELECT ... FROM
 * numbers(start, count)` with every column a deterministic function of the row
 * number (`cityHash64(n, k)`), so the same `--events N` always gives the same
 * data. The insert goes through the project's own schema, so the materialized
 * views fill `tool_calls`, `agent_steps` and the hourly and daily rollups as
 * they do in production; building rows in JavaScript and sending them through
 * `EventStore.insert` would take ~15 minutes per million rows here.
 *
 * Shape of the data (over the 90 days before the anchor):
 * - events come in groups of 8 (`r = n / 8`); 30 % of the groups are agent runs
 *   (agent_step, prompt_call, tool_call ×2, then agent_step, prompt_call), the
 *   others are 8 independent calls, mostly prompt_call (82 %), then ai_fallback
 *   (6 %), tool_call (4 %), error (3 %), guardrail (2 %), custom (3 %);
 * - 5 orgs of unequal size (40, 25, 15, 12, 8 %), 3 projects each, 5 services
 *   with 14 methods, 9 models from 4 providers (chat, embedding, image), each
 *   method with a preferred model (80 % of its calls);
 * - ~4 % of calls fail (error, timeout, rate_limited) with one of 8 messages,
 *   3 % are cache hits; latency has a long tail; streamed calls have a TTFT.
 */
import { EVENT_COLUMNS, type EventColumn } from '@tollgate/core';

export const DAY_MS = 86_400_000;
/** The span the events cover, ending at the anchor. */
export const SPAN_DAYS = 90;
/** Events per group (an agent run, or 8 independent calls). */
const GROUP = 8;

export const ORGS = ['org_0', 'org_1', 'org_2', 'org_3', 'org_4'] as const;
/** Cumulative share of groups per org, in per mille. */
const ORG_SHARES = [400, 650, 800, 920, 1000];

/** [service, method] pairs: `name` is the method. */
const METHODS = [
  ['support-bot', 'support.answer'],
  ['support-bot', 'support.summarize'],
  ['support-bot', 'support.classify'],
  ['search', 'search.rerank'],
  ['search', 'search.expand_query'],
  ['search', 'search.embed'],
  ['mail', 'mail.classify'],
  ['mail', 'mail.draft_reply'],
  ['billing', 'billing.explain_invoice'],
  ['billing', 'billing.detect_fraud'],
  ['agent', 'agent.plan'],
  ['agent', 'agent.execute'],
  ['agent', 'agent.reflect'],
  ['media', 'media.thumbnail'],
] as const;

/** [provider, model, operation, input USD / 1M tokens, output USD / 1M tokens]. */
const MODELS = [
  ['openai', 'gpt-4o-mini', 'chat', 0.15, 0.6],
  ['openai', 'gpt-4o', 'chat', 2.5, 10],
  ['anthropic', 'claude-3-5-haiku', 'chat', 0.8, 4],
  ['anthropic', 'claude-sonnet-4', 'chat', 3, 15],
  ['google', 'gemini-2.0-flash', 'chat', 0.1, 0.4],
  ['google', 'gemini-1.5-pro', 'chat', 1.25, 5],
  ['groq', 'llama-3.3-70b', 'chat', 0.59, 0.79],
  ['openai', 'text-embedding-3-small', 'embedding', 0.02, 0],
  ['openai', 'gpt-image-1', 'image', 5, 40],
] as const;
const CHAT_MODELS = 7;
/** 1-based indexes in METHODS of the methods called outside agent runs (the agent.* ones are not). */
const STANDALONE_METHODS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14];

const FALLBACK_METHODS = [
  'inventory.getStock',
  'inventory.estimateDelivery',
  'crm.parseAddress',
  'crm.mergeDuplicates',
  'catalog.suggestReplacement',
  'catalog.normalizeTitle',
  'tickets.routeToTeam',
  'tickets.extractOrderId',
];

const ERRORS = [
  'upstream returned 500: internal server error',
  'upstream returned 503: model overloaded, retry later',
  'rate limit exceeded: 10000 tokens per minute',
  'context length exceeded: 131072 tokens maximum',
  'request timed out after 30000 ms',
  'invalid JSON in tool arguments',
  'content filtered by provider policy',
  'connection reset by upstream',
];

const TOOLS = [
  'web_search',
  'sql_query',
  'send_email',
  'read_file',
  'http_get',
  'calculator',
  'crm_lookup',
];

const SENTENCES = [
  'The customer asks why the invoice for October shows two charges for the same plan.',
  'Summarize the conversation below in three bullet points for the support lead.',
  'Classify the ticket as billing, shipping, account or product, and explain why.',
  'Rewrite the answer politely and include the steps to reset the password.',
  'List the orders placed with the card ending in 4242 during the last month.',
  'The package was shipped on Monday but tracking has not updated since Tuesday.',
  'Explain the difference between the pro and the team subscription plans.',
  'Draft a reply that offers a refund or a replacement, whichever the customer prefers.',
  'Extract the order number, the product name and the delivery address as JSON.',
  'Rank the following documents by how well they answer the question about warranties.',
  'Your subscription renews on the first of each month; you can cancel at any time.',
  'I checked the account: the second charge was a pre-authorization and is released.',
];

const quote = (text: string): string => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
const array = (items: readonly (string | number)[]): string =>
  `[${items.map((item) => (typeof item === 'number' ? String(item) : quote(item))).join(', ')}]`;

/** A pick from `items` (a ClickHouse array literal) by the hash `hash`, 1-based as ClickHouse is. */
const pick = (items: string, hash: string): string => `${items}[1 + (${hash}) % length(${items})]`;

/** `count` sentences chosen by hashes of `n` with salts from `salt`. */
const text = (count: number, salt: number): string =>
  `arrayStringConcat([${Array.from({ length: count }, (_, index) =>
    pick(array(SENTENCES), `cityHash64(n, ${salt + index})`),
  ).join(', ')}], ' ')`;

/**
 * The statement inserting events `start` .. `start + count - 1` of `total`.
 * Times grow with the row number (group `r` starts at `r / groups` of the
 * span, plus up to a minute), so successive chunks are successive time slices,
 * as events arrive in production; `anchorMs` ends the span.
 */
export function insertStatement(
  start: number,
  count: number,
  total: number,
  anchorMs: number,
): string {
  for (const value of [start, count, total, anchorMs]) {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`bad integer ${value}`);
  }
  const span = SPAN_DAYS * DAY_MS;
  const groups = Math.ceil(total / GROUP);
  const methods = array(METHODS.map(([, method]) => method));
  const services = array(METHODS.map(([service]) => service));
  const providers = array(MODELS.map(([provider]) => provider));
  const models = array(MODELS.map(([, model]) => model));
  const operations = array(MODELS.map(([, , operation]) => operation));
  const inputPrices = array(MODELS.map(([, , , price]) => Math.round(price * 1000)));
  const outputPrices = array(MODELS.map(([, , , , price]) => Math.round(price * 1000)));
  // The columns computed below, in the table's column order (any not listed gets its default).
  const columns: Partial<Record<EventColumn, string>> = {
    event_id: 'event_id',
    parent_id:
      "if(agent AND p > 0, concat(leftPad(hex(toUInt64(run_start)), 12, '0'), leftPad(hex(r * 8), 14, '0')), '')",
    run_id: "if(agent, concat('run-', toString(r)), concat('req-', toString(n)))",
    org_id: 'org_id',
    project_id: "concat(org_id, '-proj_', toString(hr % 3))",
    user_id: "concat('user-', toString(cityHash64(r, 3) % 20000))",
    session_id: "concat('session-', toString(cityHash64(r, 4) % 80000))",
    request_id: "concat('req-', toString(n))",
    ts: "fromUnixTimestamp64Milli(toInt64(ts_ms), 'UTC')",
    event_type: 'event_type',
    name: 'name',
    service: 'service',
    env: "if(hr % 10 = 0, 'staging', 'production')",
    tags: `['bench', ${pick("['beta', 'stable', 'canary']", 'cityHash64(r, 5)')}]`,
    status: 'status',
    latency_ms: 'latency',
    metadata: `concat('{"customer_tier":"', ${pick("['free', 'pro', 'enterprise']", 'cityHash64(r, 6)')}, '","region":"', ${pick("['eu-west-1', 'us-east-1', 'ap-south-1']", 'cityHash64(r, 7)')}, '"}')`,
    retention_days: '365',
    operation: "if(is_model, operation, '')",
    provider: "if(is_model, provider, '')",
    model: "if(is_model, model, '')",
    model_requested: "if(is_model, model, '')",
    input: `if(event_type IN ('prompt_call', 'ai_fallback', 'agent_step', 'tool_call'), ${text(3, 20)}, '')`,
    output: `if(status IN ('success', 'cached') AND event_type IN ('prompt_call', 'ai_fallback', 'agent_step', 'tool_call'), ${text(2, 30)}, '')`,
    input_tokens: 'in_tokens',
    output_tokens: 'out_tokens',
    cached_tokens: "if(status = 'cached', in_tokens, 0)",
    cost_nanos: "if(event_type = 'prompt_call' AND status != 'cached', cost, 0)",
    ttft_ms:
      "if(event_type = 'prompt_call' AND operation = 'chat' AND h2 % 2 = 0, round(latency * 0.18, 1), 0)",
    prompt_name: `if(event_type = 'prompt_call' AND h2 % 3 = 0, ${pick("['summarize', 'classify', 'answer']", 'h2')}, '')`,
    prompt_version: "if(event_type = 'prompt_call' AND h2 % 3 = 0, 1 + h2 % 4, 0)",
    cache_hit: "status = 'cached'",
    attempts: "if(event_type = 'prompt_call', 1 + (h3 % 20 = 0), 0)",
    providers_tried: "if(event_type = 'prompt_call', [provider], [])",
    image_count: "if(is_model AND operation = 'image', 1, 0)",
    error_message: `if(status NOT IN ('success', 'cached'), ${pick(array(ERRORS), 'cityHash64(n, 9)')}, '')`,
    error_type: "if(status NOT IN ('success', 'cached'), status, '')",
    simulated: '0',
    tool_name: `if(event_type = 'tool_call', ${pick(array(TOOLS), 'cityHash64(n, 10)')}, '')`,
    step_number: "if(event_type = 'agent_step', intDiv(p, 3) + 1, 0)",
    step_name: `if(event_type = 'agent_step', ${pick("['plan', 'search', 'answer', 'verify']", 'p')}, '')`,
    step_type: "if(event_type = 'agent_step', 'llm', '')",
    decision: `if(event_type = 'ai_fallback', ${pick("['text', 'object']", 'cityHash64(n, 11)')}, '')`,
    decision_latency_ms: "if(event_type = 'ai_fallback', round(latency * 0.2, 1), 0)",
    generation_latency_ms: "if(event_type = 'ai_fallback', round(latency * 0.8, 1), 0)",
    score: "if(event_type = 'guardrail', (h2 % 100) / 100, 0)",
    action: `if(event_type = 'guardrail', ${pick("['allow', 'flag', 'block']", 'h2')}, '')`,
  };
  const names = (Object.keys(EVENT_COLUMNS) as EventColumn[]).filter((name) => columns[name]);
  return `INSERT INTO events (${names.join(', ')})
SELECT ${names.map((name) => `${columns[name]} AS ${name}_value`).join(',\n    ')}
FROM
(
    SELECT
        *,
        ${models}[model_index] AS model,
        ${providers}[model_index] AS provider,
        ${operations}[model_index] AS operation,
        multiIf(${operations}[model_index] = 'embedding', 0, ${operations}[model_index] = 'image', 0, 60 + h3 % 900) AS out_tokens,
        toInt64(in_tokens) * ${inputPrices}[model_index] + toInt64(out_tokens) * ${outputPrices}[model_index] AS cost,
        concat(leftPad(hex(toUInt64(ts_ms)), 12, '0'), leftPad(hex(n), 14, '0')) AS event_id
    FROM
    (
        SELECT
            *,
            event_type IN ('prompt_call', 'ai_fallback') AS is_model,
            if(event_type = 'ai_fallback', ${array(FALLBACK_METHODS)}[1 + cityHash64(r, 12) % ${FALLBACK_METHODS.length}], ${methods}[method_index]) AS name,
            if(event_type = 'ai_fallback', 'fallback-rpc', ${services}[method_index]) AS service,
            multiIf(
                ${methods}[method_index] = 'search.embed', ${MODELS.length - 1},
                ${methods}[method_index] = 'media.thumbnail', ${MODELS.length},
                h2 % 10 < 8, 1 + cityHash64(${methods}[method_index]) % ${CHAT_MODELS},
                1 + h2 % ${CHAT_MODELS}) AS model_index,
            multiIf(
                event_type = 'error', 'error',
                event_type IN ('custom', 'guardrail', 'agent_step'), 'success',
                h3 % 1000 < 930, 'success',
                h3 % 1000 < 960, 'cached',
                h3 % 1000 < 985, 'error',
                h3 % 1000 < 995, 'timeout',
                'rate_limited') AS status,
            round((150 + h2 % 1800) * if(h3 % 100 < 3, 6, 1) + (h1 % 1000) / 10, 1) AS latency,
            50 + cityHash64(n, 13) % 2500 AS in_tokens
        FROM
        (
            SELECT
                number AS n,
                intDiv(n, ${GROUP}) AS r,
                n % ${GROUP} AS p,
                cityHash64(r, 1) AS hr,
                cityHash64(n, 2) AS h1,
                cityHash64(n, 14) AS h2,
                cityHash64(n, 15) AS h3,
                hr % 10 < 3 AS agent,
                ${array(ORGS)}[indexOf(arrayMap(share -> (cityHash64(r, 2) % 1000) < share, ${array(ORG_SHARES)}), 1)] AS org_id,
                ${anchorMs - span} + intDiv(r * ${span - 120_000}, ${groups}) + cityHash64(r, 16) % 60000 AS run_start,
                run_start + if(agent, p * 1500, cityHash64(n, 17) % 60000) AS ts_ms,
                if(agent,
                    ['agent_step', 'prompt_call', 'tool_call', 'tool_call', 'agent_step', 'prompt_call', 'agent_step', 'prompt_call'][p + 1],
                    multiIf(h1 % 1000 < 820, 'prompt_call', h1 % 1000 < 880, 'ai_fallback', h1 % 1000 < 920, 'tool_call',
                            h1 % 1000 < 950, 'error', h1 % 1000 < 970, 'guardrail', 'custom')) AS event_type,
                if(agent, 11 + cityHash64(r, 18) % 3, ${array(STANDALONE_METHODS)}[1 + cityHash64(r, 19) % ${STANDALONE_METHODS.length}]) AS method_index
            FROM numbers(${start}, ${count})
        )
    )
)`;
}
