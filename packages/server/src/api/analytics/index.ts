import type { FastifyInstance } from 'fastify';
import { analyticsActivityRoutes } from './analytics-activity-routes';
import { analyticsCostRoutes } from './analytics-cost-routes';
import { analyticsFallbackRoutes } from './analytics-fallback-routes';
import { analyticsOverviewRoutes } from './analytics-overview-routes';
import { analyticsPerformanceRoutes } from './analytics-performance-routes';
import { analyticsQualityRoutes } from './analytics-quality-routes';
import { analyticsRecommendationsRoutes } from './analytics-recommendations-routes';
import { analyticsRunsRoutes } from './analytics-runs-routes';
import { chargebackRoutes } from './chargeback-routes';

/** The query API under `/api/v1/analytics/` (scope `read`, tenant-scoped, time-bounded). */
export async function analyticsRoutes(app: FastifyInstance): Promise<void> {
  await app.register(analyticsCostRoutes);
  await app.register(analyticsOverviewRoutes);
  await app.register(analyticsPerformanceRoutes);
  await app.register(analyticsQualityRoutes);
  await app.register(analyticsRunsRoutes);
  await app.register(analyticsActivityRoutes);
  await app.register(analyticsFallbackRoutes);
  await app.register(chargebackRoutes);
  await app.register(analyticsRecommendationsRoutes);
}
