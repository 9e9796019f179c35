/**
 * The one place that loads the native addon (node-gyp-build: prebuilds/<platform>-<arch>/ first, then
 * build/Release/). Exposes the typed NativeBinding or the reason it could not load, with the fixes.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KernelInputError } from '../../errors.js';
import { inputFault } from '../../kernels/faults.js';
import type { TimeBars, VpinBuckets } from '../../kernels/vpin.js';

/** The native stream object (native/binding/vpin_binding.cc). */
export interface NativeVpinStream {
  /** The buckets completed, or undefined when there are none. */
  update(ts: Float64Array, price: Float64Array, volume: Float64Array): VpinBuckets | undefined;
  /** update() over `rows` trades stored as ts | price | volume little-endian float64 at any offset of `columns`. */
  updateBytes(columns: Uint8Array, rows: number): VpinBuckets | undefined;
  flush(): VpinBuckets | undefined;
  exportState(): Float64Array;
  importState(state: Float64Array): void;
  bucketCount(): number;
}

/**
 * What the addon exports: positional numbers and typed arrays only (no option objects). Parameters
 * travel packed in a Float64Array in VPIN_PARAMS order (`packParams`); fixed-size outputs are
 * allocated here and passed in (`out`), variable-size ones are allocated by V8 before the kernel fills them.
 */
export interface NativeBinding {
  init(errors: { KernelInputError: typeof KernelInputError; inputFault: typeof inputFault }): void;
  features(): NativeFeatures;
  /** The threads later kernel calls may use (0: the default). Results do not depend on it. */
  setThreads(n: number): void;
  /** Test hook: the address native code reads for this view (proves zero-copy). */
  viewAddress(array: Float64Array): bigint;
  /** The packed parameter order the C++ layer reads (compared with VPIN_PARAMS by a test). */
  vpinParamNames(): string[];
  timeBars(ts: Float64Array, price: Float64Array, volume: Float64Array, barMs: number): TimeBars;
  tickRule(price: Float64Array, out: Int8Array): void;
  bulkClassify(open: Float64Array, close: Float64Array, volume: Float64Array, params: Float64Array, out: Float64Array): void;
  vpin(ts: Float64Array, price: Float64Array, volume: Float64Array, params: Float64Array): VpinBuckets;
  /** vpin() over `rows` trades stored as ts | price | volume little-endian float64 at any offset of `columns`. */
  vpinBytes(columns: Uint8Array, rows: number, params: Float64Array): VpinBuckets;
  /** vpin() on the thread pool (the pass over the trades), the buckets written on the JS thread. */
  vpinAsync(ts: Float64Array, price: Float64Array, volume: Float64Array, params: Float64Array): Promise<VpinBuckets>;
  NativeVpinStream: new (params: Float64Array) => NativeVpinStream;
  normalCdf(x: Float64Array, out: Float64Array): void;
  normalSf(x: Float64Array, out: Float64Array): void;
  normalPdf(x: Float64Array, out: Float64Array): void;
  normalQuantile(p: Float64Array, out: Float64Array): void;
  studentTCdf(t: Float64Array, nu: number, out: Float64Array): void;
  studentTQuantile(p: Float64Array, nu: number, out: Float64Array): void;
  simpleReturns(prices: Float64Array, rows: number, cols: number, out: Float64Array): void;
  logReturns(prices: Float64Array, rows: number, cols: number, out: Float64Array): void;
  portfolioReturns(returns: Float64Array, rows: number, cols: number, weights: Float64Array, portfolios: number, out: Float64Array): void;
  performanceStats(returns: Float64Array, rows: number, cols: number, periodsPerYear: number, riskFree: number, out: Float64Array): void;
  valueAtRisk(returns: Float64Array, rows: number, cols: number, method: number, confidence: number, ddof: number, out: Float64Array): void;
  covariance(returns: Float64Array, rows: number, cols: number, method: number, lambda: number, adjust: number, benchmark: number, out: Float64Array): void;
  portfolioVolatility(cov: Float64Array, n: number, weights: Float64Array, portfolios: number, out: Float64Array): void;
  monteCarloVar(mean: Float64Array, cov: Float64Array, n: number, weights: Float64Array, portfolios: number, paths: number, confidence: number, horizon: number, seed: number, nu: number, out: Float64Array): void;
  monteCarloScenarios(mean: Float64Array, cov: Float64Array, n: number, paths: number, horizon: number, seed: number, nu: number, out: Float64Array): void;
  winsorize(x: Float64Array, rows: number, cols: number, lower: number, upper: number, out: Float64Array): void;
  standardize(x: Float64Array, rows: number, cols: number, out: Float64Array): void;
  momentum(returns: Float64Array, rows: number, cols: number, weights: Float64Array, lag: number, winsorize: number, out: Float64Array): void;
  size(marketCap: Float64Array, rows: number, cols: number, lower: number, upper: number, out: Float64Array): void;
  value(book: Float64Array, sales: Float64Array, cashFlow: Float64Array, rows: number, cols: number, winsorize: number, out: Float64Array): void;
  factorReturns(
    returns: Float64Array, marketCap: Float64Array, rows: number, cols: number, sectors: Float64Array, perDate: number, m: number,
    styles: readonly Float64Array[], winsorize: number, residualize: number, out: Float64Array,
  ): void;
  factorCovariance(f: Float64Array, rows: number, K: number, weights: Float64Array, lags: number, out: Float64Array): void;
  specificRisk(residuals: Float64Array, rows: number, cols: number, weights: Float64Array, out: Float64Array): void;
  riskDecomposition(exposures: Float64Array, N: number, K: number, cov: Float64Array, specificVar: Float64Array, weights: Float64Array, portfolios: number, out: Float64Array): void;
  componentVar(returns: Float64Array, rows: number, cols: number, weights: Float64Array, portfolios: number, method: number, confidence: number, out: Float64Array): void;
}

/**
 * The BLAS backend's entry points, present when the addon was built with BLAS/LAPACK (features().blas
 * names the library): the same arguments and checks as the native kernels of the same name, and
 * `<name>Async` for each (native/binding/risk_binding.cc, factor_binding.cc).
 */
export interface BlasBinding {
  blasCovariance: NativeBinding['covariance'];
  blasPortfolioVolatility: NativeBinding['portfolioVolatility'];
  blasMonteCarloVar: NativeBinding['monteCarloVar'];
  blasMonteCarloScenarios: NativeBinding['monteCarloScenarios'];
  blasFactorReturns: NativeBinding['factorReturns'];
}

/** The system's Metal device as the addon sees it (metalDevice(), native/binding/metal_binding.cc). */
export interface MetalDeviceInfo {
  /** The addon has the Metal GPU runner (built on Apple). */
  built: boolean;
  /** The device's name ('Apple M2', 'Apple Paravirtual device'...), '' when there is none. */
  name: string;
  /** It supports the Apple7 GPU family (A14, M1) or later. */
  apple7: boolean;
  /** The embedded shaders compiled on it: the metal<Name> functions can run. */
  ready: boolean;
  /** Why it is not ready. */
  reason?: string;
}

/**
 * The Metal backend's entry points (native/metal/, docs/metal.md): shader<Name> runs the shaders of
 * shaders/*.metal compiled as C++ on the CPU (every platform: the parity suite's 'metal-cpu'),
 * metal<Name> runs them on the GPU (only in an addon built on Apple); both take the arguments of the
 * native kernel of the same name behind the same checks, and the risk and factor ones have their
 * `<name>Async`. metalDevice() finds the device and compiles the shaders once per process.
 */
export interface MetalBinding {
  metalDevice(): MetalDeviceInfo;
  /** The shader source embedded in the binary (what the GPU compiles). */
  metalShaderSource(): string;
  shaderBulkClassify: NativeBinding['bulkClassify'];
  shaderPortfolioVolatility: NativeBinding['portfolioVolatility'];
  shaderMonteCarloVar: NativeBinding['monteCarloVar'];
  shaderMonteCarloScenarios: NativeBinding['monteCarloScenarios'];
  shaderFactorReturns: NativeBinding['factorReturns'];
  metalBulkClassify?: NativeBinding['bulkClassify'];
  metalPortfolioVolatility?: NativeBinding['portfolioVolatility'];
  metalMonteCarloVar?: NativeBinding['monteCarloVar'];
  metalMonteCarloScenarios?: NativeBinding['monteCarloScenarios'];
  metalFactorReturns?: NativeBinding['factorReturns'];
}

/** What the addon was built with. */
export interface NativeFeatures {
  napiVersion: number;
  platform: string;
  /** The threads kernels use by default (KERNELBUS_THREADS, else the cores). */
  threads: number;
  /** The BLAS/LAPACK library the addon was built with (the BLAS backend's), or false. */
  blas: 'openblas' | 'accelerate' | false;
  /** The threads that library uses (with blas only). */
  blasThreads?: number;
  /** Why the library the addon was built with cannot be called here (Accelerate before macOS 13.3). */
  blasUnavailable?: string;
  /** Built with Apple's Accelerate (the BLAS backend's library on macOS). */
  accelerate: boolean;
  /** Built with the Metal backend's GPU runner (on Apple); metalDevice() says whether it can run here. */
  metal: boolean;
}

/** Root of the package (holds prebuilds/ and build/): three levels up from src|dist/backends/native. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export type LoadResult = { binding: NativeBinding; error?: undefined; path: string } | { binding?: undefined; error: Error };

/**
 * Requires the addon with OpenBLAS's idle threads told to sleep soon (OPENBLAS_THREAD_TIMEOUT=20: after
 * 2^20 cycles, well under a millisecond; read once, when the library loads with the addon; unless the
 * environment sets it, and removed again so that child processes do not inherit it): by default they
 * spin (sched_yield) for 2^28 cycles, about 0.1 s, after each BLAS call (OpenBLAS issues #1614, #5171),
 * on the cores the native kernels' threads use next (seen on 2 cores: a Monte Carlo run up to 1.7x
 * slower right after a BLAS covariance). Back-to-back BLAS calls still find them awake.
 */
function requireAddon(require: NodeJS.Require, path: string): NativeBinding {
  const ours = process.env.OPENBLAS_THREAD_TIMEOUT === undefined;
  if (ours) process.env.OPENBLAS_THREAD_TIMEOUT = '20';
  try {
    return require(path) as NativeBinding;
  } finally {
    if (ours) delete process.env.OPENBLAS_THREAD_TIMEOUT;
  }
}

function load(): LoadResult {
  if (process.env.KERNELBUS_BACKEND === 'reference') {
    return { error: new Error('disabled by KERNELBUS_BACKEND=reference') };
  }
  try {
    const require = createRequire(import.meta.url);
    const nodeGypBuild = require('node-gyp-build') as ((dir: string) => NativeBinding) & { resolve(dir: string): string };
    const path = nodeGypBuild.resolve(packageRoot);
    const binding = requireAddon(require, path);
    binding.init({ KernelInputError, inputFault });
    return { binding, path };
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    return {
      error: new Error(
        `the native addon did not load (${reason}). Fixes: run \`npm rebuild kernelbus\` (builds from source with ` +
          'cmake-js; needs CMake >= 3.15 and a C++17 compiler), or use a platform with a prebuilt binary ' +
          `(prebuilds/${process.platform}-${process.arch}); the reference backend works meanwhile.`,
        { cause },
      ),
    };
  }
}

let cached: LoadResult | undefined;

let threadsSet = 0;

/**
 * Sets the threads of the addon's later calls (0: the defaults): its own kernels' and, in an addon
 * built with BLAS, the library's. One setting shared by the backends over the addon (native, blas),
 * changed only when it differs from the last one set.
 */
export function useThreads(binding: NativeBinding, threads: number | undefined): void {
  const wanted = threads ?? 0;
  if (wanted !== threadsSet) binding.setThreads((threadsSet = wanted));
}

/** Loads the addon once; later calls return the same result. */
export function loadNative(): LoadResult {
  cached ??= load();
  return cached;
}
