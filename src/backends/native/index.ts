/**
 * The native backend: the addon's functions in the shape of the families (typed arrays pass through
 * uncopied; fixed-size outputs are allocated here, in JS, and filled by C++).
 */
import type { FactorFamily } from '../../kernels/factor.js';
import { PERFORMANCE_STATS, type RiskFamily } from '../../kernels/risk.js';
import type { SpecialFamily } from '../../kernels/special-family.js';
import { CLASSIFY_PARAMS, packParams, VPIN_PARAMS, type VpinBuckets, type VpinFamily } from '../../kernels/vpin.js';
import type { Backend, BackendProvider } from '../types.js';
import { loadNative, type NativeBinding } from './binding.js';

/** Fresh empty rows (the addon returns undefined rather than allocate five empty arrays). */
function noBuckets(): VpinBuckets {
  const empty = () => new Float64Array(0);
  return { endTs: empty(), buyVolume: empty(), sellVolume: empty(), vpin: empty(), cdf: empty() };
}

function nativeVpin(b: NativeBinding): VpinFamily {
  return {
    timeBars: (ts, price, volume, barMs) => b.timeBars(ts, price, volume, barMs),
    tickRule(price) {
      const out = new Int8Array(price.length);
      b.tickRule(price, out);
      return out;
    },
    bulkClassify(open, close, volume, params) {
      const out = new Float64Array(open.length);
      b.bulkClassify(open, close, volume, packParams(CLASSIFY_PARAMS, params), out);
      return out;
    },
    vpin: (ts, price, volume, params) => b.vpin(ts, price, volume, packParams(VPIN_PARAMS, params)),
    vpinStream(params) {
      const stream = new b.NativeVpinStream(packParams(VPIN_PARAMS, params));
      return {
        update: (ts, price, volume) => stream.update(ts, price, volume) ?? noBuckets(),
        flush: () => stream.flush() ?? noBuckets(),
        exportState: () => stream.exportState(),
        importState: (state) => stream.importState(state),
        get bucketCount() {
          return stream.bucketCount();
        },
      };
    },
  };
}

function nativeSpecial(b: NativeBinding): SpecialFamily {
  const map = (f: (x: Float64Array, out: Float64Array) => void) => (x: Float64Array) => {
    const out = new Float64Array(x.length);
    f(x, out);
    return out;
  };
  const mapNu = (f: (x: Float64Array, nu: number, out: Float64Array) => void) => (x: Float64Array, nu: number) => {
    const out = new Float64Array(x.length);
    f(x, nu, out);
    return out;
  };
  return {
    normalCdf: map(b.normalCdf),
    normalSf: map(b.normalSf),
    normalPdf: map(b.normalPdf),
    normalQuantile: map(b.normalQuantile),
    studentTCdf: mapNu(b.studentTCdf),
    studentTQuantile: mapNu(b.studentTQuantile),
  };
}

function nativeRisk(b: NativeBinding): RiskFamily {
  const returnsOf = (f: NativeBinding['simpleReturns']) => (prices: Float64Array, rows: number, cols: number) => {
    const out = new Float64Array(Math.max(rows - 1, 0) * cols);
    f(prices, rows, cols, out);
    return out;
  };
  return {
    simpleReturns: returnsOf(b.simpleReturns),
    logReturns: returnsOf(b.logReturns),
    portfolioReturns(returns, rows, cols, weights, portfolios) {
      const out = new Float64Array(rows * portfolios);
      b.portfolioReturns(returns, rows, cols, weights, portfolios, out);
      return out;
    },
    portfolioVolatility(cov, n, weights, portfolios) {
      const out = new Float64Array(portfolios);
      b.portfolioVolatility(cov, n, weights, portfolios, out);
      return out;
    },
    covariance(returns, rows, cols, method, lambda, adjust, benchmark) {
      const out = new Float64Array(cols * cols + 1);
      b.covariance(returns, rows, cols, method, lambda, adjust, benchmark, out);
      return out;
    },
    valueAtRisk(returns, rows, cols, method, confidence, ddof) {
      const out = new Float64Array(2 * cols);
      b.valueAtRisk(returns, rows, cols, method, confidence, ddof, out);
      return out;
    },
    monteCarloVar(mean, cov, n, weights, portfolios, paths, confidence, horizon, seed, nu) {
      const out = new Float64Array(2 * portfolios);
      b.monteCarloVar(mean, cov, n, weights, portfolios, paths, confidence, horizon, seed, nu, out);
      return out;
    },
    monteCarloScenarios(mean, cov, n, paths, horizon, seed, nu) {
      const out = new Float64Array(paths * n);
      b.monteCarloScenarios(mean, cov, n, paths, horizon, seed, nu, out);
      return out;
    },
    componentVar(returns, rows, cols, weights, portfolios, method, confidence) {
      const out = new Float64Array(portfolios * (2 + 2 * cols));
      b.componentVar(returns, rows, cols, weights, portfolios, method, confidence, out);
      return out;
    },
    performanceStats(returns, rows, cols, periodsPerYear, riskFree) {
      const out = new Float64Array(PERFORMANCE_STATS.length * cols);
      b.performanceStats(returns, rows, cols, periodsPerYear, riskFree, out);
      return out;
    },
  };
}

function nativeFactor(b: NativeBinding): FactorFamily {
  const panel = (rows: number, cols: number, fill: (out: Float64Array) => void) => {
    const out = new Float64Array(rows * cols);
    fill(out);
    return out;
  };
  return {
    winsorize: (x, rows, cols, lower, upper) => panel(rows, cols, (out) => b.winsorize(x, rows, cols, lower, upper, out)),
    standardize: (x, rows, cols) => panel(rows, cols, (out) => b.standardize(x, rows, cols, out)),
    momentum: (r, rows, cols, weights, lag, p) => panel(rows, cols, (out) => b.momentum(r, rows, cols, weights, lag, p, out)),
    size: (cap, rows, cols, lower, upper) => panel(rows, cols, (out) => b.size(cap, rows, cols, lower, upper, out)),
    value: (book, sales, cf, rows, cols, p) => panel(rows, cols, (out) => b.value(book, sales, cf, rows, cols, p, out)),
    factorReturns: (r, cap, rows, cols, sectors, perDate, m, styles, p, residualize) =>
      panel(rows, 1 + m + styles.length + cols, (out) => b.factorReturns(r, cap, rows, cols, sectors, perDate, m, styles, p, residualize, out)),
    factorCovariance: (f, rows, K, weights, lags) => panel(K, K, (out) => b.factorCovariance(f, rows, K, weights, lags, out)),
    specificRisk: (e, rows, cols, weights) => panel(1, cols, (out) => b.specificRisk(e, rows, cols, weights, out)),
    riskDecomposition: (X, N, K, cov, s, w, P) => panel(P, 3 + 2 * K, (out) => b.riskDecomposition(X, N, K, cov, s, w, P, out)),
  };
}

export function nativeBackend(b: NativeBinding): Backend {
  let threads = 0;
  return {
    name: 'native',
    families: { vpin: nativeVpin(b), special: nativeSpecial(b), risk: nativeRisk(b), factor: nativeFactor(b) },
    configure(settings) {
      const wanted = settings.threads ?? 0;
      if (wanted !== threads) b.setThreads((threads = wanted));
    },
  };
}

export const nativeProvider = {
  name: 'native',
  expected: true,
  load() {
    const loaded = loadNative();
    if (!loaded.binding) return { reason: loaded.error.message };
    return { backend: nativeBackend(loaded.binding), features: { ...loaded.binding.features() }, path: loaded.path };
  },
} as const satisfies BackendProvider;
