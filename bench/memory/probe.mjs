// Loaded into the Tollgate server by the memory soak (`node --import probe.mjs main.js serve`):
// every BENCH_PROBE_MS milliseconds it appends one JSON line to BENCH_PROBE_FILE with what only
// the process itself can see: V8's heap (process.memoryUsage, v8.getHeapStatistics) and the
// embedded chDB engine's own accounting (system.metrics MemoryTracking, jemalloc's totals,
// the parts of the event tables), read through the server's own chDB session. It changes
// nothing in the server: it wraps three Session methods to learn the session, and its queries
// (a few per interval) run beside the server's.
// On SIGUSR2 it runs a full garbage collection first and marks its line `afterFullGc`: the heap
// that is still live, as opposed to garbage V8 has not collected yet.
import { appendFileSync } from 'node:fs';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Session } from 'chdb';

const file = process.env.BENCH_PROBE_FILE;
const intervalMs = Number(process.env.BENCH_PROBE_MS ?? 10_000);

let session;
const remember = (used) => (session ??= used);
for (const method of ['queryAsync', 'queryBindAsync', 'insert']) {
  const original = Session.prototype[method];
  Session.prototype[method] = function (...args) {
    remember(this);
    return original.apply(this, args);
  };
}

const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function rows(sql) {
  const result = await session.queryAsync(sql, { format: 'JSONEachRow' });
  return result
    .text()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** "Allocated: 1, active: 2, metadata: 3 (n_thp 0), resident: 4, mapped: 5, retained: 6" */
function jemallocTotals(stats) {
  const line =
    /Allocated: (\d+), active: (\d+), metadata: (\d+).*?resident: (\d+), mapped: (\d+), retained: (\d+)/.exec(
      stats,
    );
  if (!line) return undefined;
  const [, allocated, active, metadata, resident, mapped, retained] = line.map(Number);
  return {
    allocatedMB: mb(allocated),
    activeMB: mb(active),
    metadataMB: mb(metadata),
    residentMB: mb(resident),
    mappedMB: mb(mapped),
    retainedMB: mb(retained),
  };
}

async function chdbMemory() {
  if (!session) return undefined;
  try {
    const metrics = await rows(
      "SELECT metric, value FROM system.metrics WHERE metric IN ('MemoryTracking', 'MergesMutationsMemoryTracking', 'MarkCacheBytes', 'UncompressedCacheBytes', 'PrimaryIndexCacheBytes', 'QueryCacheBytes', 'PageCacheBytes') ORDER BY metric",
    );
    const [parts] = await rows(
      "SELECT count() AS active_parts, sum(rows) AS rows, sum(primary_key_bytes_in_memory_allocated) AS pk_bytes, sum(bytes_on_disk) AS disk_bytes FROM system.parts WHERE active AND database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema')",
    );
    const [jemalloc] = await rows('SELECT stats FROM system.jemalloc_stats');
    return {
      ...Object.fromEntries(metrics.map((row) => [`${row.metric}MB`, mb(Number(row.value))])),
      activeParts: Number(parts?.active_parts ?? 0),
      rows: Number(parts?.rows ?? 0),
      primaryKeyMB: mb(Number(parts?.pk_bytes ?? 0)),
      diskMB: mb(Number(parts?.disk_bytes ?? 0)),
      jemalloc: jemalloc ? jemallocTotals(String(jemalloc.stats)) : undefined,
    };
  } catch (error) {
    return { error: String(error?.message ?? error).slice(0, 300) };
  }
}

async function sample(extra = {}) {
  const usage = process.memoryUsage();
  const heap = getHeapStatistics();
  const line = {
    at: Date.now(),
    rssMB: mb(usage.rss),
    heapUsedMB: mb(usage.heapUsed),
    heapTotalMB: mb(usage.heapTotal),
    heapPhysicalMB: mb(heap.total_physical_size),
    externalMB: mb(usage.external),
    arrayBuffersMB: mb(usage.arrayBuffers),
    mallocedMB: mb(heap.malloced_memory),
    chdb: await chdbMemory(),
    ...extra,
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

if (file) {
  let busy = false;
  setInterval(() => {
    if (busy) return;
    busy = true;
    sample().finally(() => (busy = false));
  }, intervalMs).unref();
  process.on('SIGUSR2', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc');
    gc();
    gc();
    void sample({ afterFullGc: true });
  });
}
