// Summarises `perf script` output of a node process run with --perf-basic-prof: on-CPU samples
// (unlike V8's wall-clock profile, a process waiting for a core on a busy machine adds nothing).
// Prints self time by place and the total (inclusive) time of the JavaScript functions on the
// stack, by function and by package.
// Usage: perf script -i perf.data | node bench/gateway/perf-summary.mjs [top=40]
import { createInterface } from 'node:readline';

const top = Number(process.argv[2] ?? 40);
const selfBy = new Map();
const inclusiveBy = new Map();
const packageBy = new Map();
const threadBy = new Map();
let samples = 0;
let stack = [];
let thread = '';
/** The process id: its main thread has the same id. */
const mainPid = process.env.MAIN_PID;

function placeOf(frame) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/:]+)/.exec(frame);
  if (match) return match[1];
  if (frame.includes('/dist/main.js')) return 'tollgate';
  if (frame.includes('node:')) return 'node internals (JS)';
  if (frame.startsWith('JS:')) return 'other JS';
  return 'native';
}

function flush() {
  if (stack.length === 0) return;
  samples++;
  threadBy.set(thread, (threadBy.get(thread) ?? 0) + 1);
  const self = stack[0];
  selfBy.set(self, (selfBy.get(self) ?? 0) + 1);
  const seen = new Set();
  const seenPlace = new Set();
  for (const frame of stack) {
    if (frame.startsWith('JS:') && !seen.has(frame)) {
      seen.add(frame);
      inclusiveBy.set(frame, (inclusiveBy.get(frame) ?? 0) + 1);
    }
  }
  // The sample belongs to the innermost JS frame's package (native code called from it counts there).
  const js = stack.find((frame) => frame.startsWith('JS:'));
  const place = js ? placeOf(js) : 'native (no JS on stack: GC, I/O polling, threads)';
  if (!seenPlace.has(place)) packageBy.set(place, (packageBy.get(place) ?? 0) + 1);
  stack = [];
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === '') {
    flush();
    continue;
  }
  if (/^\S/.test(line)) {
    // The sample's header: "comm [pid/]tid time: ..." (comm may hold spaces).
    const header = /^(.*?)\s+(?:(\d+)\/)?(\d+)\s+[\d.]+:/.exec(line);
    if (header) {
      const [, comm, , tid] = header;
      thread = tid === mainPid ? 'main thread (JavaScript)' : `other threads: ${comm}`;
    }
    continue;
  }
  const match = /^\s+[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$/.exec(line);
  if (!match) continue;
  let symbol = match[1].replace(/\+0x[0-9a-f]+$/, '');
  symbol = symbol.replace(/^JS:[*~^]?/, 'JS:').replace(/^LazyCompile:[*~]?/, 'JS:');
  stack.push(symbol);
}
flush();

const pct = (n) => ((100 * n) / samples).toFixed(1).padStart(5);
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [key, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${pct(n)}%  ${key.slice(0, 160)}`);
};
console.log(`${samples} on-CPU samples`);
print('by thread:', threadBy);
print('by package of the innermost JavaScript frame:', packageBy);
print('self, by symbol:', selfBy);
print('total (self + callees), JavaScript functions:', inclusiveBy);
