import type { Configuration } from '../config';
import { checkStores, type StoreCheck } from '../stores/check-stores';
import { closeStores, openStores } from '../stores/open-stores';
import { callServer, runningServer, type RemoteOptions } from './running-server';

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

async function storeCheck(configuration: Configuration, options: RemoteOptions) {
  const server = runningServer(configuration.dataDir, options);
  if (server) {
    const response = await callServer(server, 'GET', '/api/v1/admin/system/check');
    return (await response.json()) as StoreCheck;
  }
  const stores = await openStores(configuration, { migrate: false });
  try {
    return await checkStores(stores);
  } finally {
    await closeStores(stores);
  }
}

/** `tollgate check`: every table of the event store, and whether the other stores answer. */
export async function checkCommand(
  configuration: Configuration,
  options: RemoteOptions = {},
): Promise<void> {
  const check = await storeCheck(configuration, options);
  console.log(`event store: ${check.events.kind}`);
  console.log(
    ['table'.padEnd(28), 'engine'.padEnd(34), 'rows'.padStart(12), 'on disk'.padStart(12)].join(
      ' ',
    ),
  );
  for (const table of check.events.tables) {
    console.log(
      [
        table.name.padEnd(28),
        (table.missing ? 'MISSING' : table.engine).padEnd(34),
        String(table.rows).padStart(12),
        formatBytes(table.bytes_on_disk).padStart(12),
      ].join(' '),
    );
  }
  console.log(`meta store: ${check.meta.kind} reachable`);
  console.log(`hot state: ${check.hot.kind} reachable`);
  const missing = check.events.tables.filter((table) => table.missing);
  if (missing.length > 0) {
    console.error(
      `missing tables: ${missing.map((table) => table.name).join(', ')} (run "tollgate migrate")`,
    );
    process.exitCode = 1;
  }
}
