import type { BreakerEvent, EventStore, SummaryRow } from '@tollgate/core';
import { breakerKeyParts } from '../gateway/routing/breaker-key';
import type { AlertRule } from './alert-rules';
import type { AlertNotice } from './alert-webhook';

const HOUR_MS = 3_600_000;

/** A rule with the key its firing state is kept under: a file rule's name, a stored rule's id. */
export interface KeyedAlertRule {
  key: string;
  rule: AlertRule;
}

export interface AlertEvaluatorOptions {
  /** The file's rules, keyed by name. */
  rules: readonly AlertRule[];
  /** Rules managed through the admin API, read again on every pass so changes apply without a restart. */
  storedRules?: () => Promise<readonly KeyedAlertRule[]>;
  events: EventStore;
  /** Called once when a rule starts firing and once when it resolves. */
  onTransition: (rule: AlertRule, notice: AlertNotice) => Promise<void>;
  now?: () => number;
}

interface Measure {
  /** Undefined: not enough data to judge (the rule keeps its state). */
  value: number | undefined;
  threshold: number;
  summary: string;
}

/**
 * Evaluates alert rules from the hourly rollup (`EventStore.summary`, the
 * `prompt_call` row) and from breaker transitions. A rule notifies when it
 * starts firing and when it resolves, never again while it stays firing.
 * State lives in this process: several replicas with the same rules would
 * each notify (run the alerts on one replica).
 */
export class AlertEvaluator {
  private readonly firing = new Set<string>();
  /** When each open breaker opened, from the breaker's events. */
  private readonly openSince = new Map<string, number>();
  private readonly now: () => number;
  private running: Promise<void> | undefined;

  constructor(private readonly options: AlertEvaluatorOptions) {
    this.now = options.now ?? Date.now;
  }

  breakerChanged(event: BreakerEvent): void {
    if (event.type === 'breaker-opened') {
      if (!this.openSince.has(event.key)) this.openSince.set(event.key, event.at);
    } else if (event.type === 'breaker-closed') this.openSince.delete(event.key);
  }

  /** Whether the rule with this key (a file rule's name, a stored rule's id) is firing. */
  isFiring(key: string): boolean {
    return this.firing.has(key);
  }

  /** Whether a pass is under way. */
  get evaluating(): boolean {
    return this.running !== undefined;
  }

  /** One pass over every rule; passes never overlap. */
  evaluate(): Promise<void> {
    this.running ??= this.evaluateAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async evaluateAll(): Promise<void> {
    const rules: KeyedAlertRule[] = [
      ...this.options.rules.map((rule) => ({ key: rule.name, rule })),
      ...((await this.options.storedRules?.()) ?? []),
    ];
    for (const { key, rule } of rules) {
      const measure = await this.measure(rule);
      if (measure.value === undefined) continue;
      const exceeded = measure.value > measure.threshold;
      if (exceeded === this.firing.has(key)) continue;
      if (exceeded) this.firing.add(key);
      else this.firing.delete(key);
      await this.options.onTransition(rule, {
        rule: rule.name,
        kind: rule.kind,
        state: exceeded ? 'firing' : 'resolved',
        org: rule.org,
        project: rule.project,
        value: measure.value,
        threshold: measure.threshold,
        summary: measure.summary,
        at: new Date(this.now()).toISOString(),
      });
    }
  }

  private async measure(rule: AlertRule): Promise<Measure> {
    switch (rule.kind) {
      case 'cost': {
        const calls = await this.promptCalls(rule, rule.per === 'hour' ? 1 : 24);
        const value = (calls?.cost_nanos ?? 0) / 1e9;
        return {
          value,
          threshold: rule.thresholdUsd,
          summary: `cost $${value.toFixed(4)} per ${rule.per} (threshold $${rule.thresholdUsd})`,
        };
      }
      case 'error_rate': {
        const calls = await this.promptCalls(rule, rule.windowHours);
        const requests = calls?.requests ?? 0;
        const value = requests >= rule.minRequests ? (100 * (calls?.errors ?? 0)) / requests : 0;
        return {
          value,
          threshold: rule.thresholdPercent,
          summary: `error rate ${value.toFixed(1)}% of ${requests} calls over ${rule.windowHours}h (threshold ${rule.thresholdPercent}%)`,
        };
      }
      case 'p95_latency': {
        const calls = await this.promptCalls(rule, rule.windowHours);
        const requests = calls?.requests ?? 0;
        const value = requests >= rule.minRequests ? (calls?.latency_p95_ms ?? 0) : 0;
        return {
          value,
          threshold: rule.thresholdMs,
          summary: `p95 latency ${Math.round(value)} ms over ${requests} calls in ${rule.windowHours}h (threshold ${rule.thresholdMs} ms)`,
        };
      }
      case 'breaker_open': {
        let longest = 0;
        let which = '';
        // A rule sees its own org's breakers only: never another org's deployments.
        for (const [key, since] of this.openSince) {
          const parts = breakerKeyParts(key);
          if (!parts || parts.orgId !== rule.org) continue;
          if (rule.deployment !== undefined && parts.deploymentId !== rule.deployment) continue;
          const seconds = (this.now() - since) / 1000;
          if (seconds > longest) {
            longest = seconds;
            which = `${parts.deploymentId} (${parts.provider} ${parts.model})`;
          }
        }
        return {
          value: longest,
          threshold: rule.forSeconds,
          summary: which
            ? `circuit breaker of ${which} open for ${Math.round(longest)} s (threshold ${rule.forSeconds} s)`
            : `no circuit breaker open (threshold ${rule.forSeconds} s)`,
        };
      }
      default: {
        const unknown: never = rule;
        throw new Error(`unknown alert rule ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** The rule's scope's `prompt_call` totals over the last `hours` (whole rollup hours). */
  private async promptCalls(rule: AlertRule, hours: number): Promise<SummaryRow | undefined> {
    const to = this.now() + 1;
    const rows = await this.options.events.summary(
      { orgId: rule.org, projectId: rule.project },
      { from: to - 1 - (hours - 1) * HOUR_MS, to, groupBy: 'event_type' },
    );
    return rows.find((row) => row.key === 'prompt_call');
  }
}
