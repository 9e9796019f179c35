/**
 * The dispatching API: validation and defaults (from the specs in src/kernels/), then a backend per
 * call (from the registry in src/backends/). `kernels({ backend })` binds every kernel to one backend
 * choice; the top-level exports use the default choice (KERNELBUS_BACKEND, else 'auto'). Every kernel
 * is written once over a Run (dispatch.ts) and exists twice: `<name>` and `<name>Async`.
 */
import { backendNames, loadBackend, type BackendName } from '../backends/registry.js';
import type { Backend } from '../backends/types.js';
import { BackendUnavailableError, KernelInputError } from '../errors.js';
import { requireKnownOptions } from '../kernels/descriptor.js';
import { FrameTrades } from '../kernels/frame-trades.js';
import { asColumns, type Matrix, type Series } from '../kernels/matrix.js';
import { decodeSnapshot, encodeSnapshot } from '../kernels/snapshot.js';
import { describeValue } from '../kernels/validate.js';
import { requireTrades, resolveVpinOptions, VPIN_KERNELS, type Trades, type VpinOptions, type VpinStream } from '../kernels/vpin.js';
import { backendPicker, promisedRun, syncRun, type Run } from './dispatch.js';
import { panelKernels, type PanelKernels } from './panel-kernels.js';
import { specialKernels, vpinKernels, type SpecialKernels, type VpinKernels } from './vpin-kernels.js';

export type { PortfolioReturnsFunction, Panel } from './panel-kernels.js';
export type { SpecialFunction, StudentTFunction } from './vpin-kernels.js';

/** What `kernels({ backend })` accepts: 'auto' (per call, from the measured thresholds) or a backend. */
export type BackendChoice = 'auto' | BackendName;

/** Returns from prices: a series gives a series, a T x N matrix a (T - 1) x N matrix. */
export interface ReturnsFunction {
  (prices: Float64Array): Float64Array;
  (prices: Matrix): Matrix;
}

/** The synchronous kernels: one function per kernel of every family (the stream aside). */
export interface SyncKernels extends VpinKernels, SpecialKernels, PanelKernels {
  /** Simple returns (p[t] - p[t-1]) / p[t-1] per column (empyrical.simple_returns). */
  simpleReturns: ReturnsFunction;
  /** Log returns log(p[t] / p[t-1]) per column. */
  logReturns: ReturnsFunction;
}

/**
 * `<name>Async(...)`: the same validation and result as `<name>`, as a promise; on the native backend
 * the kernel runs on the addon's thread pool, so the event loop stays free (elsewhere it runs on the
 * JS thread). Do not write to the arrays passed, nor transfer their buffers, until it settles.
 */
export type AsyncKernels = {
  [K in keyof SyncKernels as `${K}Async`]: SyncKernels[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
};

/** The kernel functions, bound to one backend choice. */
export interface Kernels extends SyncKernels, AsyncKernels {
  readonly backend: BackendChoice;
  /** Streaming VPIN with snapshot/restore; needs a causal sigma. */
  vpinStream(options: VpinOptions): VpinStream;
}

/** A loaded backend by name: BackendUnavailableError when it cannot load, KernelInputError when unknown. */
function namedBackend(choice: unknown): Backend {
  if (typeof choice !== 'string' || !backendNames().includes(choice)) {
    throw new KernelInputError(
      'options.backend',
      `'auto' or one of ${backendNames()
        .map((n) => `'${n}'`)
        .join(', ')}`,
      describeValue(choice),
    );
  }
  const result = loadBackend(choice);
  if (!result.backend) throw new BackendUnavailableError(choice, result.reason);
  return result.backend;
}

/** The returns kernels over `run`: a series gives a series, a matrix a matrix of one row fewer. */
function returnsKernels<Async extends boolean>(run: Run<Async>) {
  const returnsOf = (kernel: 'simpleReturns' | 'logReturns') => (prices: Series) => {
    const m = asColumns(prices, 'prices');
    return run(
      'risk',
      kernel,
      m.data.length,
      (f) => f[kernel](m.data, m.rows, m.cols),
      (data) => (prices instanceof Float64Array ? data : { data, rows: Math.max(m.rows - 1, 0), cols: m.cols }),
    );
  };
  return { simpleReturns: returnsOf('simpleReturns'), logReturns: returnsOf('logReturns') };
}

/** Every kernel over `run` (the functions of SyncKernels, or their promise forms). */
function allKernels<Async extends boolean>(run: Run<Async>) {
  return { ...vpinKernels(run), ...specialKernels(run), ...returnsKernels(run), ...panelKernels(run) };
}

/** `<name>Async` for every kernel of `promised`: a validation error rejects too. */
function asyncVariants(promised: Record<string, (...args: never[]) => unknown>): AsyncKernels {
  const out: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, f] of Object.entries(promised)) out[`${name}Async`] = (...args) => Promise.resolve().then(() => f(...args));
  return out as AsyncKernels;
}

/**
 * The kernel functions bound to a backend: `'auto'` (default: per call, the backend the thresholds of
 * src/api/auto.ts pick for the input size, else the reference) or a registered backend by name
 * (BackendUnavailableError now when it cannot load here, and at the call of a kernel it lacks).
 * `threads`: the threads a native call may use (default: KERNELBUS_THREADS, else the cores); results
 * are the same bits whatever the count (the work is shared out, no sum is split).
 */
export function kernels(options: { backend?: BackendChoice; threads?: number } = {}): Kernels {
  requireKnownOptions({ params: [], options: ['backend', 'threads'] }, options);
  const choice = options.backend ?? 'auto';
  const threads = options.threads;
  if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 1024)) {
    throw new KernelInputError('options.threads', 'an integer in [1, 1024]', describeValue(threads));
  }
  const pick = backendPicker(choice === 'auto' ? undefined : namedBackend(choice), threads);
  return {
    backend: choice,
    ...(allKernels(syncRun(pick)) as SyncKernels),
    ...asyncVariants(allKernels(promisedRun(pick))),
    vpinStream(opts) {
      requireKnownOptions(VPIN_KERNELS.vpinStream, opts);
      const params = resolveVpinOptions(opts, true);
      const core = pick('vpinStream', Infinity).families.vpin!.vpinStream!(params);
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
  };
}

/** The default backend choice: KERNELBUS_BACKEND when set, else 'auto'. */
export function defaultBackendChoice(): BackendChoice {
  const env = process.env.KERNELBUS_BACKEND;
  if (env === undefined || env === '' || env === 'auto') return 'auto';
  if (backendNames().includes(env)) return env as BackendName;
  throw new BackendUnavailableError(env, `unknown KERNELBUS_BACKEND (expected 'auto' or one of ${backendNames().join(', ')})`);
}
