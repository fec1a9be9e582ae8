import { ChdbDriver } from '../../../src/stores/events/chdb';
import { createTempDir } from '../../helpers/temp-dir';
import { runEventStoreContract } from './event-store-contract';

runEventStoreContract({
  create: async () => {
    const directory = createTempDir('tollgate-chdb-');
    return { driver: ChdbDriver.open(directory.path), cleanup: async () => directory.remove() };
  },
});
