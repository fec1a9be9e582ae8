import type { ReactNode } from 'react';
import { Loaded, PageHeader, Payload, SortableTable } from '../components';
import { formatCount, formatDuration, formatTime, formatUsd } from '../format';
import { navigate, useParams } from '../url-state';
import { useApi } from '../use-api';
import type { EventAnswer, EventDetailAnswer } from '../api-types';

export type CallEvent = EventAnswer;

type Detail = EventDetailAnswer;

/** Exact nano-dollars as a decimal string of dollars (no float on the way). */
export function nanosToUsdText(nanos: number | string): string {
  const value = BigInt(nanos);
  const sign = value < 0n ? '-' : '';
  const digits = (value < 0n ? -value : value).toString().padStart(10, '0');
  const fraction = digits.slice(-9).replace(/0+$/, '');
  return `${sign}${digits.slice(0, -9)}${fraction ? `.${fraction}` : ''}`;
}

function Link(props: { page: string; id: string; children: ReactNode }) {
  const href = `/${props.page}/${encodeURIComponent(props.id)}${window.location.search}`;
  return (
    <a
      href={href}
      onClick={(event) => {
        event.preventDefault();
        navigate(href);
      }}
    >
      {props.children}
    </a>
  );
}

function tokensText(tokens: Detail['tokens']): string {
  const parts = [
    `${formatCount(tokens.input)} input`,
    `${formatCount(tokens.output)} output`,
    `${formatCount(tokens.cached_input)} cached input`,
  ];
  if (tokens.cache_write_5m)
    parts.push(`${formatCount(tokens.cache_write_5m)} cache write (5 min)`);
  if (tokens.cache_write_1h) parts.push(`${formatCount(tokens.cache_write_1h)} cache write (1 h)`);
  if (tokens.reasoning) parts.push(`${formatCount(tokens.reasoning)} reasoning`);
  return parts.join(' · ');
}

function priceText(price: NonNullable<Detail['price']>): string {
  const current = price.current;
  if (!current) return 'no price for this model';
  const rates = current.usd_per_million_tokens_or_unit;
  const per = (name: string, label: string) =>
    typeof rates[name] === 'number' ? `${label} $${rates[name]}` : undefined;
  const listed = [
    per('input', 'input'),
    per('output', 'output'),
    per('cachedInput', 'cached input'),
  ].filter(Boolean);
  const perImage = typeof rates.perImage === 'number' ? [`$${rates.perImage} per image`] : [];
  return `${current.matched} (${current.source}): ${[...listed.map((each) => `${each} per 1M tokens`), ...perImage].join(', ') || 'listed without token rates'}`;
}

function Content({ value, content }: { value: unknown; content: Detail['content'] }) {
  if ((value === '' || value === null || value === undefined) && !content.stored) {
    return <em>Not stored: this project keeps no prompts and responses.</em>;
  }
  return <Payload value={value} />;
}

/** One request whole (`/requests/<event_id>`): what was asked and answered, what it cost and why. */
export function RequestDetailPage({ eventId }: { eventId: string }) {
  const [params] = useParams();
  const detail = useApi<Detail>(`/api/v1/events/${encodeURIComponent(eventId)}`, {
    project_id: params.get('project_id'),
  });
  return (
    <>
      <PageHeader title="Request">
        <button onClick={() => navigate(`/requests${window.location.search}`)}>All requests</button>
      </PageHeader>
      <Loaded state={detail} what="request">
        {({ event, tokens, price, guardrails, run, content }) => {
          const tried = Array.isArray(event.providers_tried)
            ? event.providers_tried.join(', ')
            : event.providers_tried;
          const cost =
            event.cost_unpriced || event.cost_nanos === null
              ? 'unpriced (cost unknown)'
              : formatUsd(nanosToUsdText(event.cost_nanos));
          return (
            <section className="panel" data-testid="request-detail">
              <h2>
                {event.model || event.name} · {formatTime(event.ts)}{' '}
                <span className={`badge ${event.status}`}>{event.status}</span>
              </h2>
              <dl className="detail">
                <dt>Event</dt>
                <dd>{event.event_id}</dd>
                {event.request_id && (
                  <>
                    <dt>Request id</dt>
                    <dd>{event.request_id}</dd>
                  </>
                )}
                <dt>Run</dt>
                <dd data-testid="request-run">
                  {run ? (
                    <>
                      <Link page="traces" id={run.run_id}>
                        {run.run_id}
                      </Link>{' '}
                      (event {run.position} of {run.events})
                    </>
                  ) : (
                    'none'
                  )}
                </dd>
                <dt>User · session</dt>
                <dd>
                  {event.user_id ? (
                    <Link page="users" id={event.user_id}>
                      {event.user_id}
                    </Link>
                  ) : (
                    '–'
                  )}{' '}
                  ·{' '}
                  {event.session_id ? (
                    <Link page="sessions" id={event.session_id}>
                      {event.session_id}
                    </Link>
                  ) : (
                    '–'
                  )}
                </dd>
                <dt>Model</dt>
                <dd>
                  {event.provider} {event.model}
                  {event.model_requested && event.model_requested !== event.model
                    ? ` (asked for ${event.model_requested})`
                    : ''}
                  {event.operation ? ` · ${event.operation}` : ''}
                </dd>
                <dt>Tokens</dt>
                <dd data-testid="request-tokens">
                  {tokensText(tokens)}
                  {tokens.estimated.length > 0 &&
                    ` (estimated by Tollgate: ${tokens.estimated.join(', ')})`}
                </dd>
                <dt>Cost</dt>
                <dd data-testid="request-cost" data-nanos={event.cost_nanos ?? ''}>
                  {cost}
                  {price?.cost_source ? ` · priced from ${price.cost_source}` : ''}
                  {price?.service_tier ? ` · ${price.service_tier} tier` : ''}
                </dd>
                {price && (
                  <>
                    <dt>Price of the model</dt>
                    <dd data-testid="request-price">{priceText(price)}</dd>
                  </>
                )}
                <dt>Latency</dt>
                <dd>
                  {formatDuration(event.latency_ms)}
                  {event.ttft_ms ? ` (first token ${formatDuration(event.ttft_ms)})` : ''}
                </dd>
                <dt>Attempts</dt>
                <dd data-testid="request-attempts">
                  {event.attempts || 1} · providers tried: {tried || event.provider || '–'}
                </dd>
                <dt>Cache</dt>
                <dd data-testid="request-cache">
                  {event.cache_status ?? 'not through the gateway cache'}
                </dd>
                <dt>Prompt version</dt>
                <dd>{event.prompt_name ? `${event.prompt_name} v${event.prompt_version}` : '–'}</dd>
                <dt>Error</dt>
                <dd>{event.error_message || '–'}</dd>
              </dl>
              <h3>Guardrails</h3>
              {guardrails.length === 0 ? (
                <p>No guardrail matched this request.</p>
              ) : (
                <SortableTable
                  testId="request-guardrails"
                  rows={guardrails}
                  rowKey={(each) => each.event_id}
                  columns={[
                    { key: 'reference', label: 'Reference' },
                    {
                      key: 'score',
                      label: 'Score',
                      align: 'right',
                      render: (each) => each.score.toFixed(3),
                    },
                    { key: 'threshold', label: 'Threshold', align: 'right' },
                    { key: 'action', label: 'Action' },
                  ]}
                />
              )}
              <h3>Prompt</h3>
              {content.pii_redacted && <p>PII is redacted from this project’s stored content.</p>}
              {content.encrypted && (
                <p>This project stores its content encrypted; it is shown opened for your key.</p>
              )}
              <Content value={event.input} content={content} />
              <h3>Response</h3>
              <Content value={event.output} content={content} />
            </section>
          );
        }}
      </Loaded>
    </>
  );
}
