/**
 * resolveConstraints' shared defaults (src/kernels/portfolio/portfolio.ts defaultConstraints): a call
 * that gives no constraint gets the arrays resolved once per N; any constraint option given is
 * resolved (or refused) from what it says. The fast path names the options one by one: this holds it
 * to CONSTRAINT_OPTIONS, so that a constraint added there cannot be ignored by it.
 */
import { expect, it } from 'vitest';
import { CONSTRAINT_OPTIONS, resolveConstraints } from '../../src/kernels/portfolio/portfolio.js';

const N = 4;

it('no constraint given: the shared defaults; any constraint option given: resolved from it (or refused)', () => {
  const defaults = resolveConstraints(undefined, N);
  expect(resolveConstraints({}, N)).toBe(defaults);
  // the PSD guard's flags are not constraints
  expect(resolveConstraints({ repair: true, assumePsd: true }, N)).toBe(defaults);
  const constraints = CONSTRAINT_OPTIONS.filter((key) => key !== 'repair' && key !== 'assumePsd');
  expect(constraints).toHaveLength(7);
  for (const key of constraints) {
    // 1 is the default budget and a bad value for the others: either way not the shared defaults
    let resolved: unknown;
    try {
      resolved = resolveConstraints({ [key]: 1 }, N);
    } catch {
      continue; // refused: read, not ignored
    }
    expect(resolved, key).not.toBe(defaults);
  }
});
