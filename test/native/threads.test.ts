/**
 * Thread-count invariance: the native kernels that share their work between threads give the same
 * bits with 1, 2 and 3 threads (each output is computed whole by one thread), at sizes large enough
 * for the work to be split. A backend with stated tolerances (BLAS: the library shares out its products
 * and may round differently with another count) agrees with itself within them instead. And the
 * threads option is checked.
 */
import { describe, expect, it } from 'vitest';
import type { KernelName } from '../../src/api/index.js';
import { KernelInputError, kernels, matrix, type Kernels, type Matrix } from '../../src/index.js';
import { stackCovariances } from '../../src/api/index.js';
import { describeEachBackend, type Supports } from '../helpers/backends.js';
import { BACKEND_RTOL, expectColumnsClose, tolerance } from '../helpers/compare.js';

function seeded(n: number, seed: number, f: (u: number) => number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => f((s = (s * 16807) % 2147483647) / 2147483647));
}

const bits = (x: Float64Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length * 2));

describeEachBackend('thread-count invariance', (_k: Kernels, name, supports: Supports) => {
  const T = 130;
  const N = 700;
  const returns = matrix(
    seeded(T * N, 1, (u) => (u - 0.5) * 0.04),
    T,
    N,
  );
  const cap = matrix(
    seeded(T * N, 2, (u) => Math.exp(20 + 4 * u)),
    T,
    N,
  );
  /** The reference's covariances of 40 rolling 90-date windows of the first n assets, stacked (40·n rows). */
  const rollingCovs = (n: number): Float64Array => {
    const ref = kernels({ backend: 'reference' });
    const stack = new Float64Array(40 * n * n);
    for (let p = 0; p < 40; p++) {
      const window = matrix(
        Float64Array.from({ length: 90 * n }, (_, i) => returns.data[(p + Math.floor(i / n)) * N + (i % n)]),
        90,
        n,
      );
      stack.set(ref.covariance(window).data, p * n * n);
    }
    return stack;
  };
  const styles = [
    matrix(
      seeded(T * N, 3, (u) => 2 * u - 1),
      T,
      N,
    ),
    matrix(
      seeded(T * N, 4, (u) => 2 * u - 1),
      T,
      N,
    ),
  ];
  const sectors = Int32Array.from({ length: N }, (_, i) => i % 7);
  const cov = matrix(
    Float64Array.from({ length: 50 * 50 }, (_, k) => (Math.floor(k / 50) === k % 50 ? 2e-4 : 5e-5)),
    50,
    50,
  );
  const model = { mean: new Float64Array(50).fill(1e-4), cov };
  let volatility: Matrix | undefined;
  const volatilityCov = () => (volatility ??= kernels({ backend: 'reference' }).covariance(returns));
  // [label, kernels called, call]
  const calls: [string, KernelName[], (k: Kernels) => Float64Array[]][] = [
    [
      'monteCarloVar (normal and t)',
      ['monteCarloVar'],
      (k) => [
        k.monteCarloVar(
          model,
          matrix(
            seeded(100, 5, (u) => u),
            2,
            50,
          ),
          { paths: 20_001 },
        ).es,
        k.monteCarloVar(
          model,
          matrix(
            seeded(50, 6, (u) => u),
            1,
            50,
          ),
          { paths: 9_999, distribution: { studentT: 4 } },
        ).var,
      ],
    ],
    [
      'tripleBarrier, trendScanningLabels, fracDiff (events and rows shared out)',
      ['tripleBarrier', 'trendScanningLabels', 'fracDiff'],
      (k) => {
        const ts = Float64Array.from({ length: 20_000 }, (_, i) => 1.7e12 + 60_000 * i);
        let x = 100;
        const close = seeded(ts.length, 11, (u) => (x = Math.round(x * (1 + (u - 0.5) * 0.004) * 100) / 100));
        const series = { ts, close };
        const t0 = ts.filter((_, i) => i % 3 === 0);
        const events = k.tripleBarrier(series, { t0, target: 0.002, ptSl: [1, 1] });
        const trend = k.trendScanningLabels(series, { t0 });
        return [events.t1, events.ret, trend.tValue, trend.t1, k.fracDiff(close.map(Math.log), { d: 0.4 })];
      },
    ],
    ['monteCarloScenarios', ['monteCarloScenarios'], (k) => [k.monteCarloScenarios(model, { paths: 3_000, seed: 9 }).data]],
    [
      'factorReturns',
      ['factorReturns'],
      (k) => {
        const r = k.factorReturns({ returns, marketCap: cap, sectors, styles });
        return [r.factorReturns.data, r.residuals.data];
      },
    ],
    ['momentum', ['momentum'], (k) => [k.momentum(returns, { window: 40, halfLife: 10, lag: 5 }).data]],
    [
      'size, value, winsorize, standardize',
      ['size', 'value', 'winsorize', 'standardize'],
      (k) => [
        k.size(cap).data,
        k.value(cap, returns, returns, { winsorize: 0.05 }).data,
        k.winsorize(returns).data,
        k.standardize(returns).data,
      ],
    ],
    [
      'covariance, every method',
      ['covariance'],
      (k) =>
        (['sample', 'ewma', 'ledoit-wolf', 'oas', 'semi', 'ledoit-wolf-constant-correlation', 'ledoit-wolf-single-factor'] as const).map(
          (method) => k.covariance(matrix(returns.data.subarray(0, 130 * 201), 130, 201), { method, adjust: method === 'ewma' }).data,
        ),
    ],
    // the covariance from the reference (a backend may implement portfolioVolatility alone: metal)
    [
      'portfolioVolatility',
      ['portfolioVolatility'],
      (k) => [
        k.portfolioVolatility(
          volatilityCov(),
          matrix(
            seeded(600 * N, 7, (u) => u / N),
            600,
            N,
          ),
        ),
      ],
    ],
    [
      'valueAtRisk',
      ['valueAtRisk'],
      (k) =>
        (['historical', 'gaussian', 'cornish-fisher'] as const).flatMap((method) => {
          const v = k.valueAtRisk(returns, { method });
          return [v.var, v.es];
        }),
    ],
    [
      'componentVar',
      ['componentVar'],
      (k) => {
        const c = k.componentVar(
          returns,
          matrix(
            seeded(40 * N, 7, (u) => u / N),
            40,
            N,
          ),
          { method: 'cornish-fisher' },
        );
        return [c.var, c.esContributions.data];
      },
    ],
    [
      'hrp from returns with missing values (the pairs shared between threads)',
      ['hrp'],
      (k) => {
        // 80 assets, the first 40 listed late (leading NaN: 0 to 6 dates): pandas' pairwise statistics
        const gappy = Float64Array.from(returns.data.subarray(0, 130 * 80), (x, i) =>
          i % 80 < 40 && Math.floor(i / 80) < (i % 80) % 7 ? NaN : x,
        );
        const h = k.hrp(matrix(gappy, 130, 80), { linkage: 'average' });
        return [h.weights, h.linkage.data];
      },
    ],
    [
      'hrp over 40 rolling-window covariances (each problem whole on one thread), ward linkage',
      ['hrp'],
      (k) => {
        const n = 30;
        const stack = rollingCovs(n);
        const h = k.hrp({ cov: stackCovariances(matrix(stack, 40 * n, n)) }, { linkage: 'ward' });
        expect([h.weights.rows, h.order.rows, h.linkage.rows]).toEqual([40, 40, 40 * (n - 1)]);
        return [h.weights.data, h.order.data, h.linkage.data];
      },
    ],
    [
      'riskParity over 40 rolling windows (the problems shared between threads), given budgets',
      ['riskParity'],
      (k) => {
        const n = 30;
        const stack = rollingCovs(n);
        const budgets = matrix(
          seeded(40 * n, 8, (u) => 0.5 + u),
          40,
          n,
        );
        const r = k.riskParity(stackCovariances(matrix(stack, 40 * n, n)), { budgets });
        expect(r.weights.rows).toBe(40);
        return [r.weights.data, r.riskContributions.data, r.volatility, r.iterations];
      },
    ],
    [
      'checkPsd of a 200-asset covariance (its trailing updates shared between threads) and of 40 rolling windows',
      ['checkPsd'],
      (k) => {
        const big = kernels({ backend: 'reference' }).covariance(matrix(returns.data.subarray(0, 130 * 200), 130, 200));
        const bad = Float64Array.from(big.data);
        bad[150 * 200 + 170] = bad[170 * 200 + 150] = bad[150 * 200 + 170] + 3e-4;
        const stack = rollingCovs(30);
        const r = [k.checkPsd(big), k.checkPsd(matrix(bad, 200, 200)), k.checkPsd(stackCovariances(matrix(stack, 40 * 30, 30)))];
        expect(r.map((x) => x.psd)).toEqual([true, false, true]);
        return r.map((x) => Float64Array.of('problem' in x ? (x.problem as number) : -1, x.asset, x.pivot));
      },
    ],
    [
      'minVariance over 40 rolling windows, bounds [0, 0.1] (blocks handed out as threads come free)',
      ['minVariance'],
      (k) => {
        const n = 30;
        const r = k.minVariance(stackCovariances(matrix(rollingCovs(n), 40 * n, n)), { bounds: { lower: 0, upper: 0.1 } });
        return [r.weights.data, r.volatility, r.iterations];
      },
    ],
    [
      'bulkClassify over 200,000 bars (the element-wise passes shared between threads; sigma one sum), every sigma rule',
      ['bulkClassify'],
      (k) => {
        const n = 200_000;
        const close = seeded(n, 9, (u) => 100 + 10 * u);
        const bars = { open: close.map((c, i) => (i % 3 === 0 ? c : c - 0.01)), close, volume: seeded(n, 10, (u) => 1 + 100 * u) };
        return [
          k.bulkClassify(bars),
          k.bulkClassify(bars, { priceChange: 'intra', sigma: 0.5 }),
          k.bulkClassify(bars, { sigma: { ewma: 0.94 }, distribution: { studentT: 4 } }),
        ];
      },
    ],
  ];
  const stated = name in BACKEND_RTOL;
  for (const [label, used, call] of calls) {
    it.runIf(supports(...used))(
      `${label}: 1, 2 and 3 threads give the same ${stated ? 'results within the stated tolerance' : 'bits'}`,
      () => {
        const one = call(kernels({ backend: name, threads: 1 }));
        for (const threads of [2, 3]) {
          const other = call(kernels({ backend: name, threads }));
          if (!stated) {
            expect(other.map(bits)).toEqual(one.map(bits));
            continue;
          }
          const columns = (arrays: Float64Array[]) => Object.fromEntries(arrays.map((a, i) => [`output ${i}`, a]));
          const scales = Object.fromEntries(one.map((a, i) => [`output ${i}`, a.reduce((m, x) => Math.max(m, Math.abs(x)), 0)]));
          expectColumnsClose(columns(other), columns(one), scales, Math.max(...used.map((kernel) => tolerance(name, kernel))));
        }
      },
    );
  }
});

describeEachBackend(
  'kernels called concurrently (one persistent pool: a call that finds it busy runs inline)',
  (_k: Kernels, name, supports) => {
    it.runIf(supports('monteCarloVar', 'factorReturns', 'minVariance', 'checkPsd'))(
      'async calls at once give the sync results',
      async () => {
        const T = 60;
        const N = 300;
        const returns = matrix(
          seeded(T * N, 11, (u) => (u - 0.5) * 0.04),
          T,
          N,
        );
        const cap = matrix(
          seeded(T * N, 12, (u) => Math.exp(20 + 4 * u)),
          T,
          N,
        );
        const sectors = Int32Array.from({ length: N }, (_, i) => i % 5);
        const styles = [
          matrix(
            seeded(T * N, 14, (u) => 2 * u - 1),
            T,
            N,
          ),
        ];
        const cov = kernels({ backend: 'reference' }).covariance(matrix(returns.data.subarray(0, T * 40), T, 40));
        const model = { mean: new Float64Array(40).fill(1e-4), cov };
        const weights = matrix(
          seeded(40, 13, (u) => u),
          1,
          40,
        ); // a batch of one: the outputs are vectors
        const two = kernels({ backend: name, threads: 2 });
        const jobs = [
          () => two.monteCarloVarAsync(model, weights, { paths: 30_001 }).then((r) => [r.var, r.es]),
          () => two.factorReturnsAsync({ returns, marketCap: cap, sectors, styles }).then((r) => [r.factorReturns.data, r.residuals.data]),
          () => two.minVarianceAsync(cov, { bounds: { lower: 0, upper: 0.1 } }).then((r) => [r.weights]),
        ];
        const expected = [
          (() => {
            const r = two.monteCarloVar(model, weights, { paths: 30_001 });
            return [r.var, r.es];
          })(),
          (() => {
            const r = two.factorReturns({ returns, marketCap: cap, sectors, styles });
            return [r.factorReturns.data, r.residuals.data];
          })(),
          [two.minVariance(cov, { bounds: { lower: 0, upper: 0.1 } }).weights],
        ];
        // four rounds of all three at once, a sync call on the JS thread meanwhile
        const pending = Array.from({ length: 4 }, () => jobs.map((job) => job())).flat();
        const sync = two.checkPsd(cov);
        const results = await Promise.all(pending);
        expect(sync.psd).toBe(true);
        results.forEach((r, i) =>
          expect((r as Float64Array[]).map(bits), `call ${i}`).toEqual((expected[i % 3] as Float64Array[]).map(bits)),
        );
      },
    );
  },
);

describe('the threads option', () => {
  it('is an integer in [1, 1024]', () => {
    for (const bad of [0, 1.5, -1, 2000, '2']) {
      expect(() => kernels({ threads: bad as never })).toThrow(KernelInputError);
      expect(() => kernels({ threads: bad as never })).toThrow('options.threads: expected an integer in [1, 1024]');
    }
  });
});
