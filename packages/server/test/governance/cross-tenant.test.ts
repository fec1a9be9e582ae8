/**
 * The cross-tenant matrix (cross-tenant-matrix.ts) on the embedded stores;
 * cross-tenant-postgres.test.ts runs it with the meta store on Postgres.
 */
import { startTestServer } from '../helpers/test-server';
import { crossTenantMatrix } from './cross-tenant-matrix';

crossTenantMatrix(() => startTestServer());
