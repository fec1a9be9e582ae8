// The load generator of the gateway benchmark, run as its own process so it never shares an
// event loop with what it measures. Usage: node load.mjs '<json options>'
// options: { url, headers, body, connections, durationSeconds, expect }, and optionally:
//   bodies: [body, ...] instead of body: every connection sends them in turn;
//   expect: a list instead of one string: a body passes if it holds any of them;
//   overallRate: requests per second over all connections (autocannon's, a fixed rate);
//   progressSeconds: also print {"progress":{seconds,ok,non2xx,mismatches,errors}} lines
//   (running totals) that often.
// Prints one JSON line: requests/s, exact latency percentiles (ms, from every response's own
// duration: autocannon's histogram has 1 ms resolution, too coarse for a loopback gateway),
// errors and non-2xx counts.
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);
const expected = [options.expect ?? []].flat();

let latencies = new Float64Array(1 << 16);
let count = 0;
let non2xx = 0;
let mismatches = 0;

const instance = autocannon({
  url: options.url,
  method: 'POST',
  headers: options.headers,
  ...(options.bodies
    ? { requests: options.bodies.map((body) => ({ method: 'POST', body })) }
    : { body: options.body }),
  ...(options.overallRate ? { overallRate: options.overallRate } : {}),
  connections: options.connections,
  pipelining: 1,
  duration: options.durationSeconds,
  timeout: 10,
  ...(options.expect ? { verifyBody: (body) => expected.some((e) => body.includes(e)) } : {}),
});

instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  if (statusCode < 200 || statusCode >= 300) {
    non2xx++;
    return;
  }
  if (count === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[count++] = responseTime;
});
instance.on('mismatch', () => mismatches++);
const errorKinds = {};
instance.on('reqError', (error) => {
  const kind = error?.code ?? error?.message ?? String(error);
  errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
});

let requestErrors = 0;
instance.on('reqError', () => requestErrors++);
if (options.progressSeconds) {
  const startedAt = performance.now();
  const progress = setInterval(() => {
    const seconds = (performance.now() - startedAt) / 1000;
    process.stdout.write(
      `${JSON.stringify({ progress: { seconds, ok: count, non2xx, mismatches, errors: requestErrors } })}\n`,
    );
  }, options.progressSeconds * 1000);
  instance.on('done', () => clearInterval(progress));
}

instance.on('done', (result) => {
  const sorted = latencies.subarray(0, count).sort();
  const percentile = (p) =>
    count === 0 ? null : sorted[Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1))];
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i];
  const seconds = result.duration;
  process.stdout.write(
    `${JSON.stringify({
      connections: options.connections,
      durationSeconds: seconds,
      ok: count,
      requestsPerSecond: count / seconds,
      latencyMs: {
        mean: count ? sum / count : null,
        p50: percentile(50),
        p90: percentile(90),
        p99: percentile(99),
        p999: percentile(99.9),
        max: count ? sorted[count - 1] : null,
      },
      non2xx,
      mismatches,
      errors: result.errors,
      errorKinds,
      timeouts: result.timeouts,
      bytesPerSecond: result.throughput.average,
    })}\n`,
  );
});
