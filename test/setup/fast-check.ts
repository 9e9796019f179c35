/**
 * fast-check's seed for every property of the suite (vitest setupFiles): a fixed one, so that a commit's
 * `npm test` (and CI's) checks the same inputs every run and its verdict is a function of the commit.
 * KERNELBUS_FC_SEED overrides it; KERNELBUS_EXPLORE=1 (`npm run test:explore`) draws a random seed per
 * file instead, to search new inputs by hand. A failure prints its seed and path (fast-check's report):
 * KERNELBUS_FC_SEED=<seed> reruns it, and the find becomes a test of its own with its fix.
 */
import fc from 'fast-check';

export const DEFAULT_FC_SEED = 20261127;

/** The seed this process uses: KERNELBUS_FC_SEED, else random when exploring, else DEFAULT_FC_SEED. */
export function fastCheckSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.KERNELBUS_FC_SEED;
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed)) throw new Error(`KERNELBUS_FC_SEED: expected an integer, got '${given}'`);
    return seed | 0;
  }
  return env.KERNELBUS_EXPLORE === '1' ? (Math.random() * 2 ** 32) | 0 : DEFAULT_FC_SEED;
}

fc.configureGlobal({ seed: fastCheckSeed() });
