/**
 * What the Metal backend does beyond the parity suites' random inputs, on the shaders compiled as C++
 * ('metal-cpu', everywhere) and, where the machine has a Metal device (a Mac, or the paravirtual
 * device of a hosted CI runner, which the 'metal' backend itself is not offered on), on that GPU: the
 * smoke and parity test of the GPU. Inputs the float shaders only handle because the host scales them
 * (huge and tiny magnitudes, assets of very different scales), Student's t with heavy tails beyond
 * float's range, Monte Carlo paths in several chunks, realistic panels held to tight tolerances,
 * empty and one-element inputs, subarray and SharedArrayBuffer views, the promise variants. Tolerances
 * are BACKEND_RTOL's (test/helpers/compare.ts) against the scales stated there.
 */
import { describe, expect, it } from 'vitest';
import { metalBackend } from '../../src/backends/metal/index.js';
import { loadNative, type MetalBinding, type NativeBinding } from '../../src/backends/native/binding.js';
import { registerBackend } from '../../src/backends/registry.js';
import { backends, kernels, matrix, type Kernels, type Matrix, type TimeBars } from '../../src/index.js';
import { ref } from '../helpers/backends.js';
import { expectColumnsClose, tolerance } from '../helpers/compare.js';
import { asViews, walk } from '../helpers/trades.js';

const loaded = loadNative();
const binding = loaded.binding as (NativeBinding & MetalBinding) | undefined;

// The GPU, whatever its kind (a paravirtual device runs the shaders too): registered under its own name.
const device = binding?.metalDevice();
if (binding && device?.ready) {
  registerBackend({ name: 'metal-device', expected: false, load: () => ({ backend: metalBackend(binding, 'metal-device', 'metal') }) });
}

const targets = backends()
  .filter((b) => (b.name as string) === 'metal-cpu' || (b.name as string) === 'metal-device')
  .map((b) => b.name as string);

/** A seeded uniform stream in [0, 1). */
function uniforms(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** A positive definite n x n correlation-like matrix scaled by D = diag(scale(i)): D C D. */
function scaledCov(n: number, scale: (i: number) => number, seed = 1): Matrix {
  const u = uniforms(seed);
  const rows = n + 3;
  const x = Float64Array.from({ length: rows * n }, () => u() - 0.5);
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < rows; t++) s += x[t * n + i] * x[t * n + j];
      c[i * n + j] = (s / rows + (i === j ? 0.05 : 0)) * scale(i) * scale(j);
    }
  }
  return matrix(c, n, n);
}

/** |w|'|S||w| per portfolio: the scale of w'Sw's rounding. */
function absoluteVariance(cov: Matrix, w: Matrix): Float64Array {
  const n = cov.cols;
  return Float64Array.from({ length: w.rows }, (_, p) => {
    let q = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q += Math.abs(w.data[p * n + i] * cov.data[i * n + j] * w.data[p * n + j]);
    return q;
  });
}

describe('the GPU (where this machine has a Metal device)', () => {
  it.runIf(process.env.METAL_REQUIRED === '1')(
    "is there and offered as 'metal' (METAL_REQUIRED=1: a self-hosted Apple-silicon runner)",
    () => {
      expect(backends().find((b) => b.name === 'metal')).toMatchObject({ available: true });
    },
  );

  it.runIf(device?.built && device.name !== '')(
    "the embedded shaders compile on the device and every pipeline builds (a hosted runner's paravirtual one too)",
    () => {
      expect(device!.ready, device!.reason).toBe(true);
    },
  );
});

for (const name of targets) {
  describe(`metal shaders [${name}]`, () => {
    const k: Kernels = kernels({ backend: name as never });

    it('bulkClassify: huge and tiny magnitudes, heavy tails beyond float range, NaN sigma, empty and one bar, views', () => {
      const bars = (open: number[], close: number[], volume: number[]): TimeBars => ({
        start: Float64Array.from(open, (_, i) => i),
        open: Float64Array.from(open),
        close: Float64Array.from(close),
        volume: Float64Array.from(volume),
        count: Float64Array.from(open, () => 1),
      });
      const u = uniforms(3);
      const n = 300;
      const cases: [TimeBars, Parameters<Kernels['bulkClassify']>[1]][] = [];
      for (const [price, step, volume] of [
        [100, 1, 10],
        [1e150, 1e148, 1e200],
        [1e-150, 1e-152, 1e-200],
      ]) {
        const open = Array.from({ length: n }, () => price + step * (u() - 0.5));
        const close = open.map((o) => o + step * (u() - 0.5));
        const vol = open.map(() => volume * u());
        const b = bars(open, close, vol);
        cases.push(
          [b, {}],
          [b, { sigma: { rolling: 7 }, distribution: { studentT: 3 } }],
          [b, { sigma: { ewma: 0.9 }, priceChange: 'intra' }],
          [b, { distribution: { studentT: 0.05 } }],
          [b, { distribution: { studentT: 1e6 } }],
        );
        // a fixed sigma far below the changes: |z| beyond float's range (1e30); Student's t is not 0 or 1 there
        cases.push([b, { sigma: step * 1e-40, distribution: { studentT: 0.3 } }], [b, { sigma: step * 1e-40 }]);
      }
      cases.push([bars([5, 5, 5], [5, 5, 5], [1, 2, 3]), {}], [bars([], [], []), {}], [bars([7], [8], [4]), { sigma: 2 }]);
      for (const [b, options] of cases) {
        const expected = ref.bulkClassify(b, options);
        expectColumnsClose({ buy: k.bulkClassify(b, options) }, { buy: expected }, { buy: b.volume }, tolerance(name, 'bulkClassify'));
      }
      const walked = ref.timeBars(walk(3000, 5), { barMs: 1000 });
      for (const shared of [false, true]) {
        const v = asViews({ ts: walked.open, price: walked.close, volume: walked.volume }, shared);
        const views = { ...walked, open: v.ts, close: v.price, volume: v.volume };
        expectColumnsClose(
          { buy: k.bulkClassify(views) },
          { buy: ref.bulkClassify(walked) },
          { buy: walked.volume },
          tolerance(name, 'bulkClassify'),
        );
      }
    });

    it('portfolioVolatility: assets of scales from 1e-150 to 1e150, weights likewise, empty portfolios; a matrix not semi-definite', () => {
      const n = 24;
      const u = uniforms(11);
      for (const scale of [(i: number) => 10 ** (-150 + (300 * i) / (n - 1)), () => 1e-150, () => 1e150, (i: number) => 0.01 * (1 + i)]) {
        const cov = scaledCov(n, scale, 7);
        const w = matrix(
          Float64Array.from({ length: 30 * n }, (_, x) => (x % 7 === 0 ? 0 : (u() - 0.3) / scale(x % n))),
          30,
          n,
        );
        const square = (v: Float64Array) => v.map((x) => (Number.isNaN(x) ? 0 : x * x));
        expectColumnsClose(
          { variance: square(k.portfolioVolatility(cov, w)) },
          { variance: square(ref.portfolioVolatility(cov, w)) },
          { variance: absoluteVariance(cov, w) },
          tolerance(name, 'portfolioVolatility'),
        );
      }
      // an asset with no variance but covariances (not semi-definite): its portfolios in double precision
      const bad = matrix(Float64Array.of(1, 0.5, 0, 0.5, 0, 0.2, 0, 0.2, 2), 3, 3);
      const w = matrix(Float64Array.of(1, 1, 1, 1, 0, 1, 0, 0, 0), 3, 3);
      expect(Array.from(k.portfolioVolatility(bad, w))).toEqual(Array.from(ref.portfolioVolatility(bad, w)));
      expect(k.portfolioVolatility(matrix(new Float64Array(0), 0, 0), matrix(new Float64Array(0), 0, 0)).length).toBe(0);
    });

    it('monteCarloVar over several chunks of paths (15,000 paths of 600 assets), normal and Student t', () => {
      const n = 600;
      const cov = scaledCov(n, (i) => 0.01 * (1 + (i % 5)), 5);
      const mean = Float64Array.from({ length: n }, (_, i) => 1e-4 * ((i % 3) - 1));
      const w = matrix(
        Float64Array.from({ length: 2 * n }, (_, x) => ((x * 7919) % 101) / 5050 - 0.005),
        2,
        n,
      );
      const sd = Float64Array.from({ length: n }, (_, i) => Math.sqrt(cov.data[i * n + i]));
      const scale = Float64Array.from({ length: 2 }, (_, p) =>
        w.data.subarray(p * n, (p + 1) * n).reduce((s, x, i) => s + Math.abs(x) * sd[i], 0),
      );
      for (const distribution of ['normal' as const, { studentT: 5 }]) {
        const o = { paths: 15_000, seed: 2 ** 40 + 3, confidence: 0.99, distribution };
        const a = k.monteCarloVar({ mean, cov }, w, o);
        const e = ref.monteCarloVar({ mean, cov }, w, o);
        expectColumnsClose({ var: a.var, es: a.es }, { var: e.var, es: e.es }, { var: scale, es: scale }, tolerance(name, 'monteCarloVar'));
      }
    });

    it('monteCarloScenarios: assets of scales 1e-200 and 1e200, one path, one asset', () => {
      const n = 6;
      for (const cov of [scaledCov(n, (i) => (i % 2 ? 1e-100 : 1e100), 3), scaledCov(1, () => 0.02, 4)]) {
        const m = cov.cols;
        const mean = Float64Array.from({ length: m }, (_, i) => 0.1 * Math.sqrt(cov.data[i * m + i]));
        for (const paths of [1, 777]) {
          const o = { paths, seed: 9, horizon: 10, distribution: { studentT: 4 } };
          const expected = ref.monteCarloScenarios({ mean, cov }, o).data;
          const scale = Float64Array.from(expected, (_, x) => Math.abs(expected[x]) + Math.sqrt(10 * cov.data[(x % m) * (m + 1)]));
          expectColumnsClose(
            { x: k.monteCarloScenarios({ mean, cov }, o).data },
            { x: expected },
            { x: scale },
            tolerance(name, 'monteCarloScenarios'),
          );
        }
      }
    });

    /** Fitted values (returns minus residuals) and residuals within `rtol` of each date's largest |return|. */
    function expectSameRegression(
      input: Parameters<Kernels['factorReturns']>[0],
      rtol: number,
      options: Parameters<Kernels['factorReturns']>[1] = {},
    ) {
      const a = k.factorReturns(input, options);
      const e = ref.factorReturns(input, options);
      const { rows: T, cols: N } = input.returns;
      const scale = new Float64Array(T * N);
      for (let t = 0; t < T; t++) {
        let largest = 0;
        for (let c = 0; c < N; c++)
          if (Number.isFinite(input.returns.data[t * N + c])) largest = Math.max(largest, Math.abs(input.returns.data[t * N + c]));
        scale.fill(largest, t * N, (t + 1) * N);
      }
      expectColumnsClose({ resid: a.residuals.data }, { resid: e.residuals.data }, { resid: scale }, rtol);
      expect(Array.from(a.factorReturns.data, Number.isNaN)).toEqual(Array.from(e.factorReturns.data, Number.isNaN));
      return { a, e };
    }

    it('factorReturns: a realistic panel within 1e-5, its factor returns within 1e-5 of the largest; both options', () => {
      const T = 30;
      const N = 300;
      const u = uniforms(21);
      const returns = matrix(
        Float64Array.from({ length: T * N }, (_, i) => (i % 97 === 5 ? NaN : 0.04 * (u() - 0.5))),
        T,
        N,
      );
      const marketCap = matrix(
        Float64Array.from({ length: T * N }, () => 1e8 * Math.exp(6 * u())),
        T,
        N,
      );
      const styles = [0, 1, 2].map(() =>
        matrix(
          Float64Array.from({ length: T * N }, () => 3 * (u() - 0.5)),
          T,
          N,
        ),
      );
      const sectors = Int32Array.from({ length: N }, (_, c) => c % 6);
      for (const options of [{}, { winsorize: null, residualizeStyles: false }]) {
        const { a, e } = expectSameRegression({ returns, marketCap, styles, sectors }, 1e-5, options);
        const largest = e.factorReturns.data.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
        expectColumnsClose({ f: a.factorReturns.data }, { f: e.factorReturns.data }, { f: largest }, 1e-5);
      }
    });

    it('factorReturns: huge and tiny magnitudes (caps 1e200, returns 1e-100, styles 1e50), no styles, empty panels', () => {
      const T = 5;
      const N = 40;
      const u = uniforms(8);
      const returns = matrix(
        Float64Array.from({ length: T * N }, () => 1e-100 * (u() - 0.5)),
        T,
        N,
      );
      const marketCap = matrix(
        Float64Array.from({ length: T * N }, () => 1e200 * (1 + u())),
        T,
        N,
      );
      const styles = [
        matrix(
          Float64Array.from({ length: T * N }, () => 1e50 * (u() - 0.5)),
          T,
          N,
        ),
        matrix(
          Float64Array.from({ length: T * N }, () => 1e-50 * (u() - 0.5)),
          T,
          N,
        ),
      ];
      const sectors = Int32Array.from({ length: N }, (_, c) => c % 3);
      expectSameRegression({ returns, marketCap, styles, sectors }, tolerance(name, 'factorReturns'));
      expectSameRegression({ returns, marketCap, styles: [], sectors }, tolerance(name, 'factorReturns'));
      const empty = matrix(new Float64Array(0), 0, N);
      expect(k.factorReturns({ returns: empty, marketCap: empty, styles: [empty], sectors }).factorReturns.rows).toBe(0);
    });

    it('the promise variants give the same bits as the synchronous calls', async () => {
      const cov = scaledCov(8, (i) => 0.01 * (1 + i), 2);
      const w = matrix(
        Float64Array.from({ length: 16 }, (_, i) => (i % 5) / 10),
        2,
        8,
      );
      const model = { mean: new Float64Array(8), cov };
      expect(await k.portfolioVolatilityAsync(cov, w)).toEqual(k.portfolioVolatility(cov, w));
      const o = { paths: 500, seed: 1 };
      expect(await k.monteCarloVarAsync(model, w, o)).toEqual(k.monteCarloVar(model, w, o));
      expect(Array.from((await k.monteCarloScenariosAsync(model, o)).data)).toEqual(Array.from(k.monteCarloScenarios(model, o).data));
    });
  });
}
