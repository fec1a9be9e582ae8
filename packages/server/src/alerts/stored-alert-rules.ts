import type { AlertRuleRecord } from '@tollgate/core';
import { alertRuleSchema, type AlertRule } from './alert-rules';
import type { KeyedAlertRule } from './alert-evaluator';

/**
 * What the meta store keeps of a rule made through the admin API: the rule
 * without its name and org, which are columns (the org is always the
 * caller's, never the body's).
 */
export type StoredAlertDefinition = Omit<AlertRule, 'name' | 'org'>;

export function definitionOf(rule: AlertRule): StoredAlertDefinition {
  const { name: _name, org: _org, ...definition } = rule;
  return definition;
}

/** The rule a stored record describes, or undefined when its definition no longer validates. */
export function ruleOf(record: AlertRuleRecord): AlertRule | undefined {
  const parsed = alertRuleSchema.safeParse({
    ...(record.definition as object),
    name: record.name,
    org: record.orgId,
  });
  return parsed.success ? parsed.data : undefined;
}

/** The enabled rules of every org, keyed by id (names are unique per org only). */
export function keyedRules(records: readonly AlertRuleRecord[]): KeyedAlertRule[] {
  return records.flatMap((record) => {
    const rule = ruleOf(record);
    return rule ? [{ key: record.id, rule }] : [];
  });
}
