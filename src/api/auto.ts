/**
 * How 'auto' picks a backend per call: one table of measured thresholds. For each kernel, the backends
 * to prefer, each from the input size (elements: trades, bars, values) at which `npm run bench`
 * measured it faster than the next one in the list (native than the reference, BLAS than native); the
 * first that is available and implements the kernel wins, else the reference. A backend that is not
 * built here (BLAS without a BLAS library) is skipped. Streams hold state across calls of every size:
 * their threshold is 0.
 */
import { KERNEL_FAMILY, type FamilyName, type KernelName } from '../kernels/families.js';
import { implementsKernel, loadBackend, provider, type BackendName } from '../backends/registry.js';
import type { Backend } from '../backends/types.js';
import { BackendUnavailableError } from '../errors.js';

/**
 * VPIN family: native pays off from about 8-16 trades per call (bench 'vpin', "auto sweep" rows: medians
 * of 9 interleaved rounds; 1.09x at 16 trades, 1.8x at 96 on the development machine).
 */
export const VPIN_NATIVE_MIN_TRADES = 16;

/**
 * Special functions over arrays: native pays off from 128 values (normalCdf native vs reference, medians
 * of 9 interleaved rounds, sweepSpeedups as bench 'vpin' "auto sweep: normalCdf()": 0.65x at 32 values,
 * 0.82x at 64, 1.06x at 128 on the 2-core development VM once the API's per-call cost fell, which made
 * the reference's small calls 5-18x faster and native's 4x: bench 'calls'; it was 32 before). The
 * other special functions cost more per value than normalCdf, so the N-API call is paid back sooner:
 * the same threshold is on the safe side for them.
 */
export const SPECIAL_NATIVE_MIN_VALUES = 128;

/**
 * Risk family (returns and per-column statistics): native pays off from 32-64 values per call (bench
 * 'risk', "auto sweep: performanceStats()" rows: 0.96x at 16 values, 1.07x at 32, 1.27x at 64 on the
 * development machine); 64 is on the safe side.
 */
export const RISK_NATIVE_MIN_VALUES = 64;

/**
 * portfolioVolatility natively from this many weights (portfolios x assets): one portfolio of N assets,
 * native vs reference (medians of 9 interleaved rounds, sweepSpeedups): 0.83x at N = 8, 1.28x at
 * N = 10, 1.75x at 16 on the development VM (bench 'calls' has the N = 10 row).
 */
export const VOLATILITY_NATIVE_MIN_VALUES = 10;

/**
 * Factor family (per-date panels): the same per-call cost as the risk family; 64 values until the
 * bench's 'factor' section sweeps it.
 */
export const FACTOR_NATIVE_MIN_VALUES = 64;

/**
 * Features family (bars from trades): a pass over the trades like the VPIN family's, so its threshold
 * until the bench's 'features' section sweeps it.
 */
export const FEATURES_NATIVE_MIN_TRADES = VPIN_NATIVE_MIN_TRADES;

/**
 * Portfolio family (optimizers: input size N x N x problems): native from the first problem (a solve
 * is many passes over the covariance: the call's cost is small beside it) until the bench's
 * 'portfolio' section sweeps it.
 */
export const PORTFOLIO_NATIVE_MIN_VALUES = 1;

/**
 * minVariance (input size N x N x problems): native from 64 values (N = 8). With the budget row's
 * closed form (both backends, up to 16 assets) the reference's solve of a tiny problem costs less
 * than a native call's arguments: the bench's 'portfolio' sweep, native vs reference, gave 0.75x at 1
 * value, 0.78x at 4, 0.88x at 16, 1.36x at 64 (2 cores under load, `--against 841e878`).
 */
export const MIN_VARIANCE_NATIVE_MIN_VALUES = 64;

/**
 * Indicators family (input size rows x cols): native from the first bar. The bench's 'indicators'
 * sweep of sma (period 5, the least work a bar) found native faster at every size it tried: 1.67x at
 * 8 bars, 1.18x at 16, 1.7x at 128, 6.8x at 1,024 (development machine, 2 cores under load).
 */
export const INDICATORS_NATIVE_MIN_VALUES = 1;

/**
 * riskParity natively from this many values (N x N): bench 'portfolio', "auto sweep: riskParity() N x N"
 * rows: 0.80x at N = 2 (a call of microseconds either way), 1.5x at N = 4, 7.1x at N = 64.
 */
export const RISK_PARITY_NATIVE_MIN_VALUES = 16;

/**
 * The BLAS backend (where it is built) for covariance from this many values (rows x cols): bench
 * 'risk', "auto sweep: covariance() 252 x N" rows (blas vs native over a year of daily returns of N
 * assets). Since native's register tiles (risk_gram.cpp), native is faster up to 32 assets (blas
 * 0.83-0.97x) and blas ahead by 1.06-1.51x from 48 (2026-11-27, quiet, AVX-512).
 */
export const BLAS_COVARIANCE_MIN_VALUES = 252 * 48;

/**
 * The BLAS backend for portfolioVolatility from this many weights (portfolios x assets): bench 'risk',
 * "auto sweep: portfolioVolatility() 100 x N" rows (100 portfolios of N assets): 1.05x at 4 assets (par),
 * 1.2-1.3x at 8, 2-5x from 32 on the development machine.
 */
export const BLAS_VOLATILITY_MIN_VALUES = 100 * 8;

/**
 * The Metal backend (float32 compute shaders on an Apple GPU; only where `backends()` reports it
 * available) from these sizes. Not measured yet: there is no Apple GPU where the bench ran, so they are
 * set high, where a GPU dispatch (tens of microseconds, plus the host's float64 passes) is certain to be
 * small beside the work, and must be measured on an Apple-silicon Mac (`npm run bench -- --only
 * vpin,risk,factor` prints the metal rows there). Above them 'auto' gives float32 results (within the
 * tolerances of docs/metal.md); `KERNELBUS_GPU=0` or `backend: 'native'` keeps float64.
 * bulkClassify: bars; portfolioVolatility: weights (portfolios x assets); Monte Carlo: paths x assets;
 * factorReturns: dates x assets.
 */
export const METAL_CLASSIFY_MIN_BARS = 1 << 20;
export const METAL_VOLATILITY_MIN_VALUES = 10_000 * 500;
export const METAL_MONTE_CARLO_MIN_VALUES = 100_000 * 100;
export const METAL_FACTOR_MIN_VALUES = 252 * 3_000;

/** A row of the table: [backend, minimum input size] in order of preference. */
type Thresholds = readonly (readonly [BackendName, number])[];

/** Each family's row: what a kernel of the family gets until the bench measures it apart. */
const FAMILY_THRESHOLDS: { readonly [F in FamilyName]: Thresholds } = {
  vpin: [['native', VPIN_NATIVE_MIN_TRADES]],
  special: [['native', SPECIAL_NATIVE_MIN_VALUES]],
  risk: [['native', RISK_NATIVE_MIN_VALUES]],
  factor: [['native', FACTOR_NATIVE_MIN_VALUES]],
  portfolio: [['native', PORTFOLIO_NATIVE_MIN_VALUES]],
  features: [['native', FEATURES_NATIVE_MIN_TRADES]],
  indicators: [['native', INDICATORS_NATIVE_MIN_VALUES]],
  // a simulation of T x K bars: native from the first bar until the bench measures a crossover
  backtest: [['native', 1]],
  // a fit is thousands of likelihood evaluations: native from the first return
  volatility: [['native', 1]],
  // passes over bars and events like the features family's: its threshold until the bench sweeps them
  labeling: [['native', FEATURES_NATIVE_MIN_TRADES]],
  // a book's P&L over its scenarios and a tail: native from the first value until the bench measures it
  margin: [['native', 1]],
  // a model's trees over rows: native from the first row
  ml: [['native', 1]],
};

/** The kernels measured apart from their family's row. */
const KERNEL_THRESHOLDS: { readonly [K in KernelName]?: Thresholds } = {
  bulkClassify: [
    ['metal', METAL_CLASSIFY_MIN_BARS],
    ['native', VPIN_NATIVE_MIN_TRADES],
  ],
  // a stream holds state across calls of every size
  vpinStream: [['native', 0]],
  // an optimization per initial set: native pays off from one day (bench 'vpin', the PIN rows)
  pin: [['native', 1]],
  covariance: [
    ['blas', BLAS_COVARIANCE_MIN_VALUES],
    ['native', RISK_NATIVE_MIN_VALUES],
  ],
  minVariance: [['native', MIN_VARIANCE_NATIVE_MIN_VALUES]],
  portfolioVolatility: [
    ['metal', METAL_VOLATILITY_MIN_VALUES],
    ['blas', BLAS_VOLATILITY_MIN_VALUES],
    ['native', VOLATILITY_NATIVE_MIN_VALUES],
  ],
  monteCarloVar: [
    ['metal', METAL_MONTE_CARLO_MIN_VALUES],
    ['native', 1],
  ],
  monteCarloScenarios: [
    ['metal', METAL_MONTE_CARLO_MIN_VALUES],
    ['native', 1],
  ],
  factorReturns: [
    ['metal', METAL_FACTOR_MIN_VALUES],
    ['native', FACTOR_NATIVE_MIN_VALUES],
  ],
  riskParity: [['native', RISK_PARITY_NATIVE_MIN_VALUES]],
};

/**
 * [backend, minimum input size] in order of preference, per kernel: its own row, else its family's.
 * The tfjs backend has no row: the bench never measured it ahead of native where 'auto' could use it
 * (docs/tfjs.md), so 'auto' never picks it. Nor has the BLAS backend's factorReturns: what it pays off
 * with is the number of styles, not the dates x assets 'auto' sizes the call by (bench 'factor', "blas
 * sweep" rows over 252 x 3,000 x (1 + 11 + s): 1.1x native at 3 styles, within this machine's noise
 * (1 style runs the native code on both and measured 1.12x), 1.2x at 5, 1.4-1.5x at 8-10, 2x at 15,
 * 3.5x at 20 on the development machine); a model with many styles asks for `backend: 'blas'`.
 */
export const AUTO_THRESHOLDS = Object.fromEntries(
  (Object.entries(KERNEL_FAMILY) as [KernelName, FamilyName][]).map(([kernel, family]) => [
    kernel,
    KERNEL_THRESHOLDS[kernel] ?? FAMILY_THRESHOLDS[family],
  ]),
) as { readonly [K in KernelName]: Thresholds };

const warned = new Set<string>();

/** The backend 'auto' uses for `kernel` over `size` elements. */
export function autoBackend(kernel: KernelName, size: number): Backend {
  return autoPicker(kernel)(size);
}

/**
 * autoBackend of one kernel, its row read once: the API makes one per kernel, so that a call does not
 * look the kernel up by name (about 0.1 us a call once many kernels share the call site). A backend of
 * the row found loaded and implementing the kernel is remembered (a loaded backend stays loaded); one
 * not loaded is asked again at the next call that reaches it (importBackends may bring it).
 */
export function autoPicker(kernel: KernelName): (size: number) => Backend {
  const row = AUTO_THRESHOLDS[kernel];
  const found: (Backend | undefined)[] = row.map(() => undefined);
  const at = (i: number): Backend | undefined => {
    if (found[i]) return found[i];
    const name = row[i][0];
    const result = loadBackend(name);
    if (result.backend && implementsKernel(result.backend, kernel)) return (found[i] = result.backend);
    if (!result.backend && provider(name)?.expected && !warned.has(name) && process.env.KERNELBUS_BACKEND !== 'reference') {
      warned.add(name);
      process.emitWarning(`kernelbus: using the reference backend: ${result.reason}`, { code: 'KERNELBUS_BACKEND_UNAVAILABLE' });
    }
    return undefined;
  };
  return (size) => {
    for (let i = 0; i < row.length; i++) {
      if (size < row[i][1]) continue;
      const backend = at(i);
      if (backend) return backend;
    }
    const reference = loadBackend('reference').backend;
    if (reference) return reference;
    // The reference's module is not imported (a command imports the backends its choice uses:
    // src/cli/kernels.ts): the first backend of the row that loads, whatever the size (they agree).
    for (const [name] of row) {
      const backend = loadBackend(name).backend;
      if (backend && implementsKernel(backend, kernel)) return backend;
    }
    throw new BackendUnavailableError('reference', "its module is not imported (importBackends(['reference']) first)", kernel);
  };
}
