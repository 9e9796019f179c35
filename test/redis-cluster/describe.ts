/** `describeCluster`: the Redis Cluster suites need redis-server and redis-cli; with CI=true they run (and fail without them), locally they are skipped with the reason. */
import { describe } from 'vitest';
import { REDIS_CLI } from '../../tools/redis-cluster.js';
import { REDIS_SERVER } from '../../tools/redis-server.js';

/** Why the cluster suites are skipped (undefined when they run). With CI=true they always run. */
export const SKIP_REASON =
  (REDIS_SERVER && REDIS_CLI) || process.env.CI === 'true' ? undefined : 'redis-server and redis-cli not found on PATH (install them: apt-get install -y redis-server)';

/** `describe` for suites that start a Redis Cluster: skipped locally with the reason when redis-server or redis-cli is missing, run (and failing) in CI. */
export function describeCluster(name: string, body: () => void): void {
  if (SKIP_REASON) describe.skip(`${name} (skipped: ${SKIP_REASON})`, body);
  else describe(name, body);
}
