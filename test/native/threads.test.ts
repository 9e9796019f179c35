/**
 * Thread-count invariance: the native kernels that share their work between threads give the same
 * bits with 1, 2 and 3 threads (each output is computed whole by one thread), at sizes large enough
 * for the work to be split. And the threads option is checked.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, kernels, matrix, type Kernels } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';

function seeded(n: number, seed: number, f: (u: number) => number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => f((s = (s * 16807) % 2147483647) / 2147483647));
}

const bits = (x: Float64Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length * 2));

describeEachBackend('thread-count invariance', (_k: Kernels, name) => {
  const T = 130;
  const N = 700;
  const returns = matrix(seeded(T * N, 1, (u) => (u - 0.5) * 0.04), T, N);
  const cap = matrix(seeded(T * N, 2, (u) => Math.exp(20 + 4 * u)), T, N);
  const styles = [matrix(seeded(T * N, 3, (u) => 2 * u - 1), T, N), matrix(seeded(T * N, 4, (u) => 2 * u - 1), T, N)];
  const sectors = Int32Array.from({ length: N }, (_, i) => i % 7);
  const cov = matrix(Float64Array.from({ length: 50 * 50 }, (_, k) => (Math.floor(k / 50) === k % 50 ? 2e-4 : 5e-5)), 50, 50);
  const model = { mean: new Float64Array(50).fill(1e-4), cov };
  const calls: [string, (k: Kernels) => Float64Array[]][] = [
    ['monteCarloVar (normal and t)', (k) => [k.monteCarloVar(model, matrix(seeded(100, 5, (u) => u), 2, 50), { paths: 20_001 }).es, k.monteCarloVar(model, seeded(50, 6, (u) => u), { paths: 9_999, distribution: { studentT: 4 } }).var]],
    ['monteCarloScenarios', (k) => [k.monteCarloScenarios(model, { paths: 3_000, seed: 9 }).data]],
    ['factorReturns', (k) => { const r = k.factorReturns({ returns, marketCap: cap, sectors, styles }); return [r.factorReturns.data, r.residuals.data]; }],
    ['momentum', (k) => [k.momentum(returns, { window: 40, halfLife: 10, lag: 5 }).data]],
    ['size, value, winsorize, standardize', (k) => [k.size(cap).data, k.value(cap, returns, returns, { winsorize: 0.05 }).data, k.winsorize(returns).data, k.standardize(returns).data]],
    ['covariance, every method', (k) => (['sample', 'ewma', 'ledoit-wolf', 'oas', 'semi', 'ledoit-wolf-constant-correlation', 'ledoit-wolf-single-factor'] as const).map((method) => k.covariance(matrix(returns.data.subarray(0, 130 * 201), 130, 201), { method, adjust: method === 'ewma' }).cov.data)],
    ['portfolioVolatility and componentVar', (k) => {
      const W = matrix(seeded(40 * N, 7, (u) => u / N), 40, N);
      const c = k.componentVar(returns, W, { method: 'cornish-fisher' });
      return [k.portfolioVolatility(k.covariance(returns).cov, W), c.var, c.esContributions.data];
    }],
  ];
  for (const [label, call] of calls) {
    it(`${label}: 1, 2 and 3 threads give the same bits`, () => {
      const one = call(kernels({ backend: name, threads: 1 })).map(bits);
      for (const threads of [2, 3]) expect(call(kernels({ backend: name, threads })).map(bits)).toEqual(one);
    });
  }
});

describe('the threads option', () => {
  it('is an integer in [1, 1024]', () => {
    for (const bad of [0, 1.5, -1, 2000, '2']) {
      expect(() => kernels({ threads: bad as never })).toThrow(KernelInputError);
      expect(() => kernels({ threads: bad as never })).toThrow('options.threads: expected an integer in [1, 1024]');
    }
  });
});
