/**
 * The covariance test's cost (src/kernels/portfolio/portfolio-psd.ts), on the cases: long-only
 * minVariance of 500 assets on a factor-model covariance (a market factor, 10 sectors, Student-t(4)
 * specific noise; 2,520 days, annualized) with the test (the default) and without (`assumePsd: true`),
 * on the pool's threads (the test beside the solve) and on one (the two added up),
 * on a fresh covariance each call (a new array with new values, as an engine passes one: the test runs
 * every call), checkPsd alone, and beside them, timed in the same run in a child process interleaved
 * with ours (bench/portfolio-peers.ts): PyPortfolioOpt `min_volatility` (cvxpy + CLARABEL) on the same
 * covariance, and OpenBLAS `dpotrf` (through scipy) on the same matrix, the yardstick of a Cholesky
 * factorization at this machine's FLOP rate. A covariance that passed the test twice is not tested
 * again while its array holds the same values (src/kernels/portfolio/portfolio-psd-known.ts): one row
 * calls again on one array. Then the rolling batch of the issue (1,000 windows of 50 assets, bounds
 * [0, 0.1]) with and without the test, on 2 threads and on one, a fresh stack each call.
 * bench/portfolio.ts puts these rows in the `portfolio` section.
 */
import { kernels, matrix, type Matrix } from '../src/api/index.js';
import { stackCovariances } from '../src/kernels/portfolio/portfolio-shapes.js';
import { median, nativeThreads, prng, timeBest, type BenchRow } from './lib.js';
import { freshMedian, interleaved, peerRow } from './portfolio-peers.js';

/** T x N daily returns: a market factor, 10 sectors and Student-t(4) specific noise (unit variance). */
function factorTape(rows: number, cols: number, seed: number): Matrix {
  const rnd = prng(seed);
  const normal = () => {
    let s = 0;
    for (let k = 0; k < 12; k++) s += rnd();
    return s - 6;
  };
  const studentT = () => {
    let c = 0;
    for (let k = 0; k < 4; k++) c += normal() ** 2;
    return normal() / Math.sqrt(c / 4) / Math.SQRT2;
  };
  const beta = Float64Array.from({ length: cols }, () => 0.5 + rnd());
  const vol = Float64Array.from({ length: cols }, () => 0.01 + 0.02 * rnd());
  const out = new Float64Array(rows * cols);
  for (let t = 0; t < rows; t++) {
    const m = 0.01 * normal();
    const sectors = Array.from({ length: 10 }, () => 0.005 * normal());
    for (let j = 0; j < cols; j++) out[t * cols + j] = 0.0004 + beta[j] * m + sectors[j % 10] + vol[j] * studentT();
  }
  return matrix(out, rows, cols);
}

/** The rows (see the module's comment). */
export function psdRows(section: string): BenchRow[] {
  const nat = kernels({ backend: 'native' });
  const one = kernels({ backend: 'native', threads: 1 });
  const threads = nativeThreads();
  const daily = nat.covariance(factorTape(2520, 500, 21));
  const cov = matrix(
    daily.data.map((v) => 252 * v),
    500,
    500,
  );
  const name = 'minVariance long-only, 500 assets, factor-model covariance (Student-t noise)';
  const { ours, peer } = interleaved(
    {
      withTest: () => freshMedian(cov, (c) => nat.minVariance(c)),
      without: () => freshMedian(cov, (c) => nat.minVariance(c, { assumePsd: true })),
      withTestOne: () => freshMedian(cov, (c) => one.minVariance(c)),
      withoutOne: () => freshMedian(cov, (c) => one.minVariance(c, { assumePsd: true })),
      test: () => freshMedian(cov, (c) => nat.checkPsd(c)),
      testOne: () => freshMedian(cov, (c) => one.checkPsd(c)),
    },
    {
      mv: { kind: 'min_volatility', inputs: [cov.data] },
      dpotrf: { kind: 'dpotrf', inputs: [cov.data] },
      dpotrf1: { kind: 'dpotrf1', inputs: [cov.data] },
    },
    { rounds: 3, runs: 7 },
  );
  const again = timeBest(() => nat.minVariance(cov), { minMs: 300 });
  const fresh = 'a fresh covariance each call (new values), made before the timing; median of 15, median of 3 rounds';
  const rows: BenchRow[] = [
    {
      section,
      case: name,
      subject: 'native (with the PSD test)',
      value: ours.withTest,
      unit: 'ms',
      note: `${fresh}; target >= 100x the peer, test included`,
    },
    {
      section,
      case: name,
      subject: 'native, assumePsd: true',
      value: ours.without,
      unit: 'ms',
      ratio: ours.withTest / ours.without,
      baseline: 'the test included (slow-down)',
    },
    {
      section,
      case: name,
      subject: 'native (with the PSD test), 1 thread',
      value: ours.withTestOne,
      unit: 'ms',
      ratio: ours.withTestOne / ours.withTest,
      baseline: `1 thread (speed-up of ${threads} threads: the test beside the solve)`,
      note: 'on one thread the test and the solve add up: the test (checkPsd, 1 thread, below) + the solve (assumePsd, 1 thread)',
    },
    {
      section,
      case: name,
      subject: 'native, assumePsd: true, 1 thread',
      value: ours.withoutOne,
      unit: 'ms',
      ratio: ours.withTestOne / ours.withoutOne,
      baseline: 'the test included, 1 thread (slow-down)',
    },
    {
      section,
      case: name,
      subject: 'native, one array called again (the test remembered)',
      value: again,
      unit: 'ms',
      ratio: again / ours.without,
      baseline: 'assumePsd (slow-down)',
      note: 'best of 300 ms of calls on one array: tested on its first two calls only',
    },
    { section, case: name, subject: 'native checkPsd alone', value: ours.test, unit: 'ms', note: `${threads} threads; ${fresh}` },
    {
      section,
      case: name,
      subject: 'native checkPsd alone, 1 thread',
      value: ours.testOne,
      unit: 'ms',
      ratio: ours.testOne / ours.test,
      baseline: `1 thread (speed-up of ${threads} threads)`,
    },
  ];
  const yardstick = (key: 'dpotrf' | 'dpotrf1', subject: string, ours: number, baseline: string, threadsNote: string): BenchRow => {
    const ms = peer.ms[key];
    if (ms === undefined) return { section, case: name, subject, value: Number.NaN, unit: 'ms', note: peer.missing || 'peer not measured' };
    return {
      section,
      case: name,
      subject,
      value: ms,
      unit: 'ms',
      ratio: ours / ms,
      baseline,
      note: `${peer.versions}: LAPACK's blocked Cholesky (n^3 / 3 flops) in scipy's OpenBLAS, ${threadsNote}, the yardstick; timed in this run, median of 3 rounds interleaved with ours`,
    };
  };
  rows.push(
    yardstick(
      'dpotrf',
      'OpenBLAS dpotrf, the same matrix',
      ours.test,
      `native checkPsd, ${threads} threads (its time over the yardstick)`,
      'its default threads',
    ),
    yardstick(
      'dpotrf1',
      'OpenBLAS dpotrf, the same matrix, 1 thread',
      ours.testOne,
      'native checkPsd, 1 thread (its time over the yardstick)',
      'one thread',
    ),
    peerRow(section, name, 'PyPortfolioOpt min_volatility (cvxpy + CLARABEL)', peer, 'mv', ours.withTest, 'target >= 100x, test included'),
  );
  rows.push(...batchRows(section, nat, one, threads));
  return rows;
}

/** The rolling batch on the factor tape: with and without the test, `threads` threads and one. */
function batchRows(section: string, nat: ReturnType<typeof kernels>, one: ReturnType<typeof kernels>, threads: number): BenchRow[] {
  const P = 1000;
  const n = 50;
  const window = 252;
  const panel = factorTape(window + P - 1, n, 22);
  const stack = new Float64Array(P * n * n);
  for (let p = 0; p < P; p++) stack.set(nat.covariance(matrix(panel.data.subarray(p * n, (p + window) * n), window, n)).data, p * n * n);
  const covs = stackCovariances(matrix(stack, P * n, n));
  const o = { bounds: { lower: 0, upper: 0.1 } };
  const skip = { ...o, assumePsd: true };
  const name = 'minVariance batch: 1,000 rolling windows x 50 assets of a factor-model tape, bounds [0, 0.1]';
  // a fresh stack each call (new values: the test runs every call), the four interleaved: 3 rounds of 7
  const runs: Record<'test' | 'testOne' | 'skip' | 'skipOne' | 'check', number[]> = {
    test: [],
    testOne: [],
    skip: [],
    skipOne: [],
    check: [],
  };
  for (let round = 0; round < 3; round++) {
    runs.test.push(freshMedian(covs, (c) => nat.minVariance(c, o), 7, stackCovariances));
    runs.testOne.push(freshMedian(covs, (c) => one.minVariance(c, o), 7, stackCovariances));
    runs.skip.push(freshMedian(covs, (c) => nat.minVariance(c, skip), 7, stackCovariances));
    runs.skipOne.push(freshMedian(covs, (c) => one.minVariance(c, skip), 7, stackCovariances));
    runs.check.push(freshMedian(covs, (c) => nat.checkPsd(c), 7, stackCovariances));
  }
  const t = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)])) as Record<keyof typeof runs, number>;
  const threadsNote = `1 thread (speed-up of ${threads} threads)`;
  return [
    {
      section,
      case: name,
      subject: 'native (with the PSD test)',
      value: t.test,
      unit: 'ms',
      note: 'a fresh stack each call; median of 7, median of 3 rounds interleaved; target <= 10 ms, >= 1.8x one thread',
    },
    {
      section,
      case: name,
      subject: 'native (with the PSD test), 1 thread',
      value: t.testOne,
      unit: 'ms',
      ratio: t.testOne / t.test,
      baseline: threadsNote,
    },
    { section, case: name, subject: 'native, assumePsd: true', value: t.skip, unit: 'ms' },
    {
      section,
      case: name,
      subject: 'native, assumePsd: true, 1 thread',
      value: t.skipOne,
      unit: 'ms',
      ratio: t.skipOne / t.skip,
      baseline: threadsNote,
    },
    { section, case: name, subject: 'native checkPsd of the 1,000 windows', value: t.check, unit: 'ms' },
  ];
}
