import type { Configuration } from '../config';
import { closeStores, openStores } from '../stores/open-stores';

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

export async function checkCommand(configuration: Configuration): Promise<void> {
  const stores = await openStores(configuration, { migrate: false });
  try {
    const tables = await stores.events.checkTables();
    console.log(`event store: ${stores.events.kind}`);
    console.log(
      ['table'.padEnd(28), 'engine'.padEnd(34), 'rows'.padStart(12), 'on disk'.padStart(12)].join(
        ' ',
      ),
    );
    for (const table of tables) {
      console.log(
        [
          table.name.padEnd(28),
          (table.missing ? 'MISSING' : table.engine).padEnd(34),
          String(table.rows).padStart(12),
          formatBytes(table.bytesOnDisk).padStart(12),
        ].join(' '),
      );
    }
    await stores.meta.ping();
    console.log(`meta store: ${stores.meta.kind} reachable`);
    await stores.hot.ping();
    console.log(`hot state: ${stores.hot.kind} reachable`);
    const missing = tables.filter((table) => table.missing);
    if (missing.length > 0) {
      console.error(
        `missing tables: ${missing.map((table) => table.name).join(', ')} (run "tollgate migrate")`,
      );
      process.exitCode = 1;
    }
  } finally {
    await closeStores(stores);
  }
}
