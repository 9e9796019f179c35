/**
 * Risk family on a 2520 x 500 panel (ten years of daily returns of 500 assets): every kernel, native
 * against the reference in one run, the BLAS backend beside native where it implements the kernel
 * (when it is built), the tfjs backend (bench/tfjs.ts) at those sizes and smaller ones, then the size
 * sweeps that set the 'auto' thresholds. The Python peers (scikit-learn, numpy, pandas) are timed in
 * the same run, in a child process interleaved with rounds of ours (risk-peers.ts, bench/peers/risk.py;
 * installed by `npm run bench:peers`): a row each beside the native one, with native's speed-up over
 * it. A figure from another day stays in a note with its date, never as a ratio.
 */
import {
  BLAS_COVARIANCE_MIN_VALUES,
  BLAS_VOLATILITY_MIN_VALUES,
  METAL_MONTE_CARLO_MIN_VALUES,
  METAL_VOLATILITY_MIN_VALUES,
  RISK_NATIVE_MIN_VALUES,
} from '../src/api/auto.js';
import { backends, kernels, matrix, series, type Kernels, type Matrix } from '../src/api/index.js';
import { autoSweep, backendRows, nativeThreads, prng, timeBest, type BenchRow, type BenchSection } from './lib.js';
import { metalRows } from './metal.js';
import { riskPeerRows } from './risk-peers.js';
import { tfjsRows } from './tfjs.js';

/** A seeded T x N panel of daily returns (about 1 % a day) and the prices they give, from 100. */
function panel(rows: number, cols: number, seed = 3): { returns: Matrix; prices: Matrix } {
  const rnd = prng(seed);
  const returns = new Float64Array(rows * cols);
  const prices = new Float64Array((rows + 1) * cols).fill(100, 0, cols);
  for (let t = 0; t < rows; t++) {
    for (let c = 0; c < cols; c++) {
      const r = (rnd() - 0.5) * 0.035;
      returns[t * cols + c] = r;
      prices[(t + 1) * cols + c] = prices[t * cols + c] * (1 + r);
    }
  }
  return { returns: matrix(returns, rows, cols), prices: matrix(prices, rows + 1, cols) };
}

/** Columns of the BLAS sweeps (a year of daily returns of 4 to 256 assets). */
const SWEEP_ASSETS = [4, 8, 16, 24, 32, 48, 64, 96, 128, 256];

/**
 * Where BLAS starts to pay off over native: covariance of 252 x N returns and the volatility of 100
 * portfolios of N assets, N from SWEEP_ASSETS (sizes in values, as 'auto' counts them).
 */
function blasSweeps(nat: Kernels, blas: Kernels): BenchRow[] {
  const year = panel(252, 256, 5).returns;
  const returnsOf = (n: number) => matrix(year.data.subarray(0, 252 * n), 252, n);
  const portfolios = 100;
  const weights = Float64Array.from({ length: portfolios * 256 }, (_, i) => ((i * 7919) % 101) / 5050);
  return [
    ...autoSweep(
      'risk',
      'covariance() 252 x N',
      'values',
      BLAS_COVARIANCE_MIN_VALUES,
      'BLAS_COVARIANCE_MIN_VALUES',
      (size) => returnsOf(size / 252),
      (r) => nat.covariance(r),
      (r) => blas.covariance(r),
      { subject: 'blas vs native', sizes: SWEEP_ASSETS.map((n) => 252 * n), calls: 20 },
    ),
    ...autoSweep(
      'risk',
      'portfolioVolatility() 100 x N',
      'values',
      BLAS_VOLATILITY_MIN_VALUES,
      'BLAS_VOLATILITY_MIN_VALUES',
      (size) => ({
        cov: nat.covariance(returnsOf(size / portfolios)),
        w: matrix(weights.subarray(0, size), portfolios, size / portfolios),
      }),
      ({ cov, w }) => nat.portfolioVolatility(cov, w),
      ({ cov, w }) => blas.portfolioVolatility(cov, w),
      { subject: 'blas vs native', sizes: SWEEP_ASSETS.map((n) => portfolios * n), calls: 20 },
    ),
  ];
}

/**
 * What labels cost (issue 39): the same native call on a labelled matrix (asset names, dates) and on
 * the plain one, a series and a 2520 x 500 panel. The labels are references put on the outputs, no
 * data is copied: the ratio (labelled / plain time) should be 1 within noise.
 */
function labelRows(nat: Kernels, returns: Matrix, dates: Float64Array): BenchRow[] {
  const names = Array.from({ length: returns.cols }, (_, c) => `A${c}`);
  const labelled = matrix(returns.data, returns.rows, returns.cols, { columns: names, index: dates });
  const plainSeries = returns.data.filter((_, i) => i % returns.cols === 0).subarray(0, 252);
  const labelledSeries = series(Float64Array.from(plainSeries), { index: dates.subarray(0, 252), name: 'A0' });
  const cases: [string, () => unknown, () => unknown][] = [
    ['performanceStats one series of 252', () => nat.performanceStats(plainSeries), () => nat.performanceStats(labelledSeries)],
    ['performanceStats 2520 x 500', () => nat.performanceStats(returns), () => nat.performanceStats(labelled)],
    [
      'rolling volatility 2520 x 500, window 63',
      () => nat.rolling(returns, { window: 63, stats: ['volatility'] }),
      () => nat.rolling(labelled, { window: 63, stats: ['volatility'] }),
    ],
  ];
  return cases.flatMap(([name, plain, withLabels]) => {
    const plainMs = timeBest(plain, { minMs: 300 });
    const labelledMs = timeBest(withLabels, { minMs: 300 });
    const c = `labels: ${name}`;
    return [
      { section: 'risk', case: c, subject: 'native plain', value: plainMs, unit: 'ms' },
      {
        section: 'risk',
        case: c,
        subject: 'native labelled',
        value: labelledMs,
        unit: 'ms',
        ratio: labelledMs / plainMs,
        baseline: 'native plain (time ratio)',
        note: 'target <= 1.05x: labels are references on the outputs, no copy',
      },
    ];
  });
}

export const riskSection: BenchSection = {
  name: 'risk',
  async run() {
    const rows: BenchRow[] = [];
    if (!backends().some((b) => b.name === 'native' && b.available)) return rows;
    const ref = kernels({ backend: 'reference' });
    const nat = kernels({ backend: 'native' });
    const one = kernels({ backend: 'native', threads: 1 });
    const { returns, prices } = panel(2520, 500);
    const weights = matrix(
      Float64Array.from({ length: 100 * 500 }, (_, i) => ((i * 7919) % 101) / 5050),
      100,
      500,
    );
    const manyWeights = matrix(
      Float64Array.from({ length: 10_000 * 500 }, (_, i) => ((i * 7919) % 101) / 5050),
      10_000,
      500,
    );
    const cov = nat.covariance(returns);
    const benchmark = panel(2520, 1, 5).returns.data; // another seed: a market series
    // each portfolio's published 99 % VaR: 2.33 sd of its returns (exceptions near 1 % of the dates)
    const sd = nat.performanceStats(returns, { periodsPerYear: 1 }).annualVolatility;
    const var99 = matrix(
      Float64Array.from({ length: 2520 * 500 }, (_, i) => 2.33 * sd[i % 500]),
      2520,
      500,
    );
    const backtestOut = {
      ref: ref.varBacktest(returns, var99, { confidence: 0.99 }),
      nat: nat.varBacktest(returns, var99, { confidence: 0.99 }),
      one: one.varBacktest(returns, var99, { confidence: 0.99 }),
    };
    const dates = Float64Array.from({ length: 2520 }, (_, t) => Date.UTC(2015, 0, 1) + t * 86_400_000);
    const tenWeights = matrix(weights.data.subarray(0, 10 * 500), 10, 500);
    const thousandWeights = matrix(manyWeights.data.subarray(0, 1000 * 500), 1000, 500);
    const oneWeights = weights.data.subarray(0, 500);
    const model = { mean: new Float64Array(500).fill(0.0003), cov };
    const mc = { paths: 100_000, confidence: 0.99 };
    const mcT = { ...mc, distribution: { studentT: 5 } };
    // [case, reference, native (all threads), native with one thread where the kernel shares its work]
    const cases: [string, () => unknown, () => unknown, (() => unknown)?][] = [
      ['simpleReturns 2520 x 500', () => ref.simpleReturns(prices), () => nat.simpleReturns(prices)],
      ['logReturns 2520 x 500', () => ref.logReturns(prices), () => nat.logReturns(prices)],
      ['cumulativeReturns 2520 x 500', () => ref.cumulativeReturns(returns), () => nat.cumulativeReturns(returns)],
      [
        'portfolioReturns 2520 x 500, 100 portfolios',
        () => ref.portfolioReturns(returns, weights),
        () => nat.portfolioReturns(returns, weights),
      ],
      ['performanceStats 2520 x 500', () => ref.performanceStats(returns), () => nat.performanceStats(returns)],
      [
        'relativeStats 2520 x 500',
        () => ref.relativeStats(returns, benchmark),
        () => nat.relativeStats(returns, benchmark),
        () => one.relativeStats(returns, benchmark),
      ],
      ...(['volatility', 'sharpe', 'beta', 'maxDrawdown'] as const).map((stat): [string, () => unknown, () => unknown, () => unknown] => [
        `rolling ${stat} 2520 x 500, window 63`,
        () => ref.rolling(returns, { window: 63, benchmark, stats: [stat] }),
        () => nat.rolling(returns, { window: 63, benchmark, stats: [stat] }),
        () => one.rolling(returns, { window: 63, benchmark, stats: [stat] }),
      ]),
      [
        'rolling all 10 statistics 2520 x 500, window 63',
        () => ref.rolling(returns, { window: 63, benchmark }),
        () => nat.rolling(returns, { window: 63, benchmark }),
        () => one.rolling(returns, { window: 63, benchmark }),
      ],
      [
        'varBacktest 500 portfolios x 2520 dates, fresh output',
        () => ref.varBacktest(returns, var99, { confidence: 0.99 }),
        () => nat.varBacktest(returns, var99, { confidence: 0.99 }),
        () => one.varBacktest(returns, var99, { confidence: 0.99 }),
      ],
      // a risk engine's period after period: the result of the last call filled again (options.out)
      [
        'varBacktest 500 portfolios x 2520 dates, into a reused out',
        () => ref.varBacktest(returns, var99, { confidence: 0.99, out: backtestOut.ref }),
        () => nat.varBacktest(returns, var99, { confidence: 0.99, out: backtestOut.nat }),
        () => one.varBacktest(returns, var99, { confidence: 0.99, out: backtestOut.one }),
      ],
      ['drawdownSeries 2520 x 500', () => ref.drawdownSeries(returns), () => nat.drawdownSeries(returns)],
      [
        'drawdowns top 5 performance-analytics 2520 x 500',
        () => ref.drawdowns(returns),
        () => nat.drawdowns(returns),
        () => one.drawdowns(returns),
      ],
      [
        'drawdowns top 5 pyfolio 2520 x 500',
        () => ref.drawdowns(returns, { convention: 'pyfolio' }),
        () => nat.drawdowns(returns, { convention: 'pyfolio' }),
        () => one.drawdowns(returns, { convention: 'pyfolio' }),
      ],
      [
        'aggregateReturns monthly 2520 x 500',
        () => ref.aggregateReturns(returns, dates, 'monthly'),
        () => nat.aggregateReturns(returns, dates, 'monthly'),
      ],
      ['covariance sample 2520 x 500', () => ref.covariance(returns), () => nat.covariance(returns), () => one.covariance(returns)],
      [
        'covariance ledoit-wolf 2520 x 500',
        () => ref.covariance(returns, { method: 'ledoit-wolf' }),
        () => nat.covariance(returns, { method: 'ledoit-wolf' }),
        () => one.covariance(returns, { method: 'ledoit-wolf' }),
      ],
      ['covariance ewma 2520 x 500', () => ref.covariance(returns, { method: 'ewma' }), () => nat.covariance(returns, { method: 'ewma' })],
      [
        'portfolioVolatility 10,000 x 500',
        () => ref.portfolioVolatility(cov, manyWeights),
        () => nat.portfolioVolatility(cov, manyWeights),
        () => one.portfolioVolatility(cov, manyWeights),
      ],
      [
        'riskContributions 1,000 x 500',
        () => ref.riskContributions(cov, thousandWeights),
        () => nat.riskContributions(cov, thousandWeights),
        () => one.riskContributions(cov, thousandWeights),
      ],
      [
        'valueAtRisk historical 2520 x 500',
        () => ref.valueAtRisk(returns, { method: 'historical' }),
        () => nat.valueAtRisk(returns, { method: 'historical' }),
      ],
      [
        'valueAtRisk gaussian 2520 x 500',
        () => ref.valueAtRisk(returns, { method: 'gaussian' }),
        () => nat.valueAtRisk(returns, { method: 'gaussian' }),
      ],
      [
        'valueAtRisk cornish-fisher 2520 x 500',
        () => ref.valueAtRisk(returns, { method: 'cornish-fisher' }),
        () => nat.valueAtRisk(returns, { method: 'cornish-fisher' }),
      ],
      [
        'componentVar gaussian 2520 x 500, 10 portfolios',
        () => ref.componentVar(returns, tenWeights, { method: 'gaussian' }),
        () => nat.componentVar(returns, tenWeights, { method: 'gaussian' }),
      ],
      [
        'componentVar cornish-fisher 2520 x 500, 10 portfolios',
        () => ref.componentVar(returns, tenWeights, { method: 'cornish-fisher' }),
        () => nat.componentVar(returns, tenWeights, { method: 'cornish-fisher' }),
      ],
      [
        'monteCarloVar 100,000 paths x 500, 1 portfolio',
        () => ref.monteCarloVar(model, oneWeights, mc),
        () => nat.monteCarloVar(model, oneWeights, mc),
        () => one.monteCarloVar(model, oneWeights, mc),
      ],
      [
        'monteCarloVar student-t 100,000 paths x 500, 1 portfolio',
        () => ref.monteCarloVar(model, oneWeights, mcT),
        () => nat.monteCarloVar(model, oneWeights, mcT),
      ],
    ];
    const slow = new Set(['monteCarloVar 100,000 paths x 500, 1 portfolio', 'monteCarloVar student-t 100,000 paths x 500, 1 portfolio']);
    const notes: Record<string, string> = {
      'relativeStats 2520 x 500': 'target native <= 5 ms',
      'varBacktest 500 portfolios x 2520 dates, fresh output': 'a fresh 10 MB result each call (its pages faulted in)',
      'varBacktest 500 portfolios x 2520 dates, into a reused out': 'target native <= 5 ms',
      'rolling volatility 2520 x 500, window 63': 'target native >= 5x reference and >= 50x pandas (the pandas row: rolling(63).std())',
      'rolling sharpe 2520 x 500, window 63': 'target native >= 5x reference and >= 50x pandas (the pandas row)',
      'rolling beta 2520 x 500, window 63': 'target native >= 5x reference and >= 50x pandas (the pandas row)',
      'rolling maxDrawdown 2520 x 500, window 63': 'target native >= 5x reference and >= 50x pandas (the pandas row)',
      'valueAtRisk historical 2520 x 500': "target <= 0.4x numpy.percentile's time (issue 42; the python peer row)",
      'covariance sample 2520 x 500': 'target: native 1 thread <= 3x numpy.cov on 1 BLAS thread (the numpy rows)',
      'covariance ledoit-wolf 2520 x 500': "target <= 1x scikit-learn LedoitWolf's time (issue 42; the python peer row)",
      'covariance ewma 2520 x 500':
        "target <= 200 ms; pandas ewm().cov() is not timed by the bench (on 2026-11-23, issue 42's author: 69 s and 17.6 GB)",
      'portfolioVolatility 10,000 x 500': "target <= 4x numpy's time (the numpy row)",
      'monteCarloVar 100,000 paths x 500, 1 portfolio': 'target <= 100 ms (and the numpy row: Cholesky + matmul)',
    };
    // the BLAS backend beside native: [its call, its note]
    const blas = backends().some((b) => b.name === 'blas' && b.available) ? kernels({ backend: 'blas' }) : undefined;
    const numpyCov = "target >= 3x native, and within 1.2x of numpy.cov's time (the numpy.cov row)";
    const blasCases: Record<string, [(b: Kernels) => unknown, string?]> = {
      'covariance sample 2520 x 500': [(b) => b.covariance(returns), numpyCov],
      'covariance ledoit-wolf 2520 x 500': [
        (b) => b.covariance(returns, { method: 'ledoit-wolf' }),
        'dsyrk as for sample; the shrinkage is the native code',
      ],
      'portfolioVolatility 10,000 x 500': [
        (b) => b.portfolioVolatility(cov, manyWeights),
        "target >= 3x native, and within 1.2x of numpy's time (the numpy row)",
      ],
      'monteCarloVar 100,000 paths x 500, 1 portfolio': [
        (b) => b.monteCarloVar(model, oneWeights, mc),
        'only the Cholesky factor by dpotrf: the paths are the native ones',
      ],
    };
    const threads = nativeThreads();
    for (const [name, r, n, single] of cases) {
      const timed = backendRows(
        'risk',
        name,
        { reference: r, native: n, oneThread: single, slowReference: slow.has(name), note: notes[name] },
        threads,
      );
      rows.push(...timed.rows);
      const natMs = timed.nativeMs;
      const blasCase = blasCases[name];
      if (blas && blasCase) {
        const blasMs = timeBest(() => blasCase[0](blas), { minMs: 300 });
        rows.push({
          section: 'risk',
          case: name,
          subject: 'blas',
          value: blasMs,
          unit: 'ms',
          ratio: natMs / blasMs,
          baseline: 'native (speed-up)',
          note: blasCase[1],
        });
      }
    }
    const rolling = (stat: 'volatility' | 'sharpe' | 'beta' | 'maxDrawdown') => () =>
      nat.rolling(returns, { window: 63, benchmark, stats: [stat] });
    const old = (figure: string) => `${figure} (2026-11-23, issue 42's author)`;
    const pandas = (figure: string) => `${figure} (2026-11-24, pandas 1.5.3)`;
    rows.push(
      ...riskPeerRows(
        { returns, cov, weights: manyWeights, benchmark },
        {
          'covariance ledoit-wolf 2520 x 500': {
            peer: 'scikit-learn LedoitWolf().fit',
            native: () => nat.covariance(returns, { method: 'ledoit-wolf' }),
            target: "target native <= 1x scikit-learn's time: >= 1x (issue 42)",
          },
          'valueAtRisk historical 2520 x 500': {
            peer: 'numpy.percentile(axis=0)',
            native: () => nat.valueAtRisk(returns, { method: 'historical' }),
            target: "target native <= 0.4x numpy's time: >= 2.5x (issue 42)",
          },
          'covariance sample 2520 x 500': {
            peer: 'numpy.cov',
            native: () => nat.covariance(returns),
            before: old('11.6 ms with 2 BLAS threads'),
          },
          'covariance sample 2520 x 500, 1 thread': {
            peer: 'numpy.cov, 1 BLAS thread',
            peerCase: 'covariance sample 2520 x 500, 1 BLAS thread',
            native: () => one.covariance(returns),
            target: "target native 1 thread <= 3x numpy's time: >= 0.33x",
            before: old('17 ms'),
          },
          'portfolioVolatility 10,000 x 500': {
            peer: 'numpy sqrt(sum((W @ C) * W))',
            native: () => nat.portfolioVolatility(cov, manyWeights),
            target: "target native <= 4x numpy's time: >= 0.25x",
            before: old('65-95 ms, 2 BLAS threads'),
          },
          'monteCarloVar 100,000 paths x 500, 1 portfolio': {
            peer: 'numpy Cholesky + matmul + quantile',
            native: () => nat.monteCarloVar(model, oneWeights, mc),
            runs: 1,
            before: old('1.2-1.4 s'),
          },
          'rolling volatility 2520 x 500, window 63': {
            peer: 'pandas rolling(63).std()',
            native: rolling('volatility'),
            target: 'target >= 50x',
            before: pandas('34.7 ms'),
          },
          'rolling sharpe 2520 x 500, window 63': {
            peer: 'pandas rolling(63) mean / std',
            native: rolling('sharpe'),
            target: 'target >= 50x',
            before: pandas('60.2 ms'),
          },
          'rolling beta 2520 x 500, window 63': {
            peer: 'pandas rolling(63).cov(b) / var(b)',
            native: rolling('beta'),
            target: 'target >= 50x',
            before: pandas('145.5 ms'),
          },
          'rolling maxDrawdown 2520 x 500, window 63': {
            peer: 'pandas rolling(63).apply(max drawdown, raw=True)',
            native: rolling('maxDrawdown'),
            target: 'target >= 50x; pandas over 25 columns, times 20',
            before: pandas('6,262 ms'),
          },
        },
      ),
    );
    rows.push(...labelRows(nat, returns, dates));
    // tfjs (float32) at the sizes and at smaller ones, beside native
    const small = panel(252, 50, 9).returns;
    const smallCov = nat.covariance(small);
    const smallWeights = matrix(
      Float64Array.from({ length: 100 * 50 }, (_, i) => ((i * 7919) % 101) / 5050),
      100,
      50,
    );
    const smallModel = { mean: new Float64Array(50).fill(0.0003), cov: smallCov };
    const smallMc = { paths: 10_000, confidence: 0.99 };
    rows.push(
      ...(await tfjsRows('risk', [
        { name: 'covariance sample 2520 x 500', tfjs: (k) => k.covariance(returns), native: () => nat.covariance(returns), slow: true },
        {
          name: 'covariance ledoit-wolf 2520 x 500',
          tfjs: (k) => k.covariance(returns, { method: 'ledoit-wolf' }),
          native: () => nat.covariance(returns, { method: 'ledoit-wolf' }),
          slow: true,
        },
        { name: 'covariance sample 252 x 50', tfjs: (k) => k.covariance(small), native: () => nat.covariance(small) },
        {
          name: 'portfolioVolatility 10,000 x 500',
          tfjs: (k) => k.portfolioVolatility(cov, manyWeights),
          native: () => nat.portfolioVolatility(cov, manyWeights),
          slow: true,
        },
        {
          name: 'portfolioVolatility 100 x 50',
          tfjs: (k) => k.portfolioVolatility(smallCov, smallWeights),
          native: () => nat.portfolioVolatility(smallCov, smallWeights),
        },
        {
          name: 'monteCarloVar 100,000 paths x 500, 1 portfolio',
          tfjs: (k) => k.monteCarloVar(model, oneWeights, mc),
          native: () => nat.monteCarloVar(model, oneWeights, mc),
          slow: true,
        },
        {
          name: 'monteCarloVar 10,000 paths x 50, 1 portfolio',
          tfjs: (k) => k.monteCarloVar(smallModel, smallWeights.data.subarray(0, 50), smallMc),
          native: () => nat.monteCarloVar(smallModel, smallWeights.data.subarray(0, 50), smallMc),
        },
      ])),
    );
    // Metal (float32 shaders, on an Apple-silicon Mac only) beside native, and where it starts to pay off
    rows.push(
      ...metalRows(
        'risk',
        [
          {
            name: 'portfolioVolatility 10,000 x 500',
            metal: (k) => k.portfolioVolatility(cov, manyWeights),
            native: () => nat.portfolioVolatility(cov, manyWeights),
          },
          {
            name: 'portfolioVolatility 100 x 50',
            metal: (k) => k.portfolioVolatility(smallCov, smallWeights),
            native: () => nat.portfolioVolatility(smallCov, smallWeights),
          },
          {
            name: 'monteCarloVar 100,000 paths x 500, 1 portfolio',
            metal: (k) => k.monteCarloVar(model, oneWeights, mc),
            native: () => nat.monteCarloVar(model, oneWeights, mc),
          },
          {
            name: 'monteCarloVar student-t 100,000 paths x 500, 1 portfolio',
            metal: (k) => k.monteCarloVar(model, oneWeights, mcT),
            native: () => nat.monteCarloVar(model, oneWeights, mcT),
          },
          {
            name: 'monteCarloScenarios 10,000 paths x 500',
            metal: (k) => k.monteCarloScenarios(model, { paths: 10_000 }),
            native: () => nat.monteCarloScenarios(model, { paths: 10_000 }),
          },
        ],
        [
          {
            label: 'portfolioVolatility() P x 500',
            unit: 'values',
            threshold: METAL_VOLATILITY_MIN_VALUES,
            constant: 'METAL_VOLATILITY_MIN_VALUES',
            sizes: [10, 100, 1000, 10_000].map((p) => p * 500),
            input: (size: number) => matrix(manyWeights.data.subarray(0, size), size / 500, 500),
            metal: (k, w) => k.portfolioVolatility(cov, w),
            native: (w) => nat.portfolioVolatility(cov, w),
          },
          {
            label: 'monteCarloVar() paths x 500',
            unit: 'values',
            threshold: METAL_MONTE_CARLO_MIN_VALUES,
            constant: 'METAL_MONTE_CARLO_MIN_VALUES',
            sizes: [1000, 10_000, 30_000, 100_000].map((p) => p * 500),
            input: (size: number) => ({ ...mc, paths: size / 500 }),
            metal: (k, o) => k.monteCarloVar(model, oneWeights, o),
            native: (o) => nat.monteCarloVar(model, oneWeights, o),
          },
        ],
      ),
    );
    const series = returns.data.subarray(0, 1024);
    rows.push(
      ...autoSweep(
        'risk',
        'performanceStats()',
        'values',
        RISK_NATIVE_MIN_VALUES,
        'RISK_NATIVE_MIN_VALUES',
        (n) => series.subarray(0, n),
        (x) => ref.performanceStats(x),
        (x) => nat.performanceStats(x),
      ),
    );
    if (blas) rows.push(...blasSweeps(nat, blas));
    return rows;
  },
};
