/**
 * Webhooks never follow a redirect: a receiver that answers 3xx (perhaps to an
 * internal address) is a failed delivery, and the redirect's target hears nothing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deliverWebhook } from '../../src/alerts/alert-webhook';
import { deliverBudgetWebhook } from '../../src/governance/budgets/budget-webhook';
import { OutboundPolicy } from '../../src/outbound/outbound-policy';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';
import {
  startLoopbackUpstream,
  type LoopbackUpstream,
} from '../helpers/upstreams/loopback-upstream';

let target: WebhookReceiver;
let redirecting: LoopbackUpstream;
let policy: OutboundPolicy;

beforeAll(async () => {
  target = await startWebhookReceiver();
  redirecting = await startLoopbackUpstream();
  policy = new OutboundPolicy({
    allow: ['127.0.0.1'],
    operatorExempt: false,
    isOperatorOrg: async () => false,
  });
});

afterAll(async () => {
  await policy.close();
  await target.close();
  await redirecting.close();
});

it('an alert webhook answered with a redirect fails, unfollowed', async () => {
  redirecting.fallback = { type: 'json', status: 307, headers: { location: target.url }, body: {} };
  const delivery = deliverWebhook(
    {
      url: `${redirecting.url}/hook`,
      format: 'generic',
      retries: 0,
      backoffMs: 1,
      timeoutMs: 2000,
    },
    {
      rule: 'r',
      kind: 'cost',
      state: 'firing',
      org: 'o',
      value: 2,
      threshold: 1,
      summary: 's',
      at: new Date(0).toISOString(),
    },
    async () => undefined,
    policy.dispatcher('tenant'),
  );
  await expect(delivery).rejects.toThrow('HTTP 307');
  expect(target.bodies).toHaveLength(0);
});

it('a budget webhook answered with a redirect fails, unfollowed', async () => {
  redirecting.fallback = { type: 'json', status: 302, headers: { location: target.url }, body: {} };
  const delivery = deliverBudgetWebhook(
    `${redirecting.url}/budget`,
    { budget: 'b' },
    { retries: 0, backoffMs: 1, dispatcher: policy.dispatcher('tenant') },
  );
  await expect(delivery).rejects.toThrow('HTTP 302');
  expect(target.bodies).toHaveLength(0);
});
