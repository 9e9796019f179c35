/**
 * `repair: true` on the optimizers: each covariance of the stack goes through nearestPsd ('spectral',
 * PyPortfolioOpt fix_nonpositive_semidefinite) first, so the result is the optimizer's on the repaired
 * matrix, bit for bit; a PSD covariance is left as it is; without it a covariance whose negative
 * curvature the solver meets is refused. On the reference and every backend, sync and async.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, type Kernels, matrix } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';

/** Not PSD: the correlations of 1 with 2 and 2 with 3 (0.9) cannot stand with -0.9 between 1 and 3. */
const BAD = matrix(Float64Array.of(1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1), 3, 3);
const GOOD = matrix(Float64Array.of(0.04, 0.006, 0.002, 0.006, 0.09, 0.01, 0.002, 0.01, 0.0625), 3, 3);
const MU = Float64Array.of(0.1, 0.05, 0.07);
const LONG_SHORT = { bounds: { lower: -1, upper: 1 } };

function body(k: Kernels) {
  const fixed = k.nearestPsd(BAD);

  it('a covariance that is not PSD: refused long-short without repair; with it, the optimum on nearestPsd(cov)', async () => {
    expect(() => k.minVariance(BAD, LONG_SHORT)).toThrow(KernelInputError);
    expect(k.minVariance(BAD, { ...LONG_SHORT, repair: true })).toEqual(k.minVariance(fixed, LONG_SHORT));
    expect(await k.minVarianceAsync(BAD, { ...LONG_SHORT, repair: true })).toEqual(k.minVariance(fixed, LONG_SHORT));
    expect(k.maxSharpe(MU, BAD, { repair: true })).toEqual(k.maxSharpe(MU, fixed));
    expect(k.maxUtility(MU, BAD, { repair: true, riskAversion: 3 })).toEqual(k.maxUtility(MU, fixed, { riskAversion: 3 }));
    expect(k.efficientReturn(MU, BAD, 0.08, { repair: true })).toEqual(k.efficientReturn(MU, fixed, 0.08));
    expect(await k.efficientRiskAsync(MU, BAD, 0.7, { repair: true })).toEqual(k.efficientRisk(MU, fixed, 0.7));
    expect(k.efficientFrontier(MU, BAD, { repair: true, points: 5 })).toEqual(k.efficientFrontier(MU, fixed, { points: 5 }));
  });

  it('a PSD covariance is used as it is; in a stack, each matrix is repaired on its own (the PSD one left as it is)', () => {
    expect(k.minVariance(GOOD, { ...LONG_SHORT, repair: true })).toEqual(k.minVariance(GOOD, LONG_SHORT));
    const stack = matrix(Float64Array.from([...GOOD.data, ...BAD.data]), 6, 3);
    const repairedStack = matrix(Float64Array.from([...GOOD.data, ...fixed.data]), 6, 3);
    expect(k.minVariance(stack, { ...LONG_SHORT, repair: true })).toEqual(k.minVariance(repairedStack, LONG_SHORT));
  });

  it('repair other than true or false is a KernelInputError naming options.repair', () => {
    expect(() => k.minVariance(GOOD, { repair: 1 as never })).toThrow('options.repair: expected true or false, got 1');
    expect(() => k.efficientFrontier(MU, GOOD, { repair: 'yes' as never })).toThrow('options.repair: expected true or false, got "yes"');
  });
}

describe('portfolio repair [reference]', () => body(ref));
describeEachBackend('portfolio repair', (k) => body(k), 'portfolio');
