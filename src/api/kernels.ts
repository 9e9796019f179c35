/**
 * The dispatching API: validation and defaults (from the specs in src/kernels/), then a backend per
 * call (from the registry in src/backends/). `kernels({ backend })` binds every kernel to one backend
 * choice; the top-level exports use the default choice (KERNELBUS_BACKEND, else 'auto').
 */
import { backendNames, implementsKernel, loadBackend, type BackendName } from '../backends/registry.js';
import type { Backend } from '../backends/types.js';
import { BackendUnavailableError, KernelInputError } from '../errors.js';
import { KERNEL_FAMILY, type Families, type FamilyName, type KernelName } from '../kernels/families.js';
import { FrameTrades, tradeRows } from '../kernels/frame-trades.js';
import { decodeSnapshot, encodeSnapshot } from '../kernels/snapshot.js';
import * as special from '../kernels/special.js';
import { requireNu } from '../kernels/special-family.js';
import { describeValue, requireFloat64Array } from '../kernels/validate.js';
import {
  requireBars,
  requireTrades,
  resolveBarMs,
  resolveClassifyOptions,
  resolveVpinOptions,
  type ClassifyOptions,
  type TimeBarOptions,
  type TimeBars,
  type Trades,
  type VpinBuckets,
  type VpinOptions,
  type VpinStream,
} from '../kernels/vpin.js';
import { asColumns, type Matrix, type Series } from '../kernels/risk.js';
import type { AsyncFamily } from '../backends/types.js';
import { autoBackend } from './auto.js';
import { asyncVariants, panelKernels, type AsyncPanelKernels, type PanelKernels } from './panel-kernels.js';

export type { PortfolioReturnsFunction } from './panel-kernels.js';

/** What `kernels({ backend })` accepts: 'auto' (per call, from the measured thresholds) or a backend. */
export type BackendChoice = 'auto' | BackendName;

/** A special function of x: a number gives a number (pure TS), a Float64Array an array (the backend). */
export interface SpecialFunction {
  (x: number): number;
  (x: Float64Array): Float64Array;
}
/** A Student-t function of (x, nu), number or Float64Array like SpecialFunction. */
export interface StudentTFunction {
  (x: number, nu: number): number;
  (x: Float64Array, nu: number): Float64Array;
}

/** Returns from prices: a series gives a series, a T x N matrix a (T - 1) x N matrix. */
export interface ReturnsFunction {
  (prices: Float64Array): Float64Array;
  (prices: Matrix): Matrix;
}

/** The kernel functions, bound to one backend choice. */
export interface Kernels extends PanelKernels, AsyncPanelKernels {
  readonly backend: BackendChoice;
  /** Non-empty time bars of trades, aligned to multiples of `barMs` since the epoch. */
  timeBars(trades: Trades, options?: TimeBarOptions): TimeBars;
  /** Tick rule: +1 up-tick, -1 down-tick, unchanged price keeps the last sign, 0 before the first change. */
  tickRule(price: Float64Array): Int8Array;
  /** Bulk volume classification: buy volume per bar, volume * F(dP / sigma). */
  bulkClassify(bars: Pick<TimeBars, 'open' | 'close' | 'volume'>, options?: ClassifyOptions): Float64Array;
  /** VPIN per completed volume bucket. */
  vpin(trades: Trades, options: VpinOptions): VpinBuckets;
  /** vpin() as a promise: natively the pass over the trades runs on the addon's thread pool (the arrays are held until it settles: do not write to them meanwhile). */
  vpinAsync(trades: Trades, options: VpinOptions): Promise<VpinBuckets>;
  /** Streaming VPIN with snapshot/restore; needs a causal sigma. */
  vpinStream(options: VpinOptions): VpinStream;
  /** Standard normal CDF Phi(x) (W. J. Cody's erf/erfc; full double precision). */
  normalCdf: SpecialFunction;
  /** Its complement 1 - Phi(x), without cancellation in the upper tail. */
  normalSf: SpecialFunction;
  /** Standard normal density. */
  normalPdf: SpecialFunction;
  /** Inverse of Phi (Wichura AS241): p in [0, 1], else NaN. */
  normalQuantile: SpecialFunction;
  /** Student-t CDF with nu > 0 degrees of freedom. */
  studentTCdf: StudentTFunction;
  /** Inverse of the Student-t CDF. */
  studentTQuantile: StudentTFunction;
  /** Simple returns (p[t] - p[t-1]) / p[t-1] per column (empyrical.simple_returns). */
  simpleReturns: ReturnsFunction;
  /** Log returns log(p[t] / p[t-1]) per column. */
  logReturns: ReturnsFunction;
}


/** A loaded backend by name: BackendUnavailableError when it cannot load, KernelInputError when unknown. */
function namedBackend(choice: unknown): Backend {
  if (typeof choice !== 'string' || !backendNames().includes(choice)) {
    throw new KernelInputError('options.backend', `'auto' or one of ${backendNames().map((n) => `'${n}'`).join(', ')}`, describeValue(choice));
  }
  const result = loadBackend(choice);
  if (!result.backend) throw new BackendUnavailableError(choice, result.reason);
  return result.backend;
}

/**
 * The kernel functions bound to a backend: `'auto'` (default: per call, the backend the thresholds of
 * src/api/auto.ts pick for the input size, else the reference) or a registered backend by name
 * (BackendUnavailableError now when it cannot load here, and at the call of a kernel it lacks).
 * `threads`: the threads a native call may use (default: KERNELBUS_THREADS, else the cores); results
 * are the same bits whatever the count (the work is shared out, no sum is split).
 */
export function kernels(options: { backend?: BackendChoice; threads?: number } = {}): Kernels {
  const choice = options.backend ?? 'auto';
  const threads = options.threads;
  if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 1024)) {
    throw new KernelInputError('options.threads', 'an integer in [1, 1024]', describeValue(threads));
  }
  const fixed = choice === 'auto' ? undefined : namedBackend(choice);

  /** The backend that runs `kernel` over `size` elements, configured for this call. */
  function pick(kernel: KernelName, size: number): Backend {
    const backend = fixed ?? autoBackend(kernel, size);
    if (!implementsKernel(backend, kernel)) {
      throw new BackendUnavailableError(backend.name, `it does not implement kernel '${kernel}' (family '${KERNEL_FAMILY[kernel]}')`, kernel);
    }
    backend.configure?.({ threads });
    return backend;
  }

  /** The family implementation that runs `kernel` over `size` elements. */
  function family<F extends FamilyName>(name: F, kernel: KernelName, size: number): Families[F] {
    return pick(kernel, size).families[name] as Families[F];
  }

  /** `kernel` as a promise: the backend's promise variant, else its synchronous kernel on this thread. */
  function asyncFamily<F extends FamilyName>(name: F, kernel: KernelName, size: number): Families[F] {
    const backend = pick(kernel, size);
    const sync = backend.families[name] as Record<string, (...args: unknown[]) => unknown>;
    const promised = backend.async?.[name] as AsyncFamily<Record<string, (...args: unknown[]) => unknown>> | undefined;
    const run = promised?.[kernel] ?? (async (...args: unknown[]) => sync[kernel](...args));
    return { [kernel]: run } as unknown as Families[F];
  }

  const panel = panelKernels({ family, then: (out, shape) => shape(out) });
  const asyncPanel = panelKernels({
    family: asyncFamily,
    then: (out, shape) => (out as unknown as Promise<Float64Array>).then(shape) as unknown as ReturnType<typeof shape>,
  });

  const special1 = (kernel: 'normalCdf' | 'normalSf' | 'normalPdf' | 'normalQuantile'): SpecialFunction =>
    ((x: number | Float64Array) => {
      if (typeof x === 'number') return special[kernel](x);
      requireFloat64Array(x, 'x');
      return family('special', kernel, x.length)[kernel](x);
    }) as SpecialFunction;
  const specialNu = (kernel: 'studentTCdf' | 'studentTQuantile'): StudentTFunction =>
    ((x: number | Float64Array, nu: number) => {
      requireNu(nu);
      if (typeof x === 'number') return special[kernel](x, nu);
      requireFloat64Array(x, 'x');
      return family('special', kernel, x.length)[kernel](x, nu);
    }) as StudentTFunction;

  const returnsOf = (kernel: 'simpleReturns' | 'logReturns'): ReturnsFunction =>
    ((prices: Series) => {
      const m = asColumns(prices, 'prices');
      const data = family('risk', kernel, m.data.length)[kernel](m.data, m.rows, m.cols);
      return prices instanceof Float64Array ? data : { data, rows: Math.max(m.rows - 1, 0), cols: m.cols };
    }) as ReturnsFunction;

  return {
    backend: choice,
    timeBars(trades, opts) {
      requireTrades(trades);
      const barMs = resolveBarMs(opts);
      return family('vpin', 'timeBars', trades.ts.length).timeBars(trades.ts, trades.price, trades.volume, barMs);
    },
    tickRule(price) {
      requireFloat64Array(price, 'price');
      return family('vpin', 'tickRule', price.length).tickRule(price);
    },
    bulkClassify(bars, opts) {
      requireBars(bars);
      const params = resolveClassifyOptions(opts);
      return family('vpin', 'bulkClassify', bars.open.length).bulkClassify(bars.open, bars.close, bars.volume, params);
    },
    vpin(trades, opts) {
      if (!(trades instanceof FrameTrades)) requireTrades(trades);
      const params = resolveVpinOptions(opts, false);
      const impl = family('vpin', 'vpin', tradeRows(trades));
      // a frame's columns where they lie when the backend reads them in place, else aligned (a copy)
      if (trades instanceof FrameTrades && impl.vpinBytes) return impl.vpinBytes(trades.bytes, trades.rows, params);
      return impl.vpin(trades.ts, trades.price, trades.volume, params);
    },
    async vpinAsync(trades, opts) {
      requireTrades(trades);
      const params = resolveVpinOptions(opts, false);
      const backend = pick('vpin', trades.ts.length);
      const promised = backend.async?.vpin?.vpin;
      const impl = backend.families.vpin as Families['vpin'];
      return promised ? promised(trades.ts, trades.price, trades.volume, params) : impl.vpin(trades.ts, trades.price, trades.volume, params);
    },
    vpinStream(opts) {
      const params = resolveVpinOptions(opts, true);
      const core = family('vpin', 'vpinStream', Infinity).vpinStream(params);
      return {
        update(trades: Trades) {
          if (trades instanceof FrameTrades) {
            if (core.updateBytes) return core.updateBytes(trades.bytes, trades.rows);
          } else {
            requireTrades(trades);
          }
          return core.update(trades.ts, trades.price, trades.volume);
        },
        flush: () => core.flush(),
        snapshot: () => encodeSnapshot(params, core.exportState()),
        restore(bytes: Uint8Array) {
          core.importState(decodeSnapshot(params, bytes));
        },
        get bucketCount() {
          return core.bucketCount;
        },
      };
    },
    normalCdf: special1('normalCdf'),
    normalSf: special1('normalSf'),
    normalPdf: special1('normalPdf'),
    normalQuantile: special1('normalQuantile'),
    studentTCdf: specialNu('studentTCdf'),
    studentTQuantile: specialNu('studentTQuantile'),
    simpleReturns: returnsOf('simpleReturns'),
    logReturns: returnsOf('logReturns'),
    ...panel,
    ...asyncVariants(asyncPanel),
  };
}

/** The default backend choice: KERNELBUS_BACKEND when set, else 'auto'. */
export function defaultBackendChoice(): BackendChoice {
  const env = process.env.KERNELBUS_BACKEND;
  if (env === undefined || env === '' || env === 'auto') return 'auto';
  if (backendNames().includes(env)) return env as BackendName;
  throw new BackendUnavailableError(env, `unknown KERNELBUS_BACKEND (expected 'auto' or one of ${backendNames().join(', ')})`);
}
