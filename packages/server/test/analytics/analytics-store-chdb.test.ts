import { ChdbDriver } from '../../src/stores/events/chdb';
import { createTempDir } from '../helpers/temp-dir';
import { runAnalyticsStoreContract } from './analytics-store-contract';

runAnalyticsStoreContract({
  create: async () => {
    const directory = createTempDir('tollgate-analytics-');
    return { driver: ChdbDriver.open(directory.path), cleanup: async () => directory.remove() };
  },
});
