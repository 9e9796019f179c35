/**
 * riskContributions: each asset's part of the volatility of given weights (the Euler decomposition),
 * against hand-derived values, the identities it must meet (contributions sum to portfolioVolatility's
 * sigma, shares to 1), one portfolio against a batch's row, the labels, and bad input on every backend.
 * Its parity on random inputs is the sampled suite's (test/api/sampled.test.ts), its fuzzing the
 * generated case (native/fuzz/generated/risk_fuzz.hpp).
 */
import { describe, expect, it } from 'vitest';
import { type Kernels, matrix } from '../../src/index.js';
import { describeEachBackend, ref, type Supports } from '../helpers/backends.js';

const cov = matrix(Float64Array.of(0.04, 0.006, 0.002, 0.006, 0.09, -0.01, 0.002, -0.01, 0.0225), 3, 3, { columns: ['A', 'B', 'C'] });
const w = Float64Array.of(0.5, 0.3, 0.2);

describe('riskContributions (reference)', () => {
  it("gives w_i (S w)_i / sigma and / w'Sw, computed by hand", () => {
    // S w = (0.0222, 0.028, 0.0025), w'Sw = 0.0111 + 0.0084 + 0.0005 = 0.02
    const r = ref.riskContributions(cov, w);
    const sigma = Math.sqrt(0.02);
    expect(r.volatility).toBeCloseTo(sigma, 15);
    expect(Array.from(r.contributions)).toEqual([0.0111, 0.0084, 0.0005].map((x) => expect.closeTo(x / sigma, 14)));
    expect(Array.from(r.shares).map((x) => Number(x.toFixed(12)))).toEqual([0.555, 0.42, 0.025]);
  });

  it('contributions sum to portfolioVolatility, shares to 1; an asset of weight 0 contributes 0', () => {
    const weights = matrix(Float64Array.of(0.5, 0.3, 0.2, 1, 0, -0.4, 0, 0, 1), 3, 3);
    const r = ref.riskContributions(cov, weights);
    const vol = ref.portfolioVolatility(cov, weights);
    for (let p = 0; p < 3; p++) {
      const row = (m: { data: Float64Array }) => Array.from(m.data.subarray(p * 3, p * 3 + 3));
      expect(r.volatility[p]).toBe(vol[p]);
      expect(row(r.contributions).reduce((a, b) => a + b, 0)).toBeCloseTo(vol[p], 15);
      expect(row(r.shares).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    }
    expect(r.contributions.data[4]).toBe(0);
    expect(r.shares.data[6]).toBe(0);
  });

  it("labels the assets by cov's names; one portfolio equals row 0 of the batch", () => {
    const one = ref.riskContributions(cov, w);
    expect(one.contributions.index).toBe(cov.columns);
    const batch = ref.riskContributions(cov, matrix(Float64Array.of(...w, 1, 1, 1), 2, 3));
    expect(batch.contributions.columns).toBe(cov.columns);
    expect(one.volatility).toBe(batch.volatility[0]);
    expect(Array.from(one.shares)).toEqual(Array.from(batch.shares.data.subarray(0, 3)));
  });
});

describeEachBackend(
  'riskContributions',
  (k: Kernels, _name, supports: Supports) => {
    it.runIf(supports('riskContributions'))("equals the reference, and refuses bad input with the reference's message", () => {
      const r = k.riskContributions(cov, w);
      const e = ref.riskContributions(cov, w);
      expect(r.volatility).toBeCloseTo(e.volatility, 14);
      r.contributions.forEach((x, i) => expect(x).toBeCloseTo(e.contributions[i], 14));
      const message = (kernels: Kernels, weights: unknown, c = cov) => {
        try {
          kernels.riskContributions(c, weights as Float64Array);
        } catch (e) {
          return (e as Error).message;
        }
        return 'no error';
      };
      const bad: [unknown, string, typeof cov?][] = [
        [Float64Array.of(1, 2), 'weights: expected 3 (the size of cov), got 2'],
        [Float64Array.of(1, Number.NaN, 0), 'weights'],
        [Float64Array.of(1, Number.POSITIVE_INFINITY, 0), 'weights'],
        ['w', 'weights'],
        [w, 'cov', matrix(new Float64Array(6), 2, 3)],
      ];
      for (const [weights, fragment, c] of bad) {
        expect(message(k, weights, c)).toBe(message(ref, weights, c));
        expect(message(k, weights, c)).toContain(fragment);
      }
    });
  },
  'risk',
);
