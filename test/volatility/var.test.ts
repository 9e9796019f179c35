/**
 * garchVar against its definition by arch 8.0.0 (test/fixtures/volatility/arch-var.json, written by
 * scripts/volatility-fixtures.py: arch's fit on the window before each refit bar, am.fix(params) and
 * forecast(horizon=1) before every bar, the distribution's ppf and a quadrature of its density for the
 * tail mean). Tolerances: the quantile and tail mean of each distribution 1e-12 relative (closed forms
 * against quadrature); VaR and ES 5e-4 relative (our fits reach the optimum, arch's SLSQP stops short
 * of it: the parameters differ by up to 1e-4), 1e-2 for the skew-t (its eta is flat over 400 returns);
 * NaN exactly before the window. On every backend, equal to the reference bit for bit.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KernelInputError, kernels, type Kernels } from '../../src/index.js';
import { DISTRIBUTIONS, DISTS } from '../../src/kernels/volatility/volatility-dists.js';
import { empiricalTail } from '../../src/kernels/volatility/volatility-figures.js';
import type { Dist, ModelOptions } from '../../src/kernels/volatility/volatility.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { fixture } from './cases.js';

interface VarCase {
  name: string;
  series: string;
  spec: Required<ModelOptions>;
  window: number;
  refit: number;
  confidence: number;
  method: 'parametric' | 'filtered';
  var: (number | null)[];
  es: (number | null)[];
}
const varFixture = JSON.parse(readFileSync(new URL('../fixtures/volatility/arch-var.json', import.meta.url), 'utf8')) as {
  tails: { dist: string; shape: number[]; alpha: number; q: number; es: number }[];
  cases: VarCase[];
};
const TOL: Record<string, number> = { 'garch11-ar1-skewt-parametric': 1e-2 };

const run = (k: Kernels, c: VarCase) =>
  k.garchVar(Float64Array.from(fixture.series[c.series]), {
    ...c.spec,
    window: c.window,
    refit: c.refit,
    confidence: c.confidence,
    method: c.method,
  });

describe('garchVar [reference]', () => {
  it.each(varFixture.tails)('the quantile and tail mean of $dist $shape at $alpha', (c) => {
    const [q, es] = DISTRIBUTIONS[DISTS.indexOf(c.dist as Dist)].tail(Float64Array.from(c.shape), c.alpha);
    expect(Math.abs(q - c.q)).toBeLessThanOrEqual(1e-12 * Math.abs(c.q));
    expect(Math.abs(es - c.es)).toBeLessThanOrEqual(1e-12 * Math.abs(c.es));
  });

  it("numpy's percentile and the mean below it", () => {
    const z = Float64Array.of(3, -1, 2, -4, 0.5);
    // sorted -4 -1 0.5 2 3; h = 4 x 0.3 = 1.2: -1 + 0.2 x 1.5, numpy's -0.7000000000000001; mean of -4, -1
    expect(empiricalTail(z, 0.3)).toEqual([-0.7000000000000001, -2.5]); // np.percentile(z, 30)
  });

  it.each(varFixture.cases)('$name equals its definition by arch', (c) => {
    const r = run(ref, c);
    const tol = TOL[c.name] ?? 5e-4;
    for (let t = 0; t < c.var.length; t++) {
      const v = c.var[t];
      const e = c.es[t];
      if (v === null || e === null) {
        expect(r.var[t]).toBeNaN();
        expect(r.es[t]).toBeNaN();
        continue;
      }
      expect(Math.abs(r.var[t] - v)).toBeLessThanOrEqual(tol * Math.abs(v));
      expect(Math.abs(r.es[t] - e)).toBeLessThanOrEqual(tol * Math.abs(e));
      expect(r.es[t]).toBeGreaterThan(r.var[t]);
    }
  });

  const y = Float64Array.from(fixture.series.gjrT);
  it.each([
    [{ window: 5 }, 'options.window: expected an integer in [6, 800]'],
    [{ window: 801 }, 'options.window: expected an integer in [6, 800]'],
    [{ window: 400, refit: 0 }, 'options.refit: expected an integer >= 1, got 0'],
    [{ window: 400, confidence: 1 }, 'options.confidence: expected a number in (0, 1), got 1'],
    [{ window: 400, method: 'historical' }, "options.method: expected one of 'parametric', 'filtered'"],
    [{ horizon: 2 }, 'options: expected only the options vol, p, o, q, mean, lags, dist, delta, window, refit, confidence, method'],
  ])('bad options %o', (options, message) => {
    expect(() => ref.garchVar(y, options as never)).toThrow(KernelInputError);
    expect(() => ref.garchVar(y, options as never)).toThrow(message);
  });
});

describeEachBackend(
  'garchVar parity',
  (k, name) => {
    it.each(varFixture.cases)('$name equals the reference bit for bit', (c) => expect(run(k, c)).toEqual(run(ref, c)));
    it('refits over a tail of equal returns (seed qp-cycling): the reference bit for bit', () => {
      const y = Float64Array.from([-968, 19, 1, ...new Array<number>(35).fill(-1)]);
      const options = { vol: 'gjr', dist: 'skewt', mean: 'zero', window: 8, refit: 1, confidence: 0.5 } as const;
      const r = ref.garchVar(y, options);
      expect(k.garchVar(y, options)).toEqual(r);
      expect(r.var.slice(8).every(Number.isFinite)).toBe(true);
    });
    it('EGARCH GED refits whose -ll passes the doubles (seed egarch-ged-refit-zero-density): figures, not the overflow fault', () => {
      const y = Float64Array.from([-4.7659134210153447, -9.9999988098352333, ...new Array<number>(14).fill(-10)]);
      const options = { vol: 'egarch', p: 1, o: 1, q: 0, mean: 'zero', dist: 'ged', window: 6, refit: 3, confidence: 0.99 } as const;
      const r = ref.garchVar(y, options);
      expect(k.garchVar(y, options)).toEqual(r);
      expect(r.var.slice(6).every(Number.isFinite)).toBe(true);
    });
    it('a Matrix: each column, the same bits on 1 and 2 threads', async () => {
      const a = Float64Array.from(fixture.series.gjrT).subarray(0, 500);
      const b = Float64Array.from(fixture.series.arGarch).subarray(0, 500);
      const data = new Float64Array(1000);
      for (let t = 0; t < 500; t++) {
        data[2 * t] = a[t];
        data[2 * t + 1] = b[t];
      }
      const options = { vol: 'gjr' as const, window: 300, refit: 40 };
      const one = kernels({ backend: name, threads: 1 }).garchVar({ data, rows: 500, cols: 2 }, options);
      expect(kernels({ backend: name, threads: 2 }).garchVar({ data, rows: 500, cols: 2 }, options)).toEqual(one);
      expect(one[1]).toEqual(ref.garchVar(b, options));
      expect(await k.garchVarAsync({ data, rows: 500, cols: 2 }, options)).toEqual(one);
    });
  },
  'volatility',
);
