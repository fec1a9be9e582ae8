import { connectionOf, getDefaultTollgate, type Tollgate } from '../exporter/create-tollgate';
import { describeError } from '../runtime/warn';

export interface FeatureFlagOptions {
  /** The app's user, for per-user overrides. */
  userId?: string;
  /** The answer when the server cannot give one (unreachable, unknown flag); default false. */
  fallback?: boolean;
  /** The client whose server and project key are asked; default the default client. */
  tollgate?: Tollgate;
  /** Default 2 000. */
  timeoutMs?: number;
}

/**
 * Whether a feature flag is on for the client's project (and `userId`), as
 * `GET /api/v1/flags/:name` answers. Never throws: when the server cannot
 * answer, it warns and returns `fallback`, so a flag never breaks the app.
 */
export async function isFeatureEnabled(
  name: string,
  options: FeatureFlagOptions = {},
): Promise<boolean> {
  const fallback = options.fallback ?? false;
  const tollgate = options.tollgate ?? getDefaultTollgate();
  const connection = tollgate && connectionOf(tollgate);
  if (!connection) return fallback;
  const query = options.userId ? `?user_id=${encodeURIComponent(options.userId)}` : '';
  try {
    const response = await connection.fetch(
      `${connection.baseUrl}/api/v1/flags/${encodeURIComponent(name)}${query}`,
      {
        headers: { authorization: `Bearer ${connection.apiKey}` },
        signal: AbortSignal.timeout(options.timeoutMs ?? 2_000),
      },
    );
    if (!response.ok) {
      connection.warn(`flag ${name}: the server answered ${response.status}; using ${fallback}`);
      return fallback;
    }
    const answer = (await response.json()) as { enabled?: unknown };
    return typeof answer.enabled === 'boolean' ? answer.enabled : fallback;
  } catch (error) {
    connection.warn(`flag ${name}: ${describeError(error)}; using ${fallback}`);
    return fallback;
  }
}
