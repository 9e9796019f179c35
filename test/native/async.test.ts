/**
 * Promise variants (`<name>Async`): the same results as the synchronous kernels, errors as rejections,
 * and on the native backend the kernel off the JS thread: a timer keeps firing on time while a long
 * call runs (its lateness is measured against that of the synchronous call, which blocks).
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, kernels, matrix, type Kernels } from '../../src/index.js';
import type { KernelName } from '../../src/api/index.js';
import { loadBackend } from '../../src/backends/registry.js';
import { describeEachBackend, ref, type Supports } from '../helpers/backends.js';

function seeded(n: number, seed: number, f: (u: number) => number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => f((s = (s * 16807) % 2147483647) / 2147483647));
}

const T = 60;
const N = 40;
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
const weights = matrix(
  seeded(3 * N, 3, (u) => u / N),
  3,
  N,
);
const cov = ref.covariance(returns, { method: 'ledoit-wolf' });
const model = { mean: new Float64Array(N).fill(2e-4), cov };
const styles = {
  one: matrix(
    seeded(T * N, 4, (u) => 2 * u - 1),
    T,
    N,
  ),
};
const sectors = Int32Array.from({ length: N }, (_, i) => i % 4);

/** [name, sync call, async call] for every kernel with a promise variant. */
const pairs: [string, (k: Kernels) => unknown, (k: Kernels) => Promise<unknown>][] = [
  ['performanceStats', (k) => k.performanceStats(returns), (k) => k.performanceStatsAsync(returns)],
  ['valueAtRisk', (k) => k.valueAtRisk(returns, { method: 'historical' }), (k) => k.valueAtRiskAsync(returns, { method: 'historical' })],
  ['covariance', (k) => k.covariance(returns, { method: 'oas' }), (k) => k.covarianceAsync(returns, { method: 'oas' })],
  ['portfolioVolatility', (k) => k.portfolioVolatility(cov, weights), (k) => k.portfolioVolatilityAsync(cov, weights)],
  [
    'componentVar',
    (k) => k.componentVar(returns, weights, { method: 'cornish-fisher' }),
    (k) => k.componentVarAsync(returns, weights, { method: 'cornish-fisher' }),
  ],
  ['monteCarloVar', (k) => k.monteCarloVar(model, weights, { paths: 500 }), (k) => k.monteCarloVarAsync(model, weights, { paths: 500 })],
  ['monteCarloScenarios', (k) => k.monteCarloScenarios(model, { paths: 50 }), (k) => k.monteCarloScenariosAsync(model, { paths: 50 })],
  ['winsorize', (k) => k.winsorize(returns), (k) => k.winsorizeAsync(returns)],
  ['standardize', (k) => k.standardize(returns), (k) => k.standardizeAsync(returns)],
  [
    'momentum',
    (k) => k.momentum(returns, { window: 10, halfLife: 5, lag: 2 }),
    (k) => k.momentumAsync(returns, { window: 10, halfLife: 5, lag: 2 }),
  ],
  ['size', (k) => k.size(cap), (k) => k.sizeAsync(cap)],
  ['value', (k) => k.value(cap, cap, returns), (k) => k.valueAsync(cap, cap, returns)],
  [
    'factorReturns',
    (k) => k.factorReturns({ returns, marketCap: cap, sectors, styles }),
    (k) => k.factorReturnsAsync({ returns, marketCap: cap, sectors, styles }),
  ],
  [
    'factorCovariance',
    (k) => k.factorCovariance(returns, { neweyWestLags: 2 }),
    (k) => k.factorCovarianceAsync(returns, { neweyWestLags: 2 }),
  ],
  ['specificRisk', (k) => k.specificRisk(returns), (k) => k.specificRiskAsync(returns)],
  [
    'riskDecomposition',
    (k) =>
      k.riskDecomposition(
        {
          exposures: matrix(
            seeded(N * 3, 5, (u) => u),
            N,
            3,
          ),
          factorCov: matrix(Float64Array.of(1e-4, 0, 0, 0, 1e-4, 0, 0, 0, 1e-4), 3, 3),
          specificVar: new Float64Array(N).fill(1e-4),
        },
        weights,
      ),
    (k) =>
      k.riskDecompositionAsync(
        {
          exposures: matrix(
            seeded(N * 3, 5, (u) => u),
            N,
            3,
          ),
          factorCov: matrix(Float64Array.of(1e-4, 0, 0, 0, 1e-4, 0, 0, 0, 1e-4), 3, 3),
          specificVar: new Float64Array(N).fill(1e-4),
        },
        weights,
      ),
  ],
];

describe('promise variants on the reference (run on the JS thread)', () => {
  it.each(pairs)('%sAsync equals %s', async (_, sync, promised) => {
    expect(await promised(ref)).toEqual(sync(ref));
  });
});

describeEachBackend('promise variants', (k: Kernels, name, supports: Supports) => {
  it.each(pairs.filter(([kernel]) => supports(kernel as KernelName)))(
    '%sAsync equals the synchronous kernel',
    async (_, sync, promised) => {
      expect(await promised(k)).toEqual(sync(k));
    },
  );

  it.runIf(supports('vpin'))(
    'vpinAsync equals vpin (the pass on the thread pool, the buckets on the JS thread); a data fault rejects',
    async () => {
      const n = 200_000;
      const ts = Float64Array.from({ length: n }, (_, i) => i * 10);
      const price = seeded(n, 8, (u) => 100 + 10 * u);
      const volume = seeded(n, 9, (u) => 1 + Math.floor(100 * u));
      const options = { bucketVolume: 50_000, window: 20, barMs: 1000 };
      expect(await k.vpinAsync({ ts, price, volume }, options)).toEqual(k.vpin({ ts, price, volume }, options));
      expect(await ref.vpinAsync({ ts, price, volume }, options)).toEqual(ref.vpin({ ts, price, volume }, options));
      const bad = Float64Array.from(price, (p, i) => (i === 777 ? NaN : p));
      await expect(k.vpinAsync({ ts, price: bad, volume }, options)).rejects.toThrow(KernelInputError);
    },
  );

  it.runIf(supports('covariance', 'monteCarloVar'))(
    'bad input and data faults reject with KernelInputError (validation before the work, faults after it)',
    async () => {
      await expect(k.covarianceAsync(returns, { method: 'nope' as never })).rejects.toThrow(KernelInputError);
      await expect(
        k.monteCarloVarAsync({ mean: Float64Array.of(0, 0), cov: matrix(Float64Array.of(1, 2, 2, 1), 2, 2) }, Float64Array.of(1, 1)),
      ).rejects.toThrow('cov: expected a positive definite matrix, got Cholesky pivot 1 = -3');
      if (supports('size')) await expect(k.sizeAsync(matrix(Float64Array.of(1, -1), 1, 2))).rejects.toThrow('got marketCap[0][1] = -1');
    },
  );

  // only a backend with a promise variant off the JS thread (tfjs runs its kernels on the JS thread)
  const offThread = loadBackend(name).backend?.async?.risk?.monteCarloVar !== undefined;
  it.runIf(supports('monteCarloVar') && offThread)(
    'a long call leaves the event loop free: a 5 ms timer stays on time (it does not during the synchronous call)',
    async () => {
      const big = {
        mean: new Float64Array(200),
        cov: matrix(
          Float64Array.from({ length: 200 * 200 }, (_, i) => (Math.floor(i / 200) === i % 200 ? 1e-4 : 1e-5)),
          200,
          200,
        ),
      };
      const w = new Float64Array(200).fill(0.005);
      const single = kernels({ backend: name, threads: 1 });
      // paths for a call of about 800 ms on this backend (600,000 on native: metal-cpu's shaders on the
      // CPU took 17 s at that count), from a short call's time
      const probe = performance.now();
      single.monteCarloVar(big, w, { paths: 20_000 });
      const perPath = (performance.now() - probe) / 20_000;
      const options = { paths: Math.round(Math.min(600_000, Math.max(20_000, 800 / perPath))) };
      const lateness = async (run: () => Promise<unknown> | unknown) => {
        let worst = 0;
        let last = performance.now();
        const timer = setInterval(() => {
          const now = performance.now();
          worst = Math.max(worst, now - last - 5);
          last = now;
        }, 5);
        const started = performance.now();
        await run();
        const took = performance.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 12));
        clearInterval(timer);
        return { worst, took };
      };
      const blocking = await lateness(() => single.monteCarloVar(big, w, options));
      const free = await lateness(() => single.monteCarloVarAsync(big, w, options));
      expect(blocking.took).toBeGreaterThan(100); // the call is long enough to measure
      expect(blocking.worst).toBeGreaterThan(0.8 * blocking.took); // sync: the timer waited for the whole call
      expect(free.worst).toBeLessThan(free.took / 3); // async: it kept firing (a bound relative to the call: a loaded 2-core machine delays any timer by tens of ms)
    },
  );
});
