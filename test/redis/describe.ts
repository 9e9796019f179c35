/** `describeRedis`: Redis suites fail with CI=true when redis-server is missing, and are skipped locally. */
import { describe } from 'vitest';
import { REDIS_SERVER } from '../../tools/redis-server.js';

/** Why the Redis suites are skipped (undefined when they run). With CI=true they always run (and fail without redis-server). */
export const SKIP_REASON =
  REDIS_SERVER || process.env.CI === 'true' ? undefined : 'redis-server not found on PATH (install it: apt-get install -y redis-server)';

/** `describe` for suites that need redis-server: skipped locally with the reason when it is missing, run (and failing) in CI. */
export function describeRedis(name: string, body: () => void): void {
  if (SKIP_REASON) describe.skip(`${name} (skipped: ${SKIP_REASON})`, body);
  else describe(name, body);
}
