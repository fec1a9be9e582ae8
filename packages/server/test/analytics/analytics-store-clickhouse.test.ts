import { ClickHouseDriver } from '../../src/stores/events/clickhouse';
import { startClickHouseHttpEndpoint } from '../helpers/clickhouse-http-endpoint';
import { runAnalyticsStoreContract } from './analytics-store-contract';

runAnalyticsStoreContract({
  create: async () => {
    const endpoint = await startClickHouseHttpEndpoint();
    return { driver: ClickHouseDriver.open({ url: endpoint.url }), cleanup: endpoint.stop };
  },
});
