import type { EventStore } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { breakerKeyOf } from '../gateway/routing/breaker-key';
import type { RoutedDeployment } from '../gateway/routing/route-table';
import { AlertEvaluator } from './alert-evaluator';
import type { AlertRule } from './alert-rules';
import type { AlertNotice } from './alert-webhook';

const deployment: RoutedDeployment = {
  id: 'primary',
  provider: 'openai',
  model: 'gpt-4o-mini',
  baseUrl: 'https://user:hunter2@llm.example.com/v1?api_key=secret',
  priority: 0,
  weight: 1,
  timeoutMs: 1000,
  maxRetries: 0,
};

function ruleOf(org: string, deploymentId?: string): AlertRule {
  return {
    name: `${org}-${deploymentId ?? 'all'}`,
    kind: 'breaker_open',
    org,
    deployment: deploymentId,
    forSeconds: 10,
    webhook: {
      url: 'https://hooks.example.com/x',
      format: 'generic',
      retries: 0,
      backoffMs: 1,
      timeoutMs: 1000,
    },
  } as AlertRule;
}

describe('breaker_open rules', () => {
  it("see only their own org's breakers, and never a URL", async () => {
    let now = 1_000_000;
    const notices: AlertNotice[] = [];
    const evaluator = new AlertEvaluator({
      rules: [ruleOf('org-b'), ruleOf('org-a', 'primary'), ruleOf('org-a', 'other')],
      events: {} as EventStore,
      now: () => now,
      onTransition: async (_rule, notice) => void notices.push(notice),
    });
    evaluator.breakerChanged({
      type: 'breaker-opened',
      key: breakerKeyOf('org-a', deployment),
      at: now,
    } as never);
    now += 60_000;
    await evaluator.evaluate();
    expect(notices.map((notice) => [notice.rule, notice.state])).toEqual([
      ['org-a-primary', 'firing'],
    ]);
    expect(notices[0]!.summary).toContain('primary');
    expect(JSON.stringify(notices)).not.toMatch(/hunter2|secret|llm\.example/);
  });
});
