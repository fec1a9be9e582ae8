// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time,
// and self time grouped by where the code lives (a package under node_modules, node's own
// internals, Tollgate's bundle, native/GC).
// Usage: node bench/gateway/profile-summary.mjs <file.cpuprofile> [top=30] [skip-seconds=0]
import { readFileSync } from 'node:fs';

const [file, topArg, skipArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));

// Self time per node: samples are node ids, timeDeltas the time before each sample. Samples in
// the first `skip` seconds (start-up) can be left out.
const skipMicros = Number(skipArg ?? 0) * 1e6;
const selfMicros = new Map();
let elapsed = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  const delta = profile.timeDeltas[i] ?? 0;
  elapsed += delta;
  if (elapsed < skipMicros) continue;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
}
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

function whereOf(url) {
  if (!url) return '(native / vm)';
  if (url.startsWith('node:')) return 'node internals';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  if (url.includes('/dist/main.js')) return 'tollgate bundle';
  return url.replace(/^file:\/\//, '');
}

const parentOf = new Map();
const nodeById = new Map();
for (const node of profile.nodes) {
  nodeById.set(node.id, node);
  for (const child of node.children ?? []) parentOf.set(child, node.id);
}
const label = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url ? `${url.replace(/^.*\/(node_modules\/)?/, '')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'}  ${short}`;
};
// For each function: which callers its self time came through (two frames up).
const callers = new Map();

const byFunction = new Map();
const byPlace = new Map();
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  if (micros === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  const short = url ? `${url.replace(/^.*\/(node_modules\/)?/, '')}:${lineNumber + 1}` : '';
  const key = `${name}  ${short}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const chain = [];
  for (let id = parentOf.get(node.id); id !== undefined && chain.length < 3; id = parentOf.get(id))
    chain.push(label(nodeById.get(id)));
  const perCaller = callers.get(key) ?? new Map();
  const via = chain.join(' < ');
  perCaller.set(via, (perCaller.get(via) ?? 0) + micros);
  callers.set(key, perCaller);
  const place = ['(idle)', '(program)', '(garbage collector)'].includes(name) ? name : whereOf(url);
  byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
}

const pct = (micros) => ((100 * micros) / total).toFixed(1).padStart(5);
const busy = total - (byPlace.get('(idle)') ?? 0);
console.log(`profile: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy`);
console.log('\nself time by place:');
for (const [place, micros] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, 20))
  console.log(`  ${pct(micros)}%  ${(micros / 1e3).toFixed(0).padStart(7)} ms  ${place}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [key, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`  ${pct(micros)}%  ${(micros / 1e3).toFixed(0).padStart(7)} ms  ${key}`);
// Inclusive (total) time of the functions in Tollgate's bundle: a sample counts once for each
// distinct bundle function on its stack.
const inclusive = new Map();
for (const [id, micros] of selfMicros) {
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) {
    const node = nodeById.get(at);
    if (!node.callFrame.url.includes('/dist/main.js')) continue;
    const key = label(node);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
  }
}
console.log(`\ntop ${top} Tollgate functions by total time (self + callees):`);
for (const [key, micros] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`  ${pct(micros)}%  ${(micros / 1e3).toFixed(0).padStart(7)} ms  ${key}`);

const withCallers = Number(process.env.CALLERS ?? 0);
if (withCallers > 0) {
  console.log(`\ncallers of the top ${withCallers} (three frames up):`);
  for (const [key] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, withCallers)) {
    console.log(`  ${key}`);
    const perCaller = [...callers.get(key)].sort((a, b) => b[1] - a[1]).slice(0, 3);
    for (const [via, micros] of perCaller) console.log(`      ${pct(micros)}%  < ${via}`);
  }
}
