/**
 * Every backend's volatility kernels equal the reference's bit for bit (native/kernels/volatility/
 * twins src/backends/reference/volatility/, function for function, in the same order of operations,
 * with the same log and exp: src/backends/reference/volatility/numbers.ts), so that a fit follows the
 * same path to the same point even where the likelihood is flat. A Matrix gives the same bits on 1, 2
 * and 3 threads (each column fitted whole by one thread); the Async forms equal the sync ones.
 */
import { expect, it } from 'vitest';
import { kernels, type Kernels } from '../../src/index.js';
import type { GarchFit } from '../../src/kernels/volatility/volatility-kernels.js';
import { resolveModel } from '../../src/kernels/volatility/volatility.js';
import { paramsVector } from '../../src/kernels/volatility/volatility-resolve.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { aparchFixture, fixture, returnsOf } from './cases.js';

/** A seeded GJR-GARCH path of T percent returns (mulberry-style generator, Box-Muller normals). */
function simulated(seed: number, T: number): Float64Array {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const y = new Float64Array(T);
  let v = 1;
  let prev = 0;
  for (let t = 0; t < T; t++) {
    v = 0.05 + 0.05 * prev * prev + (prev < 0 ? 0.08 * prev * prev : 0) + 0.87 * v;
    const z = Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
    prev = Math.sqrt(v) * z;
    y[t] = 0.04 + prev;
  }
  return y;
}

const vector = (spec: object, fit: GarchFit) => paramsVector(resolveModel(spec), fit.params, 'params');

const SPECS = [
  { vol: 'garch' },
  { vol: 'gjr', dist: 't' },
  { vol: 'egarch', dist: 'skewt' },
  { vol: 'garch', mean: 'ar', dist: 'skewt' },
  { vol: 'gjr', p: 2, o: 1, q: 2, mean: 'zero' },
  // the analytic Hessian's models (hessian.ts): GJR, a zero mean, an AR mean
  { vol: 'gjr' },
  { vol: 'garch', mean: 'zero' },
  { vol: 'gjr', mean: 'ar', lags: 2 },
  // APARCH: delta estimated, fixed, p = 2 with two asymmetric lags
  { vol: 'aparch', dist: 't' },
  { vol: 'aparch', o: 0, delta: 1.5, mean: 'zero' },
  { vol: 'aparch', p: 2, o: 2, mean: 'ar', dist: 'ged' },
] as const;

describeEachBackend(
  'volatility parity',
  (k: Kernels, name) => {
    it.each([...fixture.cases, ...aparchFixture.cases])('filter, forecast and fit of $name', (c) => {
      const y = returnsOf(c);
      const params = Float64Array.from(c.fix.params);
      expect(k.garchFilter(y, { ...c.spec, params })).toEqual(ref.garchFilter(y, { ...c.spec, params }));
      const h = c.forecastAtFix.horizon;
      expect(k.garchForecast({ returns: y, ...c.spec, params }, { horizon: h })).toEqual(
        ref.garchForecast({ returns: y, ...c.spec, params }, { horizon: h }),
      );
      expect(k.garch(y, c.spec)).toEqual(ref.garch(y, c.spec));
      const sim = { horizon: 6, method: 'simulation', simulations: 500, seed: 3 } as const;
      expect(k.garchForecast({ returns: y, ...c.spec, params }, sim)).toEqual(ref.garchForecast({ returns: y, ...c.spec, params }, sim));
    });

    it.each(SPECS.flatMap((spec, i) => [300, 1000].map((T) => ({ spec, T, seed: 70 + 10 * i + T }))))(
      'seeded series: $spec.vol $spec.mean $spec.dist, T = $T',
      ({ spec, T, seed }) => {
        const y = simulated(seed, T);
        expect(k.garch(y, spec)).toEqual(ref.garch(y, spec));
      },
    );

    it("a GED likelihood past the doubles (|z / c|^nu at nu 500, z 80): -Infinity, the reference's, and the fit goes on", () => {
      const y = Float64Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7) * 0.5);
      y[150] = 40;
      const spec = { vol: 'egarch', dist: 'ged' } as const;
      const params = { mu: 0, omega: -1, alpha: Float64Array.of(0.1), gamma: Float64Array.of(0), beta: Float64Array.of(0.9), nu: 500 };
      const f = k.garchFilter(y, { ...spec, params });
      expect(f.logLikelihood).toBe(-Infinity);
      expect(f).toEqual(ref.garchFilter(y, { ...spec, params }));
      const fit = k.garch(y, spec);
      expect(Number.isFinite(fit.logLikelihood)).toBe(true);
      expect(fit).toEqual(ref.garch(y, spec));
    });

    it("a GED residual below the doubles over its sigma (a subnormal return, sigma near 1e12): q = 0, not NaN, as arch's", () => {
      // the seed fuzz_volatility/ged-ratio-below-the-doubles: |e| / sigma of 1e-321 over 7.8e11 is 0
      const y = Float64Array.from({ length: 166 }, () => -1);
      y.set([1e15, 0.99341464516328326, 1.5, 2.2250738585072014e-308, 1.0029532610577305e-321]);
      const spec = { vol: 'egarch', mean: 'zero', p: 1, o: 1, q: 0, dist: 'ged' } as const;
      const params = {
        omega: 54.755224629488637,
        alpha: Float64Array.of(-5),
        gamma: Float64Array.of(0),
        beta: new Float64Array(0),
        nu: 1.01,
      };
      const f = k.garchFilter(y, { ...spec, params });
      expect(Number.isFinite(f.logLikelihood)).toBe(true);
      expect(f).toEqual(ref.garchFilter(y, { ...spec, params }));
      expect(k.garch(y, spec)).toEqual(ref.garch(y, spec));
    });

    it('a view at an offset reads its own elements', () => {
      const y = simulated(5, 400);
      const buffer = new Float64Array(403);
      buffer.set(y, 3);
      const view = buffer.subarray(3);
      expect(k.garch(view)).toEqual(k.garch(y));
      expect(k.garchFilter(view, { params: Float64Array.of(0.04, 0.05, 0.1, 0.85) })).toEqual(
        k.garchFilter(y, { params: Float64Array.of(0.04, 0.05, 0.1, 0.85) }),
      );
    });

    it('a Matrix: each column as one series, the same bits on 1, 2 and 3 threads, Async the same', async () => {
      const T = 300;
      const N = 7;
      const data = new Float64Array(T * N);
      for (let c = 0; c < N; c++) {
        const y = simulated(100 + c, T);
        for (let t = 0; t < T; t++) data[t * N + c] = y[t];
      }
      const m = { data, rows: T, cols: N };
      const one = kernels({ backend: name, threads: 1 }).garch(m, { vol: 'gjr', dist: 't' });
      for (const threads of [2, 3]) expect(kernels({ backend: name, threads }).garch(m, { vol: 'gjr', dist: 't' })).toEqual(one);
      const column = new Float64Array(T);
      for (let t = 0; t < T; t++) column[t] = data[t * N + 4];
      expect(one[4]).toEqual(k.garch(column, { vol: 'gjr', dist: 't' }));
      expect(await k.garchAsync(m, { vol: 'gjr', dist: 't' })).toEqual(one);
      const params = vector({ vol: 'gjr', dist: 't' }, one[0]);
      const y0 = Float64Array.from({ length: T }, (_, t) => data[t * N]);
      expect(await k.garchFilterAsync(y0, { vol: 'gjr', dist: 't', params })).toEqual(k.garchFilter(y0, { vol: 'gjr', dist: 't', params }));
      expect(await k.garchForecastAsync(one[0], { horizon: 5 })).toEqual(k.garchForecast(one[0], { horizon: 5 }));
    });
  },
  'volatility',
);
