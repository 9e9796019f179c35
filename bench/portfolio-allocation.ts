/**
 * The portfolio family's allocation kernels on ten years of daily returns of 500 assets (a
 * three-factor model, so that clusters and risk budgets are not trivial): riskParity, hrp (beside its
 * peer, PyPortfolioOpt's HRPOpt with single linkage on the same returns, timed in the same run in a
 * child process interleaved with ours: bench/portfolio-peers.ts), nearestPsd and expectedReturns,
 * native against the reference in one run. bench/portfolio.ts puts these rows in the `portfolio` section.
 */
import { kernels, matrix, type Matrix } from '../src/api/index.js';
import { stackCovariances } from '../src/kernels/portfolio/portfolio-shapes.js';
import { PORTFOLIO_NATIVE_MIN_VALUES, RISK_PARITY_NATIVE_MIN_VALUES } from '../src/api/auto.js';
import { autoSweep, backendRows, median, nativeThreads, prng, timeBest, type BenchRow } from './lib.js';
import { interleaved, peerRow } from './portfolio-peers.js';

/** T x N daily returns of a three-factor model (about 1-2 % a day) and the prices they give, from 100. */
function factorPanel(rows: number, cols: number, seed: number): { returns: Matrix; prices: Matrix } {
  const rnd = prng(seed);
  const loadings = Float64Array.from({ length: cols * 3 }, () => rnd());
  const returns = new Float64Array(rows * cols);
  const prices = new Float64Array((rows + 1) * cols).fill(100, 0, cols);
  for (let t = 0; t < rows; t++) {
    const f = [rnd() - 0.5, rnd() - 0.5, rnd() - 0.5];
    for (let c = 0; c < cols; c++) {
      const cluster = c % 3;
      const r =
        0.01 * (f[0] * loadings[c * 3] + 1.5 * f[1 + (cluster % 2)] * loadings[c * 3 + 1] + (rnd() - 0.5) * (1 + loadings[c * 3 + 2]));
      returns[t * cols + c] = r;
      prices[(t + 1) * cols + c] = prices[t * cols + c] * (1 + r);
    }
  }
  return { returns: matrix(returns, rows, cols), prices: matrix(prices, rows + 1, cols) };
}

/** The allocation kernels' rows of the `portfolio` section. */
export function allocationRows(section: string): BenchRow[] {
  const ref = kernels({ backend: 'reference' });
  const nat = kernels({ backend: 'native' });
  const one = kernels({ backend: 'native', threads: 1 });
  const threads = nativeThreads();
  const { returns, prices } = factorPanel(2520, 500, 11);
  const cov = nat.covariance(returns);
  const small = nat.covariance(matrix(returns.data.subarray(0, 2520 * 50), 2520, 50));
  const indefinite = matrix(Float64Array.from(cov.data), 500, 500);
  for (let i = 0; i < 500; i++) indefinite.data[i * 500 + i] *= 0.5; // correlations above 1: not PSD
  const rows: BenchRow[] = [];
  const add = (name: string, c: Parameters<typeof backendRows>[2]) => {
    const r = backendRows(section, name, c, threads);
    rows.push(...r.rows);
    return r.nativeMs;
  };
  add('riskParity N = 500 (equal budgets)', {
    reference: () => ref.riskParity(cov),
    native: () => nat.riskParity(cov),
    note: 'target <= 10 ms (the issue); Newton on the log-barrier form, contributions to 1e-13',
  });
  add('riskParity N = 50', { reference: () => ref.riskParity(small), native: () => nat.riskParity(small) });
  rows.push(...riskParityBatch(section, ref));
  const hrpName = 'hrp 2520 x 500 returns, single linkage';
  add(hrpName, {
    reference: () => ref.hrp(returns),
    native: () => nat.hrp(returns),
    oneThread: () => one.hrp(returns),
    slowReference: true,
    note: 'target >= 100x HRPOpt (issue 71)',
  });
  // beside HRPOpt, timed in the same run: our median of 9 calls a round, 3 rounds interleaved with its
  const { ours, peer } = interleaved(
    {
      hrp: () => {
        const times: number[] = [];
        nat.hrp(returns);
        for (let i = 0; i < 9; i++) {
          const t0 = performance.now();
          nat.hrp(returns);
          times.push(performance.now() - t0);
        }
        return median(times);
      },
    },
    { hrp: { kind: 'hrp', inputs: [returns.data], rows: returns.rows } },
    { rounds: 3, runs: 3 },
  );
  rows.push(
    { section, case: hrpName, subject: 'native, median', value: ours.hrp, unit: 'ms', note: 'median of 9 calls, median of 3 rounds' },
    peerRow(
      section,
      hrpName,
      'PyPortfolioOpt HRPOpt (single linkage)',
      peer,
      'hrp',
      ours.hrp,
      'target >= 100x',
      'native, median (speed-up of native over it)',
    ),
  );
  add('hrp N = 500 from { cov }, ward linkage', {
    reference: () => ref.hrp({ cov }, { linkage: 'ward' }),
    native: () => nat.hrp({ cov }, { linkage: 'ward' }),
  });
  add('nearestPsd N = 500 spectral (indefinite)', {
    reference: () => ref.nearestPsd(indefinite),
    native: () => nat.nearestPsd(indefinite),
    slowReference: true,
    note: 'the eigen-decomposition (tred2 + tql2) and the rebuild V diag(q) V',
  });
  add('nearestPsd N = 500 (PSD: the Cholesky test only)', { reference: () => ref.nearestPsd(cov), native: () => nat.nearestPsd(cov) });
  for (const method of ['mean', 'ema', 'capm'] as const) {
    add(`expectedReturns ${method} 2521 x 500 prices`, {
      reference: () => ref.expectedReturns(prices, { method }),
      native: () => nat.expectedReturns(prices, { method }),
    });
  }
  // where native starts to pay off ('auto' sizes riskParity and hrp({ cov }) by N x N)
  const covOf = (size: number) => {
    const n = Math.round(Math.sqrt(size));
    return nat.covariance(matrix(returns.data.subarray(0, 2520 * n), 2520, n));
  };
  const sizes = [2, 4, 8, 16, 32, 64].map((n) => n * n);
  rows.push(
    ...autoSweep(
      section,
      'riskParity() N x N',
      'values',
      RISK_PARITY_NATIVE_MIN_VALUES,
      'RISK_PARITY_NATIVE_MIN_VALUES',
      covOf,
      (c) => ref.riskParity(c),
      (c) => nat.riskParity(c),
      { sizes, calls: 20 },
    ),
    ...autoSweep(
      section,
      'hrp({ cov }) N x N',
      'values',
      PORTFOLIO_NATIVE_MIN_VALUES,
      'PORTFOLIO_NATIVE_MIN_VALUES',
      covOf,
      (c) => ref.hrp({ cov: c }),
      (c) => nat.hrp({ cov: c }),
      { sizes, calls: 20 },
    ),
  );
  return rows;
}

/**
 * 1,000 risk-parity problems of 50 assets, each over a 252-day window sliding by one day (covariances
 * computed before the timing, stacked: one call), native on 2 threads against one thread and the
 * reference; and the same problems one call each, for what the batch saves (the threads: a lone
 * problem runs on one).
 */
function riskParityBatch(section: string, ref: ReturnType<typeof kernels>): BenchRow[] {
  const two = kernels({ backend: 'native', threads: 2 });
  const one = kernels({ backend: 'native', threads: 1 });
  const [P, n, window] = [1000, 50, 252];
  const { returns } = factorPanel(window + P - 1, n, 13);
  const stack = new Float64Array(P * n * n);
  for (let p = 0; p < P; p++) {
    stack.set(one.covariance(matrix(returns.data.subarray(p * n, (p + window) * n), window, n)).data, p * n * n);
  }
  const covs = stackCovariances(matrix(stack, P * n, n));
  const name = 'riskParity batch: 1,000 rolling 252-day windows x 50 assets';
  const r = backendRows(
    section,
    name,
    {
      reference: () => ref.riskParity(covs),
      native: () => two.riskParity(covs),
      oneThread: () => one.riskParity(covs),
      note: 'native on 2 threads; the problems shared between threads, each solved whole by one (the same bits on any count)',
    },
    2,
  );
  const singles = Array.from({ length: P }, (_, p) => matrix(stack.subarray(p * n * n, (p + 1) * n * n), n, n));
  const separateMs = timeBest(
    () => {
      for (const c of singles) two.riskParity(c);
    },
    { minMs: 300 },
  );
  // the minVariance batch's column (a lone problem runs on one thread; risk parity has no warm start)
  r.rows.push({
    section,
    case: name,
    subject: 'native, one problem a call (cold start)',
    value: separateMs,
    unit: 'ms',
    ratio: separateMs / r.nativeMs,
    baseline: 'the batch (speed-up of one call with threads)',
  });
  return r.rows;
}
