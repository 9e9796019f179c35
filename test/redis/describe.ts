/** `describeRedis`: Redis suites fail with CI=true when redis-server is missing, and are skipped locally. */
import { describe } from 'vitest';
import { SKIP_REASON } from './server.js';

/** `describe` for suites that need redis-server: skipped locally with the reason when it is missing, run (and failing) in CI. */
export function describeRedis(name: string, body: () => void): void {
  if (SKIP_REASON) describe.skip(`${name} (skipped: ${SKIP_REASON})`, body);
  else describe(name, body);
}
