import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { metricTypes } from './exposition';

interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

const dashboard = JSON.parse(
  readFileSync(
    join(
      dirname(fileURLToPath(import.meta.url)),
      '../../../../deploy/grafana/tollgate-dashboard.json',
    ),
    'utf8',
  ),
) as { panels: Panel[]; templating: { list: { query?: unknown }[] } };

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
  'e',
]);

/**
 * The metric names a PromQL expression reads: what is left once strings, label
 * matchers, ranges, grouping clauses, variables, numbers, functions and
 * keywords are taken out.
 */
function metricNamesOf(expression: string): string[] {
  const bare = expression
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ')
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, ' ');
  const names: string[] = [];
  for (const match of bare.matchAll(/([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (match[2] || PROMQL_WORDS.has(match[1]!.toLowerCase())) continue;
    names.push(match[1]!);
  }
  return names;
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

/** Every series name the exposition can hold: histograms add `_bucket`, `_sum` and `_count`. */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [family, type] of metricTypes(exposition)) {
    if (type === 'histogram' || type === 'summary') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${family}${suffix}`);
    } else names.add(family);
  }
  return names;
}

let server: TestServer;
let exported: Set<string>;
let families: Map<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  const text = await (await fetch(`${server.url}/metrics`)).text();
  exported = exportedNames(text);
  families = metricTypes(text);
}, 180_000);

afterAll(async () => {
  await server?.close();
});

describe('the Grafana dashboard', () => {
  const panels = allPanels(dashboard.panels).filter((panel) => panel.type !== 'row');

  it('finds metric names in PromQL', () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.95, sum by (le, model) (rate(a_bucket{job=~"$job",x="y"}[$__rate_interval]))) / b * 3600',
      ),
    ).toEqual(['a_bucket', 'b']);
  });

  it('queries, in every panel, only metrics the server exports', () => {
    expect(panels.length).toBeGreaterThan(10);
    for (const panel of panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        const names = metricNamesOf(target.expr);
        expect(names.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
        for (const name of names) expect(exported, `${panel.title}: ${name}`).toContain(name);
      }
    }
    for (const variable of dashboard.templating.list) {
      const query = JSON.stringify(variable.query ?? '');
      for (const match of query.matchAll(/label_values\((\w+)/g))
        expect(exported).toContain(match[1]);
    }
  });

  it('shows every Tollgate metric somewhere', () => {
    const queried = new Set(
      panels.flatMap((panel) =>
        (panel.targets ?? []).flatMap((target) => metricNamesOf(target.expr)),
      ),
    );
    const family = (name: string) => name.replace(/_(bucket|sum|count)$/, '');
    const shown = new Set([...queried].map(family));
    for (const name of families.keys()) {
      if (name.startsWith('tollgate_')) expect(shown, name).toContain(name);
    }
  });

  it('has the panels operators look for', () => {
    const titles = panels.map((panel) => panel.title.toLowerCase()).join('\n');
    for (const topic of [
      'provider health',
      'success rate',
      'cost by organization',
      'cache hit rate',
      'latency quantiles',
      'rate-limited',
      'budget-blocked',
      'ingested events',
      'spool',
    ]) {
      expect(titles).toContain(topic);
    }
  });
});
