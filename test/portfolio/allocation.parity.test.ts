/**
 * Parity of the allocation kernels: every backend that implements them against the reference on
 * fast-check inputs (float64 CPU backends to 1e-12 relative: the C++ is the reference's code line by
 * line, so most results are bitwise equal; pow's last bit may differ), views at offsets and in
 * SharedArrayBuffers included, and the same fault on bad data.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { Kernels, Matrix } from '../../src/index.js';
import { stackCovariances } from '../../src/kernels/portfolio/portfolio-shapes.js';
import { describeEachBackend, ref, type Supports } from '../helpers/backends.js';
import { expectColumnsClose, expectSameFault } from '../helpers/compare.js';
import { flatResult } from './kkt.js';

const RUNS = 60;

// The bounds of PARITY_RTOL here (none differed over 30 x 60 runs but expectedReturns, by 5e-14 of its scale):
// hrp and nearestPsd take the same operations (sqrt, Jacobi sweeps) in the same order: the same bits; so do
// riskParity's Newton steps, where the barrier's log (glibc's, V8's: an ulp apart) only decides the line
// search's halvings, against a bound it would have to meet within that ulp.

/** values copied into a Float64Array at `offset` in a (shared) buffer. */
function placed(values: ArrayLike<number>, offset: number, shared: boolean): Float64Array {
  const bytes = 8 * (values.length + offset + 1);
  const data = new Float64Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes), 8 * offset, values.length);
  data.set(values);
  return data;
}

/** A seeded LCG in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/**
 * T x n returns of a one-factor model (T >= n + 2: their covariance is positive definite), drawn from a
 * seed (fast-check's boundary doubles would make columns equal or opposite: singular covariances),
 * optionally with leading NaN that differ by column.
 */
const returnsArb = (maxN: number, missing: boolean): fc.Arbitrary<Matrix> =>
  fc
    .record({
      n: fc.integer({ min: 1, max: maxN }),
      extra: fc.integer({ min: 2, max: 30 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      scale: fc.constantFrom(1e-4, 0.01, 1),
      offset: fc.integer({ min: 0, max: 2 }),
      shared: fc.boolean(),
    })
    .map(({ n, extra, seed, scale, offset, shared }) => {
      const r = lcg(seed);
      const T = n + extra;
      const x = new Float64Array(T * n);
      for (let t = 0; t < T; t++) {
        const m = r() - 0.5;
        for (let i = 0; i < n; i++) {
          const lead = missing && t < (i % 3) * 2; // leading NaN: the pairs' common dates differ
          x[t * n + i] = lead ? NaN : scale * (m * ((i % 3) + 0.5) + (r() - 0.5) * (1 + (i % 4)));
        }
      }
      return { data: placed(x, offset, shared), rows: T, cols: n };
    });

/** The covariance (1/T) of complete returns: positive definite. */
function covOf(r: Matrix): Matrix {
  const { data, rows: T, cols: n } = r;
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += data[t * n + i] * data[t * n + j];
      c[i * n + j] = c[j * n + i] = s / T;
    }
  }
  return { data: c, rows: n, cols: n };
}

const LINKAGES = ['single', 'complete', 'average', 'weighted', 'ward'] as const;

describeEachBackend(
  'allocation kernels parity',
  (k: Kernels, name, supports: Supports) => {
    const test = (kernels: Parameters<Supports>, title: string, body: () => void) =>
      supports(...kernels) ? it(title, body) : it.skip(`${title} (not on ${name})`, () => {});

    test(['riskParity'], 'riskParity, equal and given budgets', () => {
      fc.assert(
        fc.property(returnsArb(25, false), fc.boolean(), (r, budgeted) => {
          const cov = covOf(r);
          const budgets = budgeted ? Float64Array.from({ length: cov.cols }, (_, i) => 1 + (i % 4)) : undefined;
          const a = k.riskParity(cov, { budgets });
          const e = ref.riskParity(cov, { budgets });
          expectColumnsClose(
            { w: a.weights, c: a.riskContributions, v: a.volatility },
            { w: e.weights, c: e.riskContributions, v: e.volatility },
          );
        }),
        { numRuns: RUNS },
      );
    });

    test(['riskParity'], 'riskParity batched: a stack of covariances (rolling windows) and P budget rows, sync and async', async () => {
      fc.assert(
        fc.property(returnsArb(12, false), fc.integer({ min: 1, max: 9 }), fc.boolean(), (r, P, budgeted) => {
          // P rolling windows of the returns (T - P + 1 dates each) and their covariances, stacked
          const { rows: T, cols: n } = r;
          const win = T - P + 1;
          if (win < n + 2) return; // a window too short for a positive definite covariance
          const stack = new Float64Array(P * n * n);
          for (let p = 0; p < P; p++) stack.set(covOf({ data: r.data.subarray(p * n, (p + win) * n), rows: win, cols: n }).data, p * n * n);
          const cov = stackCovariances({ data: stack, rows: P * n, cols: n }); // a batch, also of one
          const budgets = budgeted ? { data: Float64Array.from({ length: P * n }, (_, i) => 1 + (i % 5)), rows: P, cols: n } : undefined;
          const a = k.riskParity(cov, { budgets });
          const e = ref.riskParity(cov, { budgets });
          expect(a.weights.rows).toBe(P);
          expectColumnsClose(
            { w: a.weights.data, c: a.riskContributions.data, v: a.volatility },
            { w: e.weights.data, c: e.riskContributions.data, v: e.volatility },
          );
        }),
        { numRuns: RUNS },
      );
      const r = fc.sample(returnsArb(10, false), { numRuns: 1, seed: 9 })[0];
      const one = covOf(r);
      const budgets = { data: Float64Array.from({ length: 4 * one.cols }, (_, i) => 1 + (i % 3)), rows: 4, cols: one.cols };
      expectColumnsClose(flatResult(await k.riskParityAsync(one, { budgets })), flatResult(ref.riskParity(one, { budgets })));
      // a fault in problem 2 of 3: the same on every backend, sync and async
      const bad = { data: Float64Array.of(1, 0.1, 0.1, 1, 1, 0.1, 0.1, 1, 1, -1, -1, 1), rows: 6, cols: 2 };
      expectSameFault((kk) => kk.riskParity(bad), k);
      await expect(k.riskParityAsync(bad)).rejects.toThrow('(problem 2)');
    });

    test(['hrp'], 'hrp from returns (with and without missing values), from { cov } and { cov, corr }, every linkage', () => {
      fc.assert(
        fc.property(returnsArb(20, false), fc.boolean(), fc.constantFrom(...LINKAGES), (r, missing, linkage) => {
          const input = missing ? { ...r, data: r.data.map((x, k) => (k % r.cols > 0 && k < r.cols * 2 ? NaN : x)) } : r;
          const a = k.hrp(input, { linkage });
          const e = ref.hrp(input, { linkage });
          expect(Array.from(a.order)).toEqual(Array.from(e.order));
          expectColumnsClose({ w: a.weights, z: a.linkage.data }, { w: e.weights, z: e.linkage.data });
          const cov = covOf(r);
          const fromCov = k.hrp({ cov }, { linkage });
          expectColumnsClose({ w: fromCov.weights }, { w: ref.hrp({ cov }, { linkage }).weights });
          const withCorr = k.hrp({ cov, corr: cov }, { linkage });
          expectColumnsClose({ w: withCorr.weights }, { w: ref.hrp({ cov, corr: cov }, { linkage }).weights });
        }),
        { numRuns: RUNS },
      );
    });

    test(['nearestPsd'], 'nearestPsd, spectral and diag, of PSD and indefinite matrices', () => {
      fc.assert(
        fc.property(
          returnsArb(25, false),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.constantFrom('spectral', 'diag' as const),
          (r, shrink, method) => {
            const cov = covOf(r);
            const n = cov.cols;
            const bad = Float64Array.from(cov.data);
            for (let i = 0; i < n; i++) bad[i * n + i] *= shrink;
            const m = { data: bad, rows: n, cols: n };
            const a = k.nearestPsd(m, { method });
            const e = ref.nearestPsd(m, { method });
            expect(a.repaired).toBe(e.repaired);
            expectColumnsClose({ cov: a.data }, { cov: e.data }, { cov: Math.max(...cov.data.map(Math.abs)) });
          },
        ),
        { numRuns: RUNS },
      );
    });

    test(['expectedReturns'], 'expectedReturns, every method, prices and returns, with and without a benchmark', () => {
      fc.assert(
        fc.property(
          returnsArb(12, true),
          fc.constantFrom('mean', 'ema', 'capm' as const),
          fc.boolean(),
          fc.boolean(),
          fc.boolean(),
          (r, method, compounding, returnsData, withBenchmark) => {
            const { rows, cols } = r;
            const prices = returnsData ? r.data : Float64Array.from(r.data, (x, k) => (x === x ? 100 * Math.exp(x + 0.001 * k) : NaN));
            const benchmark = withBenchmark
              ? Float64Array.from({ length: rows }, (_, t) => (returnsData ? 0.01 * Math.sin(t) : 100 + Math.sin(t)))
              : undefined;
            const options = {
              method,
              compounding,
              returnsData,
              benchmark,
              span: 7,
              riskFree: 0.01,
              logReturns: !returnsData && rows % 2 === 0,
            };
            const m = { data: prices, rows, cols };
            // the estimators average returns that cancel: a last-bit difference of a return (glibc's log
            // against V8's) moves mu by eps times the mean |return|, not by eps times |mu|; compounding's pow,
            // an ulp of (1 + mu)^252 (about 1), stays under 1e-12 of that for mean |returns| above 4e-7 (the
            // draws' are 1e-5 and more): 0.05 of the tolerance at most measured over 30 x 60 runs
            const ret = returnsData ? m : options.logReturns ? ref.logReturns(m) : ref.simpleReturns(m);
            const scale = Array.from({ length: cols }, (_, j) => {
              const present = Array.from({ length: ret.rows }, (_, t) => ret.data[t * cols + j]).filter((x) => x === x);
              return (252 * present.reduce((sum, x) => sum + Math.abs(x), 0)) / Math.max(1, present.length);
            });
            expectColumnsClose({ mu: k.expectedReturns(m, options) }, { mu: ref.expectedReturns(m, options) }, { mu: scale });
          },
        ),
        { numRuns: RUNS },
      );
    });

    test(['riskParity', 'hrp', 'nearestPsd', 'expectedReturns'], 'the same faults on bad data', () => {
      const cov = { data: Float64Array.of(1, 0, 0, 0), rows: 2, cols: 2 };
      expectSameFault((kk) => kk.riskParity(cov), k);
      expectSameFault((kk) => kk.hrp({ cov }), k);
      expectSameFault((kk) => kk.riskParity({ data: Float64Array.of(1, -1, -1, 1), rows: 2, cols: 2 }), k);
      const constant = { data: Float64Array.of(0.01, 0.02, 0.01, -0.01, 0.01, 0.03), rows: 3, cols: 2 };
      expectSameFault((kk) => kk.hrp(constant), k);
      expectSameFault((kk) => kk.expectedReturns({ data: Float64Array.of(1, 2, 0, 3), rows: 2, cols: 2 }), k);
      expectSameFault((kk) => kk.expectedReturns({ data: Float64Array.of(0.1, Infinity), rows: 2, cols: 1 }, { returnsData: true }), k);
    });

    test(
      ['hrp'],
      'hrp batched: a stack of rolling-window covariances (and correlations), each row = the problem alone, sync and async',
      async () => {
        fc.assert(
          fc.property(
            returnsArb(12, false),
            fc.integer({ min: 1, max: 9 }),
            fc.boolean(),
            fc.constantFrom(...LINKAGES),
            (r, P, withCorr, linkage) => {
              const { rows: T, cols: n } = r;
              const win = T - P + 1;
              if (win < 3) return;
              const stack = new Float64Array(P * n * n);
              for (let p = 0; p < P; p++)
                stack.set(covOf({ data: r.data.subarray(p * n, (p + win) * n), rows: win, cols: n }).data, p * n * n);
              const cov = stackCovariances({ data: stack, rows: P * n, cols: n }); // a batch, also of one
              const input = withCorr ? { cov, corr: cov } : { cov };
              const a = k.hrp(input, { linkage });
              const e = ref.hrp(input, { linkage });
              expect([a.weights.rows, a.order.rows, a.linkage.rows]).toEqual([P, P, P * (n - 1)]);
              expect(Array.from(a.order.data)).toEqual(Array.from(e.order.data));
              expectColumnsClose({ w: a.weights.data, z: a.linkage.data }, { w: e.weights.data, z: e.linkage.data });
              // each row: this backend's answer to the problem alone, bit for bit
              const last = P - 1;
              const sub = (m: Float64Array, size: number) => m.subarray(last * size, (last + 1) * size);
              const aloneCov = { data: sub(stack, n * n), rows: n, cols: n };
              const alone = k.hrp(withCorr ? { cov: aloneCov, corr: aloneCov } : { cov: aloneCov }, { linkage });
              expect(Array.from(sub(a.weights.data, n))).toEqual(Array.from(alone.weights));
              expect(Array.from(sub(a.linkage.data, (n - 1) * 4))).toEqual(Array.from(alone.linkage.data));
            },
          ),
          { numRuns: RUNS },
        );
        const r = fc.sample(returnsArb(10, false), { numRuns: 1, seed: 9 })[0];
        const one = covOf(r);
        const two = stackCovariances([one, one]);
        expectColumnsClose(flatResult(await k.hrpAsync({ cov: two })), flatResult(ref.hrp({ cov: two })));
        // a fault in problem 2 of 3: the same on every backend, sync and async
        const bad = { data: Float64Array.of(1, 0.1, 0.1, 1, 1, 0.1, 0.1, 1, 1, 0, 0, 0), rows: 6, cols: 2 };
        expectSameFault((kk) => kk.hrp({ cov: bad }), k);
        await expect(k.hrpAsync({ cov: bad })).rejects.toThrow('cov[2][1][1] = 0');
      },
    );

    test(['riskParity', 'hrp'], 'the promise variants give the same results', async () => {
      const r = fc.sample(returnsArb(15, false), { numRuns: 1, seed: 5 })[0];
      const cov = covOf(r);
      expectColumnsClose(flatResult(await k.riskParityAsync(cov)), flatResult(ref.riskParity(cov)));
      expectColumnsClose(flatResult(await k.hrpAsync(r)), flatResult(ref.hrp(r)));
    });
  },
  'portfolio',
);
