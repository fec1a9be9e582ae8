import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TollgateMetrics } from '../../src/metrics/tollgate-metrics';

const readme = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '../../../../docs/metrics.md'),
  'utf8',
);

/** docs/metrics.md's table: name, type and label names of each row. */
function documentedMetrics(): { name: string; type: string; labels: string[] }[] {
  return [...readme.matchAll(/^\| `(tollgate_\w+)` +\| (\w+) +\| ([^|]+) \|/gm)].map((match) => ({
    name: match[1]!,
    type: match[2]!,
    labels: [...match[3]!.matchAll(/`(\w+)`/g)].map((label) => label[1]!),
  }));
}

describe('the metrics reference (docs/metrics.md)', () => {
  it('lists every metric of the registry with its type and labels, and no other', () => {
    const metrics = new TollgateMetrics({ spoolBytes: () => 0, journalFailures: () => 0 });
    const registered = metrics.registry.getMetricsAsArray().map((metric) => ({
      name: metric.name,
      type: String(metric.type),
      labels: [...((metric as { labelNames?: readonly string[] }).labelNames ?? [])],
    }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(documentedMetrics().sort(byName)).toEqual(registered.sort(byName));
  });
});
