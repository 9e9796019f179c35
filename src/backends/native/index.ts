/**
 * The native backend: the addon's functions in the shape of the families (typed arrays pass through
 * uncopied; fixed-size outputs are allocated here, in JS, and filled by C++).
 */
import type { FactorFamily } from '../../kernels/factor.js';
import { PERFORMANCE_STATS, type RiskFamily } from '../../kernels/risk.js';
import type { SpecialFamily } from '../../kernels/special-family.js';
import { CLASSIFY_PARAMS, packParams, VPIN_PARAMS, type VpinBuckets, type VpinFamily } from '../../kernels/vpin.js';
import type { AsyncFamily, Backend, BackendProvider } from '../types.js';
import { loadNative, useThreads, type NativeBinding } from './binding.js';

/**
 * No buckets completed: the addon returns undefined rather than allocate five empty arrays, and this
 * one frozen result (empty, frozen arrays: nothing to write) stands for it, so that a streaming update
 * that completes no bucket, the common case, allocates nothing.
 */
const NO_BUCKETS: VpinBuckets = Object.freeze({
  endTs: Object.freeze(new Float64Array(0)),
  buyVolume: Object.freeze(new Float64Array(0)),
  sellVolume: Object.freeze(new Float64Array(0)),
  vpin: Object.freeze(new Float64Array(0)),
  cdf: Object.freeze(new Float64Array(0)),
});

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
    vpinBytes: (columns, rows, params) => b.vpinBytes(columns, rows, packParams(VPIN_PARAMS, params)),
    vpinStream(params) {
      const stream = new b.NativeVpinStream(packParams(VPIN_PARAMS, params));
      return {
        update: (ts, price, volume) => stream.update(ts, price, volume) ?? NO_BUCKETS,
        updateBytes: (columns, rows) => stream.updateBytes(columns, rows) ?? NO_BUCKETS,
        flush: () => stream.flush() ?? NO_BUCKETS,
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

/**
 * The output length of each kernel that writes one Float64Array, from its arguments: one table serves
 * the synchronous call and its promise variant (`<name>Async` in the addon: the kernel on the thread
 * pool, the arrays held until it settles).
 */
export const RISK_OUTPUTS = {
  portfolioReturns: (_r: Float64Array, rows: number, _c: number, _w: Float64Array, portfolios: number) => rows * portfolios,
  portfolioVolatility: (_c: Float64Array, _n: number, _w: Float64Array, portfolios: number) => portfolios,
  covariance: (_r: Float64Array, _rows: number, cols: number) => cols * cols + 1,
  valueAtRisk: (_r: Float64Array, _rows: number, cols: number) => 2 * cols,
  monteCarloVar: (_m: Float64Array, _c: Float64Array, _n: number, _w: Float64Array, portfolios: number) => 2 * portfolios,
  monteCarloScenarios: (_m: Float64Array, _c: Float64Array, n: number, paths: number) => paths * n,
  componentVar: (_r: Float64Array, _rows: number, cols: number, _w: Float64Array, portfolios: number) => portfolios * (2 + 2 * cols),
  performanceStats: (_r: Float64Array, _rows: number, cols: number) => PERFORMANCE_STATS.length * cols,
};

/** RISK_OUTPUTS for the factor family. */
export const FACTOR_OUTPUTS = {
  winsorize: (_x: Float64Array, rows: number, cols: number) => rows * cols,
  standardize: (_x: Float64Array, rows: number, cols: number) => rows * cols,
  momentum: (_r: Float64Array, rows: number, cols: number) => rows * cols,
  size: (_c: Float64Array, rows: number, cols: number) => rows * cols,
  value: (_b: Float64Array, _s: Float64Array, _c: Float64Array, rows: number, cols: number) => rows * cols,
  factorReturns: (_r: Float64Array, _c: Float64Array, rows: number, cols: number, _s: Float64Array, _p: number, m: number, styles: readonly Float64Array[]) =>
    rows * (1 + m + styles.length + cols),
  factorCovariance: (_f: Float64Array, _rows: number, K: number) => K * K,
  specificRisk: (_e: Float64Array, _rows: number, cols: number) => cols,
  riskDecomposition: (_x: Float64Array, _n: number, K: number, _c: Float64Array, _s: Float64Array, _w: Float64Array, portfolios: number) => portfolios * (3 + 2 * K),
};

type Outputs = Record<string, (...args: never[]) => number>;

/**
 * The sync and promise families of the kernels in `outputs`: allocate the output in JS, call the
 * addon's function `entry(name)` (or `entry(name)` + 'Async').
 */
export function outputKernels(b: object, outputs: Outputs, entry = (name: string) => name): { sync: Record<string, unknown>; async: Record<string, unknown> } {
  const addon = b as Record<string, (...args: unknown[]) => unknown>;
  const sync: Record<string, unknown> = {};
  const async: Record<string, unknown> = {};
  for (const [name, length] of Object.entries(outputs)) {
    const size = length as (...args: unknown[]) => number;
    const call = entry(name);
    sync[name] = (...args: unknown[]) => {
      const out = new Float64Array(size(...args));
      addon[call](...args, out);
      return out;
    };
    async[name] = async (...args: unknown[]) => {
      const out = new Float64Array(size(...args));
      await addon[`${call}Async`](...args, out);
      return out;
    };
  }
  return { sync, async };
}

function nativeRisk(b: NativeBinding): { sync: RiskFamily; async: AsyncFamily<RiskFamily> } {
  const returnsOf = (f: NativeBinding['simpleReturns']) => (prices: Float64Array, rows: number, cols: number) => {
    const out = new Float64Array(Math.max(rows - 1, 0) * cols);
    f(prices, rows, cols, out);
    return out;
  };
  const { sync, async } = outputKernels(b, RISK_OUTPUTS);
  return {
    sync: { simpleReturns: returnsOf(b.simpleReturns), logReturns: returnsOf(b.logReturns), ...sync } as unknown as RiskFamily,
    async: async as AsyncFamily<RiskFamily>,
  };
}

function nativeFactor(b: NativeBinding): { sync: FactorFamily; async: AsyncFamily<FactorFamily> } {
  const { sync, async } = outputKernels(b, FACTOR_OUTPUTS);
  return { sync: sync as unknown as FactorFamily, async: async as AsyncFamily<FactorFamily> };
}

/** The native backend over the loaded addon: every family, and the promise variants of vpin and the risk and factor kernels. */
export function nativeBackend(b: NativeBinding): Backend {
  const risk = nativeRisk(b);
  const factor = nativeFactor(b);
  return {
    name: 'native',
    families: { vpin: nativeVpin(b), special: nativeSpecial(b), risk: risk.sync, factor: factor.sync },
    async: {
      risk: risk.async,
      factor: factor.async,
      vpin: { vpin: (ts, price, volume, params) => b.vpinAsync(ts, price, volume, packParams(VPIN_PARAMS, params)) },
    },
    configure: (settings) => useThreads(b, settings.threads),
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
