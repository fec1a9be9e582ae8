import type { Configuration } from '../config';
import { closeStores, openStores } from '../stores/open-stores';

export async function migrateCommand(configuration: Configuration): Promise<void> {
  const stores = await openStores(configuration, { migrate: false });
  try {
    const events = await stores.events.migrate();
    console.log(
      `event store (${stores.events.kind}): schema version ${events.from} -> ${events.to}`,
    );
    await stores.meta.migrate();
    console.log(`meta store (${stores.meta.kind}): migrations applied`);
    console.log(`hot state (${stores.hot.kind}): no schema`);
  } finally {
    await closeStores(stores);
  }
}
