/**
 * The factor risk model's reference: factorCovariance against its definition computed directly (a
 * flat half-life gives the ddof-0 covariance; Newey-West by hand), specificRisk by hand, exposures'
 * layout, riskDecomposition against w'(X F X' + diag(s))w formed densely, Euler sums, bad input.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, kernels, matrix } from '../../src/index.js';
import { expWeights } from '../../src/kernels/factor/factor.js';
import { factorExposures } from '../../src/kernels/factor/factor-model.js';

const ref = kernels({ backend: 'reference' });

function seeded(n: number, seed: number, scale = 0.01): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * scale);
}

const close = (a: number, b: number, tol: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(Math.abs(b), 1e-300));

describe('factorCovariance', () => {
  const T = 40;
  const K = 3;
  const f = matrix(seeded(T * K, 3), T, K);

  it('a flat half-life gives the ddof-0 covariance; the output is symmetric', () => {
    const F = ref.factorCovariance(f, { halfLife: 1e15 });
    const mean = [0, 1, 2].map((k) => f.data.filter((_, i) => i % K === k).reduce((a, b) => a + b, 0) / T);
    for (let a = 0; a < K; a++) {
      for (let b = 0; b < K; b++) {
        let s = 0;
        for (let t = 0; t < T; t++) s += (f.data[t * K + a] - mean[a]) * (f.data[t * K + b] - mean[b]);
        close(F.data[a * K + b], s / T, 1e-12);
        expect(F.data[a * K + b]).toBe(F.data[b * K + a]);
      }
    }
  });

  it('exponential weights by date (a missing date does not shift the decay) and Newey-West by hand', () => {
    const withGap = matrix(
      Float64Array.from(f.data, (v, i) => (Math.floor(i / K) === 7 && i % K === 1 ? NaN : v)),
      T,
      K,
    );
    const w = expWeights(T, 10);
    const rows = [...Array(T).keys()].filter((t) => t !== 7);
    const W = rows.reduce((a, t) => a + w[t], 0);
    const mean = [0, 1, 2].map((k) => rows.reduce((a, t) => a + w[t] * withGap.data[t * K + k], 0) / W);
    const d = (t: number, k: number) => withGap.data[t * K + k] - mean[k];
    const F0 = ref.factorCovariance(withGap, { halfLife: 10 });
    const F2 = ref.factorCovariance(withGap, { halfLife: 10, neweyWestLags: 2 });
    for (let a = 0; a < K; a++) {
      for (let b = 0; b < K; b++) {
        const c0 = rows.reduce((s, t) => s + w[t] * d(t, a) * d(t, b), 0) / W;
        close(F0.data[a * K + b], c0, 1e-12);
        let nw = c0;
        for (const l of [1, 2]) {
          const pairs = rows.filter((t) => t - l >= 0 && t - l !== 7);
          const sw = pairs.reduce((s, t) => s + w[t], 0);
          const cab = pairs.reduce((s, t) => s + w[t] * d(t - l, a) * d(t, b), 0) / sw;
          const cba = pairs.reduce((s, t) => s + w[t] * d(t - l, b) * d(t, a), 0) / sw;
          nw += (1 - l / 3) * (cab + cba);
        }
        close(F2.data[a * K + b], nw, 1e-12);
      }
    }
  });

  it('fewer than two complete dates give NaN', () => {
    expect([...ref.factorCovariance(matrix(Float64Array.of(0.01, NaN, 0.02, 0.03), 2, 2)).data].every(Number.isNaN)).toBe(true);
  });
});

describe('specificRisk', () => {
  it('the weighted mean square of each asset present residuals', () => {
    const e = matrix(Float64Array.of(0.01, NaN, -0.02, 0.03, 0.04, NaN), 3, 2);
    const w = expWeights(3, 2);
    const s = ref.specificRisk(e, { halfLife: 2 });
    close(s[0], (w[0] * 1e-4 + w[1] * 4e-4 + w[2] * 16e-4) / (w[0] + w[1] + w[2]), 1e-14);
    close(s[1], (w[1] * 9e-4) / w[1], 1e-14);
    expect(ref.specificRisk(matrix(Float64Array.of(NaN), 1, 1))[0]).toBeNaN();
  });
});

describe('factorExposures and riskDecomposition', () => {
  const N = 6;
  const sectors = Int32Array.of(0, 0, 1, 1, 2, 2);
  const style = matrix(seeded(2 * N, 9, 2), 2, N);

  it('exposures: market 1, sector one-hot, styles; the latest date by default, or a range', () => {
    const x = factorExposures({ sectors, styles: { beta: style } });
    expect([x.dates, x.assets, x.factors]).toEqual([1, N, 5]);
    expect(x.names).toEqual(['market', 'sector 0', 'sector 1', 'sector 2', 'beta']);
    expect([...x.data.subarray(2 * 5, 3 * 5)]).toEqual([1, 0, 1, 0, style.data[N + 2]]);
    const both = factorExposures(
      { sectors: matrix(Float64Array.of(0, 0, 1, 1, 2, 2, 0, NaN, 1, 1, 2, 2), 2, N), styles: [style] },
      { from: 0, to: 2 },
    );
    expect(both.dates).toBe(2);
    expect([...both.data.subarray((N + 1) * 5, (N + 2) * 5)].slice(0, 4)).toEqual([1, NaN, NaN, NaN]);
  });

  it("the decomposition equals w'(X F X' + diag(s))w formed densely; contributions sum to the factor part", () => {
    const { data: X, factors: K } = factorExposures({ sectors, styles: { beta: style } });
    const A = matrix(seeded(30 * K, 4), 30, K);
    const F = ref.factorCovariance(A, { halfLife: 20 });
    const s = Float64Array.from(seeded(N, 5, 1e-4), (v) => Math.abs(v));
    const W = matrix(seeded(3 * N, 6, 1), 3, N);
    const r = ref.riskDecomposition({ exposures: matrix(X, N, K), factorCov: F, specificVar: s }, W);
    for (let p = 0; p < 3; p++) {
      let total = 0;
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          let c = i === j ? s[i] : 0;
          for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) c += X[i * K + a] * F.data[a * K + b] * X[j * K + b];
          total += W.data[p * N + i] * c * W.data[p * N + j];
        }
      }
      close(r.total[p], total, 1e-12);
      close(r.factor[p] + r.specific[p], r.total[p], 1e-15);
      const sum = [...r.contributions.data.subarray(p * K, (p + 1) * K)].reduce((a, b) => a + b, 0);
      close(sum, r.factor[p], 1e-12);
    }
  });

  it('an asset not held may have missing exposures', () => {
    const X = matrix(Float64Array.of(1, 0.5, 1, NaN), 2, 2);
    const F = matrix(Float64Array.of(1e-4, 0, 0, 4e-4), 2, 2);
    const r = ref.riskDecomposition({ exposures: X, factorCov: F, specificVar: Float64Array.of(1e-4, 1e-4) }, Float64Array.of(1, 0));
    close(r.total, 1e-4 + 0.25 * 4e-4 + 1e-4, 1e-14);
  });

  it('bad input: KernelInputError naming the argument', () => {
    const X = matrix(new Float64Array(4), 2, 2);
    const F = matrix(Float64Array.of(1, 0, 0, 1), 2, 2);
    const cases: [() => unknown, string][] = [
      [
        () =>
          ref.riskDecomposition(
            { exposures: X, factorCov: matrix(new Float64Array(9), 3, 3), specificVar: new Float64Array(2) },
            new Float64Array(2),
          ),
        'model.factorCov: expected 2 x 2 (the factors of model.exposures), got 3 x 3',
      ],
      [
        () => ref.riskDecomposition({ exposures: X, factorCov: F, specificVar: new Float64Array(3) }, new Float64Array(2)),
        'model.specificVar: expected 2 values (the assets of model.exposures), got 3',
      ],
      [
        () => ref.riskDecomposition({ exposures: X, factorCov: F, specificVar: new Float64Array(2) }, new Float64Array(3)),
        'weights: expected 2 (the assets of model.exposures), got 3',
      ],
      [
        () => ref.riskDecomposition({ exposures: X, factorCov: F, specificVar: new Float64Array(2) }, Float64Array.of(1, NaN)),
        'weights: expected finite weights, got weights[0][1] = NaN',
      ],
      [() => ref.factorCovariance(X, { halfLife: 0 }), 'options.halfLife: expected a finite number > 0, got 0'],
      [() => ref.factorCovariance(X, { neweyWestLags: -1 }), 'options.neweyWestLags: expected an integer in [0, 10000], got -1'],
      [() => ref.specificRisk(X, { halfLife: -2 }), 'options.halfLife: expected a finite number > 0, got -2'],
      [() => factorExposures({ sectors, styles: [style] }, { from: 5 }), 'options.from: expected an integer in [0, 1], got 5'],
    ];
    for (const [call, message] of cases) {
      expect(call).toThrow(KernelInputError);
      expect(call).toThrow(message);
    }
  });
});
