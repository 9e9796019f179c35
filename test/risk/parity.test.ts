/**
 * The parity suite for the risk family: every function on every available backend against the
 * reference, on random matrices (fast-check: NaN sprinkled, tiny and huge magnitudes, one row, one
 * column, empty) and on subarray and SharedArrayBuffer views, within PARITY_RTOL (1e-12 relative), or
 * the tolerance a backend states per kernel (BACKEND_RTOL: BLAS sums in its own order) against the
 * scale that rounding in another order is bounded by. A kernel the backend lacks is skipped for it.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { CovarianceMethod, KernelName } from '../../src/api/index.js';
import type { CovarianceResult, Kernels, Matrix, PerformanceOptions } from '../../src/index.js';
import { describeEachBackend, ref, type Supports } from '../helpers/backends.js';
import {
  BACKEND_MAX,
  BACKEND_RTOL,
  expectColumnsClose,
  expectSameFault,
  FLOAT32_BACKENDS,
  floorOf,
  PARITY_RTOL,
  tolerance,
} from '../helpers/compare.js';

const RUNS = 150;

// Where the tolerance comes from, for a float64 backend (native): it follows the reference's operations in
// the same order (-ffp-contract=off), so a result differs only where it goes through the C library's log,
// log1p, exp, expm1 or pow (the normal density's exp among them), which round an ulp apart from V8's (sqrt
// rounds alike); each property says what that ulp grows to, and a scale where it is not the value itself.

/** A rows x cols matrix of values from `value`, the data at a random offset in a larger buffer. */
function matrixArb(value: fc.Arbitrary<number>, maxRows = 40, maxCols = 6): fc.Arbitrary<Matrix> {
  return fc
    .record({
      rows: fc.integer({ min: 0, max: maxRows }),
      cols: fc.integer({ min: 1, max: maxCols }),
      offset: fc.integer({ min: 0, max: 3 }),
      shared: fc.boolean(),
    })
    .chain(({ rows, cols, offset, shared }) =>
      fc.array(value, { minLength: rows * cols, maxLength: rows * cols }).map((values) => {
        const buffer = shared ? new SharedArrayBuffer(8 * (values.length + offset + 2)) : new ArrayBuffer(8 * (values.length + offset + 2));
        const data = new Float64Array(buffer, 8 * offset, values.length);
        data.set(values);
        return { data, rows, cols };
      }),
    );
}

/** Returns: ordinary daily moves, with NaN (missing), exact zeros, tiny and huge magnitudes. */
const returnArb = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -0.5, max: 0.5, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, 0, -0, 1e-300, -1e-300, 5e-324, 1e150, -0.999999) },
);
/**
 * Returns for a backend that sums in another order: the same, with the magnitudes below 1e-50 set to 0,
 * so that the shrinkage targets' fourth powers and squared differences stay in double's normal range.
 * Below it rounding is absolute, not relative (and fused multiply-adds round there differently), so no
 * relative tolerance holds: the stated tolerances are for data in the normal range.
 */
const normalRangeReturnArb = returnArb.map((x) => (Math.abs(x) < 1e-50 ? 0 : x));
/**
 * The same for a float32 backend (tfjs): magnitudes below 1e-9 set to 0 (their fourth powers stay in
 * float32's normal range) and above 1 clipped to 1 (returns, a loss of at most 100 %): the shrinkage
 * intensities are differences of fourth-moment sums, which float32 loses when the data spans 1e9 and
 * more (docs/tfjs.md; inputs beyond float32's range are refused, test/backends/tfjs.test.ts).
 */
const float32RangeReturnArb = returnArb.map((x) => (Math.abs(x) < 1e-9 ? 0 : Math.abs(x) > 1 ? Math.sign(x) : x));
/** Prices: positive, NaN (missing), tiny and huge. */
const priceArb = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 1, max: 1000, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, 1e-300, 5e-324, 1e300, Number.MAX_VALUE) },
);
const weightArb = fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(0, 1, 1e-300));
const optionsArb: fc.Arbitrary<PerformanceOptions> = fc.record({
  periodsPerYear: fc.constantFrom(1, 12, 52, 252, 365.25),
  riskFree: fc.constantFrom(0, 0.0001, -0.01, 0.1),
  requiredReturn: fc.constantFrom(0, 0.05, -0.5),
});

const columns = (m: Matrix | Float64Array) => ({ data: m instanceof Float64Array ? m : m.data });

/** Returns whose Gaussian ES crosses 0 at confidence ES_ZERO (issue 67): 2.8e-17 on one backend, 0 on the other. */
const ES_CROSSING = Float64Array.of(
  -0.0877562146,
  0.1133487806,
  0.4512077603,
  0.1920499651,
  -0.3212958057,
  0.4248678015,
  -0.1735810549,
  0.2850401959,
);
const ES_ZERO = 0.2278295758498726;

/** The rows of a matrix without a NaN. */
function completeRows({ data, rows, cols }: Matrix): Float64Array[] {
  return Array.from({ length: rows }, (_, t) => data.subarray(t * cols, (t + 1) * cols)).filter((row) =>
    row.every((x) => !Number.isNaN(x)),
  );
}

/**
 * Per element [i][j] of a covariance, the scale its rounding in another order is bounded by: the larger
 * of sqrt(|S_ii S_jj|) (the bound of |S_ij|) and sum over the complete rows of |d_ti d_tj| over the
 * divisor, d the centred returns (the shortfalls for 'semi'), which stays above rounding where the
 * diagonal underflows or the sum cancels; on the diagonal of the estimators shrunk towards mu I
 * (ledoit-wolf, oas) also mu = trace / N, which a rounding of the intensity moves it by.
 */
function covarianceScale(returns: Matrix, method: CovarianceMethod, benchmark: number, cov: Float64Array, floor: number): Float64Array {
  const p = returns.cols;
  const complete = completeRows(returns);
  const n = complete.length;
  const mean = Array.from({ length: p }, (_, i) => complete.reduce((sum, row) => sum + row[i], 0) / n);
  const d = complete.map((row) =>
    Array.from(row, (x, i) => (method === 'semi' ? Math.min(x - benchmark, 0) : method === 'ewma' ? x : x - mean[i])),
  );
  const divisor = method === 'sample' || method === 'ledoit-wolf-constant-correlation' ? n - 1 : n;
  let mu = 0;
  if (method === 'ledoit-wolf' || method === 'oas') for (let i = 0; i < p; i++) mu += Math.abs(cov[i * (p + 1)]) / p;
  return Float64Array.from(cov, (_, k) => {
    const i = Math.floor(k / p);
    const j = k % p;
    const cross = d.reduce((sum, row) => sum + Math.abs(row[i] * row[j]), 0) / divisor;
    return Math.max(Math.sqrt(Math.abs(cov[i * (p + 1)] * cov[j * (p + 1)])), cross, i === j ? mu : 0, floor);
  });
}

/**
 * Per element of an adjusted EWMA covariance, sum_t lambda^(n-1-t) |r_ti r_tj| / sum_t lambda^(n-1-t) over
 * the complete rows: what its rounding is bounded by on a float64 backend, whose pow rounds the weights an
 * ulp apart from V8's, in terms that cancel (the other methods come out bit for bit).
 */
function ewmaScale(returns: Matrix, lambda: number): Float64Array {
  const p = returns.cols;
  const complete = completeRows(returns);
  const n = complete.length;
  const w = complete.map((_, t) => lambda ** (n - 1 - t));
  const total = w.reduce((sum, x) => sum + x, 0);
  return Float64Array.from({ length: p * p }, (_, k) => {
    const [i, j] = [Math.floor(k / p), k % p];
    return complete.reduce((sum, row, t) => sum + w[t] * Math.abs(row[i] * row[j]), 0) / total;
  });
}

/** True when `cov` is the sample covariance of `returns` with the ddof `method` uses, within rtol of `scale`. */
function isSampleCovariance(returns: Matrix, method: CovarianceMethod, cov: Float64Array, scale: Float64Array, rtol: number): boolean {
  const sample = ref.covariance(returns, { method: 'sample' }).data;
  const n = completeRows(returns).length;
  const ddof0 = method === 'ledoit-wolf' || method === 'oas' || method === 'ledoit-wolf-single-factor';
  return sample.every((x, k) => Math.abs((ddof0 ? (x * (n - 1)) / n : x) - cov[k]) <= rtol * scale[k]);
}

/**
 * Per date and column, the scale of rolling()'s up (sign 1) or down (-1) capture, expm1(S_r / Y) /
 * expm1(S_b / Y), S the running sums of log1p over the window's dates of that sign and Y their years:
 * each log1p rounds an ulp apart (glibc's and V8's), and a compensated running sum is off by eps^2 of
 * what passed through it since its last re-sum (2 windows at most), so S by dS = eps sum |log1p| +
 * w eps^2 sum_2w |log1p|; the capture moves by that through both sums (4x, over PARITY_RTOL). NaN where
 * S_b is within dS_b of 0: the capture is 0 / 0 in rounding there (NaN on one backend, 0 on another).
 */
function captureScale(returns: Matrix, benchmark: Float64Array, w: number, ppy: number, sign: number): Float64Array {
  const { data, rows, cols } = returns;
  const eps = Number.EPSILON;
  const out = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    for (let t = w - 1; t < rows; t++) {
      let dates = 0;
      let [sr, sb, ar, ab, passedR, passedB] = [0, 0, 0, 0, 0, 0];
      for (let s = Math.max(0, t + 1 - 2 * w); s <= t; s++) {
        if (!(sign > 0 ? benchmark[s] > 0 : benchmark[s] < 0)) continue;
        const lr = Math.log1p(Number.isNaN(data[s * cols + c]) ? 0 : data[s * cols + c]); // a missing return counts as 0
        const lb = Math.log1p(benchmark[s]);
        passedR += Math.abs(lr);
        passedB += Math.abs(lb);
        if (s <= t - w) continue;
        dates++;
        [sr, sb, ar, ab] = [sr + lr, sb + lb, ar + Math.abs(lr), ab + Math.abs(lb)];
      }
      const dr = 4 * (eps * ar + w * eps * eps * passedR);
      const db = 4 * (eps * ab + w * eps * eps * passedB);
      if (dates > 0 && Math.abs(sb) <= db) {
        out[t * cols + c] = NaN;
        continue;
      }
      const years = dates / ppy;
      const den = Math.abs(Math.expm1(sb / years));
      const move = (Math.exp(sr / years) * dr + (Math.abs(Math.expm1(sr / years)) * Math.exp(sb / years) * db) / den) / (years * den);
      out[t * cols + c] = Number.isFinite(move) ? move / PARITY_RTOL : 0;
    }
  }
  return out;
}

/** |w|'|S||w| per portfolio (weights P x n): the bound of w'Sw's rounding in any order. */
function absoluteVariance(cov: Float64Array, n: number, weights: Float64Array, floor: number): Float64Array {
  return Float64Array.from({ length: weights.length / n }, (_, p) => {
    let q = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q += Math.abs(weights[p * n + i] * cov[i * n + j] * weights[p * n + j]);
    return Math.max(q, floor);
  });
}

describeEachBackend('risk family parity', (k: Kernels, name, supports: Supports) => {
  /** A backend with stated tolerances is measured against the scales given; the others against the values (or terms that cancel). */
  const stated = name in BACKEND_RTOL;
  /** Float32 backends (tfjs) take inputs within float32's range; their scales are floored at float32's smallest normal. */
  const float32 = name in BACKEND_MAX;
  const floor = floorOf(name);
  const test = (kernels: KernelName[], title: string, body: () => void) => it.runIf(supports(...kernels))(title, body);

  test(['simpleReturns', 'logReturns'], 'simpleReturns and logReturns', () => {
    fc.assert(
      fc.property(matrixArb(priceArb), (prices) => {
        // simple returns: the same bits; log returns log1p of them, within an ulp each side (2.2e-16)
        expectColumnsClose(columns(k.simpleReturns(prices)), columns(ref.simpleReturns(prices)));
        expectColumnsClose(columns(k.logReturns(prices)), columns(ref.logReturns(prices)));
      }),
      { numRuns: RUNS },
    );
  });

  test(['cumulativeReturns'], 'cumulativeReturns, as returns and as wealth', () => {
    fc.assert(
      fc.property(matrixArb(returnArb), fc.constantFrom(0, 1, 100, -3.5), (returns, startingValue) => {
        // the same products in the same order: the same bits
        expectColumnsClose(
          columns(k.cumulativeReturns(returns, { startingValue })),
          columns(ref.cumulativeReturns(returns, { startingValue })),
        );
      }),
      { numRuns: RUNS },
    );
  });

  test(['portfolioReturns'], 'portfolioReturns, one portfolio and P portfolios', () => {
    const inputs = matrixArb(returnArb).chain((returns) =>
      fc.tuple(
        fc.constant(returns),
        fc.integer({ min: 1, max: 4 }).chain((p) => fc.array(weightArb, { minLength: p * returns.cols, maxLength: p * returns.cols })),
      ),
    );
    fc.assert(
      fc.property(inputs, ([returns, w]) => {
        const weights = { data: Float64Array.from(w), rows: w.length / returns.cols, cols: returns.cols };
        // the same sums in the same order: the same bits
        expectColumnsClose(columns(k.portfolioReturns(returns, weights)), columns(ref.portfolioReturns(returns, weights)));
        const one = weights.data.subarray(0, returns.cols);
        expectColumnsClose(columns(k.portfolioReturns(returns, one)), columns(ref.portfolioReturns(returns, one)));
      }),
      { numRuns: RUNS },
    );
  });

  test(['performanceStats'], 'performanceStats', () => {
    fc.assert(
      fc.property(matrixArb(returnArb), optionsArb, (returns, options) => {
        // annualReturn (and calmar) = expm1(log(wealth) / years): log's ulp grows by the exponent, |x| <= 709
        // short of overflow: 1.6e-13 (1.1e-13 measured over 400,000 panels); stability regresses sums of
        // log1p's, an ulp each (2.6e-15 measured); the moments, drawdown, omega and tail ratio: the same bits
        expectColumnsClose({ ...k.performanceStats(returns, options) }, { ...ref.performanceStats(returns, options) });
      }),
      { numRuns: RUNS },
    );
  });

  test(['relativeStats'], 'relativeStats: both alpha conventions, NaN in returns and benchmark', () => {
    const inputs = matrixArb(returnArb).chain((returns) =>
      fc.tuple(
        fc.constant(returns),
        fc.array(returnArb, { minLength: returns.rows, maxLength: returns.rows }).map((b) => Float64Array.from(b)),
        fc.record({
          periodsPerYear: fc.constantFrom(1, 12, 52, 252, 365.25),
          riskFree: fc.constantFrom(0, 0.0001, -0.01),
          alphaConvention: fc.constantFrom('empyrical' as const, 'quantstats' as const),
        }),
      ),
    );
    fc.assert(
      fc.property(inputs, ([returns, benchmark, options]) => {
        // captures, alphas and the information ratio: exp, expm1 of log (log1p) times up to 709 short of
        // overflow, two such factors at most: 3.2e-13 (1.1e-13 measured over 400,000); beta and the rest: the same bits
        expectColumnsClose({ ...k.relativeStats(returns, benchmark, options) }, { ...ref.relativeStats(returns, benchmark, options) });
        const series = returns.data.subarray(0, returns.rows);
        expectColumnsClose({ ...k.relativeStats(series, benchmark, options) }, { ...ref.relativeStats(series, benchmark, options) });
      }),
      { numRuns: RUNS },
    );
  });

  test(['varBacktest'], 'varBacktest: NaN in returns and VaR, every window, both DQ forms, series and matrix', () => {
    const inputs = matrixArb(returnArb).chain((returns) =>
      fc.tuple(
        fc.constant(returns),
        fc
          .array(fc.oneof(fc.double({ min: -0.1, max: 0.3, noNaN: true }), fc.constantFrom(NaN, 0, 0.05)), {
            minLength: returns.data.length,
            maxLength: returns.data.length,
          })
          .map((v) => ({ data: Float64Array.from(v), rows: returns.rows, cols: returns.cols })),
        fc.record({
          confidence: fc.constantFrom(0.9, 0.95, 0.99, 0.5),
          window: fc.integer({ min: 1, max: 45 }),
          dqRegressors: fc.constantFrom('gas', 'hits'),
        }),
      ),
    );
    const flat = (b: ReturnType<Kernels['varBacktest']>) => ({ ...b, exceptions: columns(b.exceptions).data });
    // The likelihood ratios are differences of sums of n logs: rounding (V8's log against the C
    // library's) is relative to n, not to the ratio; a p-value moves by at most that over sqrt(LR).
    // (Measured over 30 x 150 runs: 2e-16 at most on a p-value, 2e-7 of the 1e-9 allowed.) The window
    // probability sums exp(log pmf): exp's ulp grown by |log pmf| <= 45 |log 0.01| = 207: 5e-14.
    const scale = (b: ReturnType<Kernels['varBacktest']>) => {
      const n = b.observations;
      const p = 1e3;
      return {
        kupiecLR: n,
        independenceLR: n,
        conditionalCoverageLR: n,
        dqStat: n,
        kupiecPValue: p,
        independencePValue: p,
        conditionalCoveragePValue: p,
        dqPValue: p,
      };
    };
    fc.assert(
      fc.property(inputs, ([returns, var_, options]) => {
        const e = ref.varBacktest(returns, var_, options);
        expectColumnsClose(flat(k.varBacktest(returns, var_, options)), flat(e), scale(e));
        const series = returns.data.subarray(0, returns.rows);
        const vs = var_.data.subarray(0, returns.rows);
        const es = ref.varBacktest(series, vs, options);
        expectColumnsClose(flat(k.varBacktest(series, vs, options)), flat(es), scale(es));
      }),
      { numRuns: RUNS },
    );
  });

  test(['varBacktest'], 'varBacktest: DQ where MASS::ginv leaves directions out (returns within 1 %, VaR nearly constant)', () => {
    // X'X's eigenvalues of y^2 (and of a VaR that hardly moves) fall near 2^-26 of the largest: both
    // backends must keep and leave out the same directions.
    const inputs = matrixArb(fc.double({ min: -0.01, max: 0.01, noNaN: true }), 300, 3).chain((returns) =>
      fc.tuple(
        fc.constant(returns),
        fc.oneof(fc.constant(0), fc.constantFrom(1e-6, 1e-4, 3e-3)).chain((spread) =>
          fc
            .array(fc.double({ min: 0.009, max: 0.009 + spread, noNaN: true }), {
              minLength: returns.data.length,
              maxLength: returns.data.length,
            })
            .map((v) => ({ data: Float64Array.from(v), rows: returns.rows, cols: returns.cols })),
        ),
        fc.constantFrom('gas' as const, 'hits' as const),
      ),
    );
    fc.assert(
      fc.property(inputs, ([returns, var_, dqRegressors]) => {
        const options = { confidence: 0.95, dqRegressors };
        const e = ref.varBacktest(returns, var_, options);
        const a = k.varBacktest(returns, var_, options);
        // the same Jacobi sweeps and cut-off: the same statistic; its chi-square tail within 6.4e-16 (src/math/special.ts)
        expectColumnsClose({ dqStat: a.dqStat, dqPValue: a.dqPValue }, { dqStat: e.dqStat, dqPValue: e.dqPValue });
      }),
      { numRuns: 60 },
    );
  });

  test(['performanceStats'], 'performanceStats tailRatio on long columns: ascending, descending, ties, equal, NaN, the tails apart', () => {
    // native selects the 5 % and 95 % order statistics from the values beyond a threshold taken from a
    // sample of 64 (from 256 values on): orders that mislead the sample, and ties at the threshold
    const n = 3001;
    const up = Float64Array.from({ length: n }, (_, i) => (i - 1500) / 1e4);
    const columns = [
      up,
      up.slice().reverse(),
      Float64Array.from(up, (x) => Math.round(x * 50) / 50), // 61 levels: long runs of ties
      new Float64Array(n).fill(0.01),
      Float64Array.from(up, (x, i) => (i % 46 === 0 ? 0.5 : x)), // the sampled values (stride 3001 / 64) all the largest
      Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? NaN : Math.sin(i) * 0.03)),
      Float64Array.from({ length: n }, (_, i) => (i < 2850 ? 0 : 1)), // the 95th percentile between the tails' values
    ];
    const returns = { data: new Float64Array(n * columns.length), rows: n, cols: columns.length };
    columns.forEach((col, c) => col.forEach((x, t) => (returns.data[t * columns.length + c] = x)));
    const got = k.performanceStats(returns).tailRatio;
    const expected = ref.performanceStats(returns).tailRatio;
    if (stated) expectColumnsClose({ tailRatio: got }, { tailRatio: expected });
    else expect([...got]).toEqual([...expected]);
  });

  test(['rolling'], 'rolling: every statistic, NaN in returns and benchmark', () => {
    const inputs = matrixArb(returnArb).chain((returns) =>
      fc.record({
        returns: fc.constant(returns),
        benchmark: fc.array(returnArb, { minLength: returns.rows, maxLength: returns.rows }).map((b) => Float64Array.from(b)),
        window: fc.integer({ min: 2, max: Math.max(2, returns.rows) }),
        periodsPerYear: fc.constantFrom(1, 12, 252),
        confidence: fc.constantFrom(0.9, 0.99),
      }),
    );
    const flat = (o: object) => Object.fromEntries(Object.entries(o).map(([key, m]) => [key, columns(m as Matrix).data]));
    fc.assert(
      fc.property(inputs, ({ returns, benchmark, window, periodsPerYear, confidence }) => {
        if (returns.rows < 2) return;
        const options = { window, benchmark, periodsPerYear, confidence };
        // the same running sums in the same order: the moments' and pairs' statistics come out bit for bit
        // (alpha: an ulp of log1p and expm1, grown by at most |x| <= 709); the captures within captureScale()
        const [a, e] = [flat(k.rolling(returns, options)), flat(ref.rolling(returns, options))];
        const upCapture = captureScale(returns, benchmark, window, periodsPerYear, 1);
        const downCapture = captureScale(returns, benchmark, window, periodsPerYear, -1);
        for (const [key, scale] of Object.entries({ upCapture, downCapture }))
          scale.forEach((x, i) => Number.isNaN(x) && (a[key][i] = e[key][i] = NaN)); // 0 / 0 in rounding: not compared
        expectColumnsClose(a, e, { upCapture, downCapture });
      }),
      {
        numRuns: RUNS,
        examples: [
          // found by random seeds (issue 67): benchmark losses of 1e-300 to 1e-173 after -0.23 and -0.5 left
          // the window: the down sum is 0 on one backend (a capture of NaN) and -1.2e-173 on the other (-0)
          [
            {
              returns: { data: new Float64Array(15), rows: 15, cols: 1 },
              benchmark: Float64Array.of(
                ...[-0.23145746231479367, 7.284903748766904e-132, -0.49999999999999917, -1e-300, -8.338478840763147e-298],
                ...[1.1522245119541844e-32, -5.269015032224225e-235, 3e-323, 1.0192666854958145e-290, -1.2323827707755484e-173],
                ...[1.133202097940251e-39, 0.000028371227468886873, -3.372468331321086e-274, 2.12822226330227e-41, 1.189946041196937e-264],
              ),
              window: 12,
              periodsPerYear: 252,
              confidence: 0.99,
            },
          ],
          // the same for an up capture's return sum: 1.3e-110 after -0.5 and -0.23 left (4.4e-161 against 0)
          [
            {
              returns: {
                data: Float64Array.of(-0.49999999999999906, 0, 0, -0.23327008862720452, 0, 0, 0, 0, 0, 0, 1.3139250581228436e-110),
                rows: 11,
                cols: 1,
              },
              benchmark: Float64Array.of(
                ...[6.892496087320269e-43, -0.3742358839452555, -2.0817820342318816e-83, 1.9494702935298174e-163, -2.3895067416884582e-92],
                ...[1e150, -0.49999999999999994, 3.973179478511458e-183, -1.31161174365219e-301, -3.252536589825274e-99, 9.4e-323],
              ),
              window: 6,
              periodsPerYear: 1,
              confidence: 0.99,
            },
          ],
        ],
      },
    );
  });

  test(['drawdownSeries', 'drawdowns'], 'drawdownSeries and drawdowns in both conventions', () => {
    const options = fc.record({
      top: fc.integer({ min: 1, max: 8 }),
      convention: fc.constantFrom('performance-analytics' as const, 'pyfolio' as const),
    });
    const table = (t: object) => Object.fromEntries(Object.entries(t).map(([key, m]) => [key, columns(m as Matrix).data]));
    fc.assert(
      fc.property(matrixArb(returnArb), options, (returns, drawn) => {
        const o = { ...drawn, top: Math.min(drawn.top, Math.max(returns.rows, 5)) }; // top is at most max(rows, 5)
        // the same products and comparisons in the same order: the same bits
        expectColumnsClose({ u: columns(k.drawdownSeries(returns)).data }, { u: columns(ref.drawdownSeries(returns)).data });
        expectColumnsClose(table(k.drawdowns(returns, o as never)), table(ref.drawdowns(returns, o as never)));
      }),
      { numRuns: RUNS },
    );
  });

  test(['aggregateReturns'], 'aggregateReturns: every period, dates in any order', () => {
    const inputs = matrixArb(returnArb).chain((returns) =>
      fc.tuple(
        fc.constant(returns),
        fc
          .array(fc.integer({ min: -1e12, max: 4e12 }), { minLength: returns.rows, maxLength: returns.rows })
          .map((d) => Float64Array.from(d)),
        fc.constantFrom('weekly' as const, 'monthly' as const, 'quarterly' as const, 'yearly' as const),
      ),
    );
    fc.assert(
      fc.property(inputs, ([returns, dates, period]) => {
        // the same products per period in date order: the same bits
        const a = k.aggregateReturns(returns, dates, period);
        const e = ref.aggregateReturns(returns, dates, period);
        expectColumnsClose(
          { returns: columns(a.returns).data, year: a.year, period: a.period },
          { returns: columns(e.returns).data, year: e.year, period: e.period },
        );
      }),
      { numRuns: RUNS },
    );
  });

  test(['valueAtRisk'], 'valueAtRisk: every method, confidence and ddof', () => {
    const options = fc.record({
      method: fc.constantFrom('historical' as const, 'gaussian' as const, 'cornish-fisher' as const),
      confidence: fc.oneof(fc.constantFrom(0.5, 0.9, 0.95, 0.99, 0.999), fc.double({ min: 0.01, max: 0.9999, noNaN: true })),
      ddof: fc.constantFrom(0, 1, 2),
    });
    // the historical VaR and ES: the same bits; the others -mean plus a multiple of the sd through the
    // normal quantile (the same bits) and density (its exp an ulp apart, glibc's and V8's): measured
    // against |mean| too, the term that multiple cancels with where the ES crosses 0 (the example)
    const meanOf = ({ data, rows, cols }: Matrix) =>
      Float64Array.from({ length: cols }, (_, c) => {
        const present = Array.from({ length: rows }, (_, t) => data[t * cols + c]).filter((x) => !Number.isNaN(x));
        return Math.abs(present.reduce((sum, x) => sum + x, 0) / present.length);
      });
    fc.assert(
      fc.property(matrixArb(returnArb, 60), options, (returns, o) => {
        const mean = meanOf(returns);
        expectColumnsClose({ ...k.valueAtRisk(returns, o) }, { ...ref.valueAtRisk(returns, o) }, { var: mean, es: mean });
      }),
      {
        numRuns: RUNS,
        // the confidence where the Gaussian ES of these returns crosses 0
        examples: [
          [
            { data: ES_CROSSING, rows: ES_CROSSING.length, cols: 1 },
            { method: 'gaussian', confidence: ES_ZERO, ddof: 1 },
          ],
        ],
      },
    );
  });

  test(['covariance'], 'covariance: every method (PyPortfolioOpt targets too); NaN rows left out', () => {
    const options = fc.record({
      method: fc.constantFrom(
        'sample' as const,
        'ewma' as const,
        'ledoit-wolf' as const,
        'oas' as const,
        'semi' as const,
        'ledoit-wolf-constant-correlation' as const,
        'ledoit-wolf-single-factor' as const,
      ),
      lambda: fc.constantFrom(0.94, 0.97, 0.5, 1e-9),
      adjust: fc.boolean(),
      benchmark: fc.constantFrom(0, 0.000079, -0.01, 0.05),
    });
    fc.assert(
      fc.property(matrixArb(float32 ? float32RangeReturnArb : stated ? normalRangeReturnArb : returnArb, 60, 12), options, (returns, o) => {
        const a = k.covariance(returns, o);
        const e = ref.covariance(returns, o);
        const rtol = tolerance(name, 'covariance');
        const scale = covarianceScale(returns, o.method, o.benchmark, e.data, floor);
        // where the shrunk matrix is the sample covariance itself (within the tolerance of its largest scale:
        // the intensity's sums round to that), the target is that matrix too and the intensity is rounding
        // noise (clipped to 0 or 1): not compared, and the matrix, S plus the noise times target - S, only to
        // that scale (the example: a target off S in entries of 1e-101 beside ones of 0.06)
        const largest = Math.max(floor, ...scale);
        const global = scale.map(() => largest);
        const determined = !stated || e.shrinkage === undefined || !isSampleCovariance(returns, o.method, e.data, global, rtol);
        const shrinkage = (r: CovarianceResult) => [determined ? (r.shrinkage ?? -1) : 0];
        // a float64 backend: the same bits but for the adjusted EWMA's weights (pow), within ewmaScale()
        // (over 800,000 panels: 0.08 of the tolerance measured against the values alone, 6e-4 against it)
        expectColumnsClose(
          { cov: a.data, shrinkage: shrinkage(a) },
          { cov: e.data, shrinkage: shrinkage(e) },
          stated
            ? { cov: determined ? scale : global, shrinkage: 1 }
            : o.method === 'ewma' && o.adjust
              ? { cov: ewmaScale(returns, o.lambda) }
              : {},
          rtol,
        );
      }),
      {
        numRuns: RUNS,
        examples: [
          // found by a random seed (issue 67, KERNELBUS_FC_SEED=-1201174967): the single-factor target is the
          // sample covariance but for the two columns of +-1e-50; the intensity came out 1 on the reference, 0 on BLAS
          [
            {
              data: Float64Array.of(
                ...[0, 0, 0, 0, 0, -0.12548443868216227, -0.2424392849206071, 0, 0, 0],
                ...[0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                ...[0, 1e-50, 0, 0, 0, 0, 0, 0, -1e-50, 0],
              ),
              rows: 3,
              cols: 10,
            },
            { method: 'ledoit-wolf-single-factor', lambda: 0.94, adjust: false, benchmark: 0 },
          ],
        ],
      },
    );
  });

  test(['portfolioVolatility'], 'portfolioVolatility: covariances of random returns, one and P portfolios', () => {
    const inputs = matrixArb(fc.double({ min: -0.2, max: 0.2, noNaN: true }), 40, 12).chain((returns) =>
      fc.tuple(
        fc.constant(returns),
        fc.integer({ min: 1, max: 20 }).chain((p) => fc.array(weightArb, { minLength: p * returns.cols, maxLength: p * returns.cols })),
      ),
    );
    fc.assert(
      fc.property(inputs, ([returns, w]) => {
        const cov = ref.covariance(returns, { method: 'ewma' });
        if (cov.data.some((v) => Number.isNaN(v))) return;
        const weights = { data: Float64Array.from(w), rows: w.length / returns.cols, cols: returns.cols };
        const a = k.portfolioVolatility(cov, weights);
        const e = ref.portfolioVolatility(cov, weights);
        if (!stated) return expectColumnsClose({ vol: a }, { vol: e }); // the same sums and sqrt: the same bits
        // in another order: the variances w'Sw, within the tolerance of |w|'|S||w| (a NaN volatility is
        // a variance that came out negative: within rounding of 0, it may on one backend and not another)
        const square = (v: Float64Array) => v.map((x) => (Number.isNaN(x) ? 0 : x * x));
        // below the backend's smallest normal number rounding is absolute (a product that underflows in
        // one order may not in another): there the variances agree to that number, not relative to it
        const rtol = tolerance(name, 'portfolioVolatility');
        expectColumnsClose(
          { variance: square(a) },
          { variance: square(e) },
          { variance: absoluteVariance(cov.data, cov.cols, weights.data, floor / rtol) },
          rtol,
        );
      }),
      { numRuns: RUNS },
    );
  });

  test(
    ['portfolioVolatility'],
    'portfolioVolatility: an asset of weight 0 is left out, also beside covariances its row sum overflows on',
    () => {
      // v_0 = S_10 + S_20 = 2e308 overflows (0 * Infinity would be NaN); w'Sw = S_11 + S_22 = 2
      const b = 1e308;
      const cov = { data: Float64Array.of(1, b, b, b, 1, 0, b, 0, 1), rows: 3, cols: 3 };
      const weights = Float64Array.of(0, 1, 1);
      expect(ref.portfolioVolatility(cov, weights)).toBe(Math.SQRT2);
      if (name === 'tfjs') return void expect(() => k.portfolioVolatility(cov, weights)).toThrow(/cov/); // beyond float32's range
      expect(Math.abs(k.portfolioVolatility(cov, weights) - Math.SQRT2)).toBeLessThanOrEqual(
        tolerance(name, 'portfolioVolatility') * Math.SQRT2,
      );
    },
  );

  test(['componentVar'], 'componentVar: both methods, one and P portfolios, NaN rows left out', () => {
    const options = fc.record({
      method: fc.constantFrom('gaussian' as const, 'cornish-fisher' as const),
      confidence: fc.oneof(fc.constantFrom(0.9, 0.95, 0.99), fc.double({ min: 0.01, max: 0.9999, noNaN: true })),
    });
    const inputs = matrixArb(returnArb, 60, 8).chain((returns) =>
      fc.tuple(
        fc.constant(returns),
        fc.integer({ min: 1, max: 5 }).chain((p) => fc.array(weightArb, { minLength: p * returns.cols, maxLength: p * returns.cols })),
      ),
    );
    fc.assert(
      fc.property(inputs, options, ([returns, w], o) => {
        const weights = { data: Float64Array.from(w), rows: w.length / returns.cols, cols: returns.cols };
        const a = k.componentVar(returns, weights, o);
        const e = ref.componentVar(returns, weights, o);
        // contributions are measured against the totals they sum to (a contribution of 1e-313 beside a
        // total of 1e-146 is rounding noise: the backends' normal quantiles may differ in the last ulp)
        const totals = Math.max(0, ...[...e.var, ...e.es].map(Math.abs).filter(Number.isFinite));
        // VaR and ES are -w'mu plus a multiple of the sd through the normal density (an ulp apart), and each
        // contribution w_i (-mu_i + ...): against |w'mu| and |w_i mu_i| too, what the density's term cancels with
        const rows = completeRows(returns);
        const mu = Array.from({ length: returns.cols }, (_, i) => rows.reduce((sum, row) => sum + row[i], 0) / rows.length);
        const terms = weights.data.map((x, k) => Math.max(totals, Math.abs(x * mu[k % returns.cols])));
        const loc = Float64Array.from({ length: weights.rows }, (_, p) =>
          Math.abs(mu.reduce((sum, m, i) => sum + weights.data[p * returns.cols + i] * m, 0)),
        );
        expectColumnsClose(
          { var: a.var, es: a.es, vc: a.varContributions.data, ec: a.esContributions.data },
          { var: e.var, es: e.es, vc: e.varContributions.data, ec: e.esContributions.data },
          { var: loc, es: loc, vc: terms, ec: terms },
        );
      }),
      {
        numRuns: RUNS,
        // a found case: returns near 1e-146 and a weight of 1e-275 give subnormal contributions
        examples: [
          [
            [
              {
                data: Float64Array.from([
                  0,
                  0,
                  0,
                  0,
                  0,
                  NaN,
                  0,
                  0,
                  0,
                  0,
                  0,
                  -1e-300,
                  -3.673525885671875e-146,
                  0,
                  -0,
                  0,
                  0,
                  0,
                  0,
                  -1.2465357264167838e-33,
                ]),
                rows: 10,
                cols: 2,
              },
              [1, -1.092612829062461e-275],
            ],
            { method: 'gaussian', confidence: 0.99 },
          ],
          // the ES crossing 0 (valueAtRisk's example): 1.4e-17 on one backend, 0 on the other
          [[{ data: ES_CROSSING, rows: ES_CROSSING.length, cols: 1 }, [1]], { method: 'gaussian', confidence: ES_ZERO }],
        ],
      },
    );
  });

  test(
    ['monteCarloVar', 'monteCarloScenarios'],
    'monteCarloVar and monteCarloScenarios: bit-identical scenarios, VaR and ES within 1e-12 (or the stated tolerance), normal and Student t',
    () => {
      const model = fc.integer({ min: 1, max: 9 }).chain((n) =>
        fc.record({
          factors: fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: (n + 2) * n, maxLength: (n + 2) * n }),
          mean: fc.array(fc.double({ min: -0.01, max: 0.01, noNaN: true }), { minLength: n, maxLength: n }),
          weights: fc.integer({ min: 1, max: 4 }).chain((p) => fc.array(weightArb, { minLength: p * n, maxLength: p * n })),
          n: fc.constant(n),
        }),
      );
      const options = fc.record({
        paths: fc.integer({ min: 1, max: 300 }),
        confidence: fc.constantFrom(0.5, 0.9, 0.99),
        horizon: fc.constantFrom(1, 10, 0.25),
        seed: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(2 ** 53 - 1)),
        distribution: fc.constantFrom('normal' as const, { studentT: 2.5 }, { studentT: 30 }),
      });
      fc.assert(
        fc.property(model, options, ({ factors, mean, weights, n }, o) => {
          // a positive definite covariance: X'X / rows + a small ridge, X (n + 2) x n
          const X = { data: Float64Array.from(factors), rows: n + 2, cols: n };
          const cov = ref.covariance(X, { method: 'ledoit-wolf' });
          for (let i = 0; i < n; i++) cov.data[i * n + i] += 1e-6;
          const m = { mean: Float64Array.from(mean), cov };
          const w = { data: Float64Array.from(weights), rows: weights.length / n, cols: n };
          const scenarios = k.monteCarloScenarios(m, o).data;
          const expected = ref.monteCarloScenarios(m, o).data;
          const a = k.monteCarloVar(m, w, o);
          const e = ref.monteCarloVar(m, w, o);
          if (!stated) {
            // the same scenarios and the same sorted selection: the same bits
            expect([...scenarios]).toEqual([...expected]);
            return expectColumnsClose({ var: a.var, es: a.es }, { var: e.var, es: e.es });
          }
          // another Cholesky factor: each asset measured against its largest scenario and its sd over the
          // horizon, each portfolio against its drift and sum_i |w_i| sd_i (what the factor's rounding scales with)
          const h = o.horizon;
          const sd = Float64Array.from({ length: n }, (_, i) => Math.sqrt(h * cov.data[i * n + i]));
          const largest = Float64Array.from({ length: n }, (_, i) =>
            Math.max(...Array.from({ length: o.paths }, (_, q) => Math.abs(expected[q * n + i]))),
          );
          const assetScale = Float64Array.from(expected, (_, x) => Math.max(largest[x % n] + sd[x % n], floor));
          const portfolioScale = Float64Array.from({ length: w.rows }, (_, p) => {
            let drift = 0;
            let spread = 0;
            for (let i = 0; i < n; i++) {
              drift += w.data[p * n + i] * m.mean[i];
              spread += Math.abs(w.data[p * n + i]) * sd[i];
            }
            return Math.max(Math.abs(h * drift) + spread, floor);
          });
          expectColumnsClose({ scenarios }, { scenarios: expected }, { scenarios: assetScale }, tolerance(name, 'monteCarloScenarios'));
          expectColumnsClose(
            { var: a.var, es: a.es },
            { var: e.var, es: e.es },
            { var: portfolioScale, es: portfolioScale },
            tolerance(name, 'monteCarloVar'),
          );
        }),
        { numRuns: 60 },
      );
    },
  );

  test(
    ['monteCarloScenarios'],
    'monteCarloScenarios with a diagonal covariance: the same bits on every backend (the same normals, the same factor); float32 ones within their tolerance',
    () => {
      for (const [n, seed, distribution] of [
        [1, 0, 'normal'],
        [7, 42, 'normal'],
        [12, 2 ** 53 - 1, { studentT: 3.5 }],
      ] as const) {
        const cov = { data: new Float64Array(n * n), rows: n, cols: n };
        for (let i = 0; i < n; i++) cov.data[i * n + i] = 1e-4 * (1 + i);
        const model = { mean: Float64Array.from({ length: n }, (_, i) => 1e-4 * (i - 3)), cov };
        const o = { paths: 257, seed, horizon: 5, distribution };
        const expected = ref.monteCarloScenarios(model, o).data;
        if (!FLOAT32_BACKENDS.has(name)) expect([...k.monteCarloScenarios(model, o).data]).toEqual([...expected]);
        // float32 scenarios: s z_i sqrt(h cov_ii) rounded, measured against each scenario's sd term
        else
          expectColumnsClose(
            { x: k.monteCarloScenarios(model, o).data },
            { x: expected },
            { x: Float64Array.from(expected, (_, q) => Math.abs(expected[q]) + Math.sqrt(5 * cov.data[(q % n) * (n + 1)])) },
            tolerance(name, 'monteCarloScenarios'),
          );
      }
    },
  );

  test(
    ['monteCarloVar'],
    "monteCarloVar whose P&L overflows (a mean near the largest double): the reference's VaR and ES (NaN, -Infinity)",
    () => {
      const model = { mean: Float64Array.of(Number.MAX_VALUE), cov: { data: Float64Array.of(6431.2195377007538), rows: 1, cols: 1 } };
      const weights = { data: Float64Array.of(98, 58.2, -56.2), rows: 3, cols: 1 };
      const o = { paths: 11, confidence: 0.192, horizon: 0.4, seed: 3320300901747659 };
      const a = k.monteCarloVar(model, weights, o);
      const e = ref.monteCarloVar(model, weights, o);
      expect([...a.var, ...a.es]).toEqual([...e.var, ...e.es]);
    },
  );

  test(
    ['valueAtRisk'],
    'historical valueAtRisk on long series (the sampled selection and its fallback): sorted, reversed, ties, adversarial',
    () => {
      for (const n of [2000, 1001]) {
        const wave = (i: number) => Math.sin(i * 12.9898) * 0.03;
        const patterns: Record<string, (i: number) => number> = {
          random: wave,
          ascending: (i) => i / n - 0.5,
          descending: (i) => 0.5 - i / n,
          'three values': (i) => [-0.01, 0, 0.01][i % 3],
          constant: () => 0.004,
          // the 64 sampled positions (every 31st) hold the largest values: the sample's threshold is too high
          'large at the sampled positions': (i) => (i % 31 === 0 ? 1 + i : wave(i)),
          // the sampled positions hold the smallest values: the threshold keeps too few, the fallback runs
          'small at the sampled positions': (i) => (i % 31 === 0 ? -1 - i / n : wave(i)),
          // orders that defeat a median of three (the selection's partitions, risk_select.hpp)
          'organ pipe': (i) => Math.min(i, n - i) / n,
          sawtooth: (i) => (i % 64) / 64 - (i % 7) / 700,
        };
        for (const [name, f] of Object.entries(patterns)) {
          const x = Float64Array.from({ length: n }, (_, i) => f(i));
          for (const confidence of [0.5, 0.7, 0.9, 0.95, 0.99, 0.999]) {
            const o = { method: 'historical' as const, confidence };
            const a = k.valueAtRisk(x, o);
            const e = ref.valueAtRisk(x, o);
            expect([a.var, a.es], `${name} at ${confidence}, n = ${n}`).toEqual([e.var, e.es]);
          }
        }
      }
    },
  );

  test(
    ['performanceStats', 'valueAtRisk', 'simpleReturns'],
    'edge cases: empty, one row, one column, all NaN, a constant series, a total loss',
    () => {
      const series = [
        new Float64Array(0),
        Float64Array.of(0.01),
        Float64Array.of(NaN, NaN),
        Float64Array.of(0.01, 0.01, 0.01),
        Float64Array.of(0.1, -1, 0.2),
        Float64Array.of(1e-300, -1e-300),
      ];
      for (const x of series) {
        expectColumnsClose({ ...k.performanceStats(x) }, { ...ref.performanceStats(x) });
        for (const method of ['historical', 'gaussian', 'cornish-fisher'] as const) {
          expectColumnsClose({ ...k.valueAtRisk(x, { method }) }, { ...ref.valueAtRisk(x, { method }) });
        }
      }
      expect(k.simpleReturns(Float64Array.of(5)).length).toBe(0);
    },
  );

  it('data faults: the same KernelInputError as the reference', () => {
    const calls: [KernelName, (kk: Kernels) => unknown][] = [
      ['simpleReturns', (kk) => kk.simpleReturns({ data: Float64Array.of(1, 2, 3, 0), rows: 2, cols: 2 })],
      ['logReturns', (kk) => kk.logReturns(Float64Array.of(1, Infinity))],
      ['performanceStats', (kk) => kk.performanceStats({ data: Float64Array.of(0.1, 0.2, -Infinity, 0), rows: 2, cols: 2 })],
      ['portfolioReturns', (kk) => kk.portfolioReturns(Float64Array.of(0.1, 0.2), Float64Array.of(Infinity))],
      ['valueAtRisk', (kk) => kk.valueAtRisk({ data: Float64Array.of(0.1, NaN, Infinity, 0), rows: 2, cols: 2 }, { method: 'gaussian' })],
      ['covariance', (kk) => kk.covariance({ data: Float64Array.of(0.1, NaN, -Infinity, 0), rows: 2, cols: 2 })],
      [
        'componentVar',
        (kk) =>
          kk.componentVar({ data: Float64Array.of(0.1, 0.2, 0.3, Infinity), rows: 2, cols: 2 }, Float64Array.of(1, 1), {
            method: 'gaussian',
          }),
      ],
      [
        'componentVar',
        (kk) =>
          kk.componentVar({ data: Float64Array.of(0.1, 0.2), rows: 1, cols: 2 }, Float64Array.of(1, -Infinity), {
            method: 'cornish-fisher',
          }),
      ],
      [
        'portfolioVolatility',
        (kk) => kk.portfolioVolatility({ data: Float64Array.of(1, 0, 0, 1), rows: 2, cols: 2 }, Float64Array.of(1, NaN)),
      ],
      [
        'monteCarloVar',
        (kk) =>
          kk.monteCarloVar(
            { mean: Float64Array.of(0, 0, 0), cov: { data: Float64Array.of(1, 0, 0, 0, 1, 2, 0, 2, 1), rows: 3, cols: 3 } },
            Float64Array.of(1, 1, 1),
          ),
      ],
      [
        'monteCarloVar',
        (kk) =>
          kk.monteCarloVar(
            { mean: Float64Array.of(0, 0), cov: { data: Float64Array.of(1, 0, 0, 1), rows: 2, cols: 2 } },
            Float64Array.of(1, Infinity),
          ),
      ],
      [
        'monteCarloScenarios',
        (kk) => kk.monteCarloScenarios({ mean: Float64Array.of(0, 0), cov: { data: Float64Array.of(0, 0, 0, 1), rows: 2, cols: 2 } }),
      ],
      [
        'monteCarloScenarios',
        (kk) =>
          kk.monteCarloScenarios({
            mean: Float64Array.of(0, 0, 0),
            cov: { data: Float64Array.of(4, 2, 0, 2, 1, 0, 0, 0, 1), rows: 3, cols: 3 },
          }),
      ],
    ];
    for (const [kernel, call] of calls) {
      if (!supports(kernel)) continue;
      expectSameFault(call, k);
    }
  });

  it('a panel of more than 2^18 returns (scanned in chunks on threads): the fault names the first infinite one', () => {
    const rows = 700;
    const cols = 500;
    for (const cells of [
      [
        [600, 7, -Infinity],
        [650, 1, Infinity],
        [10, 3, NaN],
      ],
      [
        [100, 5, Infinity],
        [600, 7, -Infinity],
        [699, 499, NaN],
      ],
      [
        [699, 499, Infinity],
        [20, 20, NaN],
      ],
    ]) {
      const data = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(i) * 0.01);
      for (const [r, c, v] of cells) data[r * cols + c] = v;
      const returns = { data, rows, cols };
      for (const [kernel, call] of [
        ['covariance', (kk: Kernels) => kk.covariance(returns)],
        ['hrp', (kk: Kernels) => kk.hrp(returns)],
        ['componentVar', (kk: Kernels) => kk.componentVar(returns, new Float64Array(cols).fill(1 / cols))],
      ] as const) {
        if (supports(kernel)) expectSameFault(call, k);
      }
    }
  });
});
