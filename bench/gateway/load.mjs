// The load generator of the gateway benchmark, run as its own process so it never shares an
// event loop with what it measures. Usage: node load.mjs '<json options>'
// options: { url, headers, body, connections, durationSeconds, expect }
// Prints one JSON line: requests/s, exact latency percentiles (ms, from every response's own
// duration: autocannon's histogram has 1 ms resolution, too coarse for a loopback gateway),
// errors and non-2xx counts.
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);

let latencies = new Float64Array(1 << 16);
let count = 0;
let non2xx = 0;
let mismatches = 0;

const instance = autocannon({
  url: options.url,
  method: 'POST',
  headers: options.headers,
  body: options.body,
  connections: options.connections,
  pipelining: 1,
  duration: options.durationSeconds,
  timeout: 10,
  ...(options.expect ? { verifyBody: (body) => body.includes(options.expect) } : {}),
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
