/**
 * The public kernel API: validation and defaults in one place, then dispatch to a backend.
 * `kernels({ backend })` binds every function to one backend; the top-level exports use 'auto'.
 */
import { autoBackend, getBackend, referenceBackend, type BackendChoice } from '../backends/index.js';
import type { Backend } from '../backends/types.js';
import { BackendUnavailableError, KernelInputError } from '../errors.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';
import { describeValue, requireFloat64Array } from './validate.js';
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
} from './vpin.js';

/**
 * Below this many trades 'auto' runs the VPIN family on the reference backend: the native call's
 * fixed cost is larger than the work. Measured by `npm run bench` (see README, "Backends").
 */
export const VPIN_NATIVE_MIN_TRADES = 96;

/** The kernel functions, bound to one backend choice. */
export interface Kernels {
  readonly backend: BackendChoice;
  /** Non-empty time bars of trades, aligned to multiples of `barMs` since the epoch. */
  timeBars(trades: Trades, options?: TimeBarOptions): TimeBars;
  /** Tick rule: +1 up-tick, -1 down-tick, unchanged price keeps the last sign, 0 before the first change. */
  tickRule(price: Float64Array): Int8Array;
  /** Bulk volume classification: buy volume per bar, volume * F(dP / sigma). */
  bulkClassify(bars: Pick<TimeBars, 'open' | 'close' | 'volume'>, options?: ClassifyOptions): Float64Array;
  /** VPIN per completed volume bucket. */
  vpin(trades: Trades, options: VpinOptions): VpinBuckets;
  /** Streaming VPIN with snapshot/restore; needs a causal sigma. */
  vpinStream(options: VpinOptions): VpinStream;
}

function createStream(backend: Backend, options: VpinOptions): VpinStream {
  const params = resolveVpinOptions(options, true);
  const core = backend.vpin.createVpinStream(params);
  return {
    update(trades: Trades) {
      requireTrades(trades);
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
}

/**
 * The kernel functions bound to a backend: `'auto'` (default: native for inputs large enough to pay
 * off, else the reference), `'native'` (throws BackendUnavailableError when the addon did not load)
 * or `'reference'`.
 */
export function kernels(options: { backend?: BackendChoice } = {}): Kernels {
  const choice = options.backend ?? 'auto';
  if (choice !== 'auto' && choice !== 'native' && choice !== 'reference') {
    throw new KernelInputError('options.backend', "'auto', 'native' or 'reference'", describeValue(choice));
  }
  const fixed = choice === 'auto' ? undefined : getBackend(choice);
  /** The backend for a call over `n` elements. */
  const pick = (n: number): Backend => fixed ?? (n < VPIN_NATIVE_MIN_TRADES ? referenceBackend : autoBackend());

  return {
    backend: choice,
    timeBars(trades, opts) {
      requireTrades(trades);
      const barMs = resolveBarMs(opts);
      return pick(trades.ts.length).vpin.timeBars(trades.ts, trades.price, trades.volume, barMs);
    },
    tickRule(price) {
      requireFloat64Array(price, 'price');
      return pick(price.length).vpin.tickRule(price);
    },
    bulkClassify(bars, opts) {
      requireBars(bars);
      const params = resolveClassifyOptions(opts);
      return pick(bars.open.length).vpin.bulkClassify(bars.open, bars.close, bars.volume, params);
    },
    vpin(trades, opts) {
      requireTrades(trades);
      const params = resolveVpinOptions(opts, false);
      return pick(trades.ts.length).vpin.vpin(trades.ts, trades.price, trades.volume, params);
    },
    vpinStream(opts) {
      // A stream keeps its state in one backend: native whenever it loads (batches vary in size).
      return createStream(fixed ?? autoBackend(), opts);
    },
  };
}

/** The default backend choice: KERNELBUS_BACKEND when set, else 'auto'. */
export function defaultBackendChoice(): BackendChoice {
  const env = process.env.KERNELBUS_BACKEND;
  if (env === undefined || env === '') return 'auto';
  if (env === 'auto' || env === 'native' || env === 'reference') return env;
  throw new BackendUnavailableError(env, "unknown KERNELBUS_BACKEND (expected 'auto', 'native' or 'reference')");
}
