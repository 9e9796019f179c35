/**
 * The VPIN family's kernels as the API offers them (VpinKernels) and one descriptor per kernel
 * (VPIN_KERNELS, see descriptor.ts): the packed parameters (a params object packed in table order
 * for the native kernels, which unpack and check them), the options accepted, and `api`: the caller's
 * arguments checked, the options resolved, the backend call. Their outputs are variable in length
 * (bars, buckets): each backend allocates them. `vpinStream` holds state across calls: src/api builds
 * it from its options.
 */
import type { Call, KernelSpec } from './descriptor.js';
import { requireKnownOptions } from './descriptor.js';
import { FrameTrades, tradeRows } from './frame-trades.js';
import { requireFloat64Array } from './validate.js';
import {
  CLASSIFY_PARAMS,
  requireBars,
  requireTrades,
  resolveBarMs,
  resolveClassifyOptions,
  resolveVpinOptions,
  VPIN_PARAMS,
  type ClassifyOptions,
  type TimeBarOptions,
  type TimeBars,
  type Trades,
  type VpinBuckets,
  type VpinFamily,
  type VpinOptions,
} from './vpin.js';

/** The VPIN family's one-shot kernels (each also exists as `<name>Async`). */
export interface VpinKernels {
  /** Non-empty time bars of trades, aligned to multiples of `barMs` since the epoch. */
  timeBars(trades: Trades, options?: TimeBarOptions): TimeBars;
  /** Tick rule: +1 up-tick, -1 down-tick, unchanged price keeps the last sign, 0 before the first change. */
  tickRule(price: Float64Array): Int8Array;
  /** Bulk volume classification: buy volume per bar, volume * F(dP / sigma). */
  bulkClassify(bars: Pick<TimeBars, 'open' | 'close' | 'volume'>, options?: ClassifyOptions): Float64Array;
  /**
   * VPIN per completed volume bucket. A trade frame's columns (FrameTrades) are read where they lie
   * by the backends that can (vpinBytes); `vpinAsync` runs the pass over the trades on the native
   * addon's thread pool.
   */
  vpin(trades: Trades, options: VpinOptions): VpinBuckets;
}

/** A VPIN kernel's call: `run` gets the backend's family and returns the result as it is. */
function call<T>(size: number, run: (family: VpinFamily) => T): Call<T> {
  return { size, call: run, shape: (out: T) => out };
}

const CLASSIFY_OPTIONS = ['priceChange', 'sigma', 'distribution'] as const;
const VPIN_OPTIONS = ['bucketVolume', 'window', 'barMs', 'classifier', ...CLASSIFY_OPTIONS] as const;

/** One descriptor per kernel of the VPIN family (see the module's comment). */
export const VPIN_KERNELS = {
  timeBars: {
    params: [{ key: 'barMs', expected: 'a finite number > 0' }],
    options: ['barMs'],
    api(trades: Trades, opts?: TimeBarOptions) {
      requireTrades(trades);
      requireKnownOptions(VPIN_KERNELS.timeBars, opts);
      const barMs = resolveBarMs(opts);
      return call(trades.ts.length, (f) => f.timeBars(trades.ts, trades.price, trades.volume, barMs));
    },
  },
  tickRule: {
    params: [],
    api(price: Float64Array) {
      requireFloat64Array(price, 'price');
      return call(price.length, (f) => f.tickRule(price));
    },
  },
  bulkClassify: {
    params: CLASSIFY_PARAMS,
    options: CLASSIFY_OPTIONS,
    api(bars: Pick<TimeBars, 'open' | 'close' | 'volume'>, opts?: ClassifyOptions) {
      requireBars(bars);
      requireKnownOptions(VPIN_KERNELS.bulkClassify, opts);
      const params = resolveClassifyOptions(opts);
      return call(bars.open.length, (f) => f.bulkClassify(bars.open, bars.close, bars.volume, params));
    },
  },
  vpin: {
    params: VPIN_PARAMS,
    options: VPIN_OPTIONS,
    api(trades: Trades, opts: VpinOptions) {
      if (!(trades instanceof FrameTrades)) requireTrades(trades);
      requireKnownOptions(VPIN_KERNELS.vpin, opts);
      const params = resolveVpinOptions(opts, false);
      // a frame's columns where they lie when the backend reads them in place, else aligned (a copy)
      return call(tradeRows(trades), (f) =>
        trades instanceof FrameTrades && f.vpinBytes
          ? f.vpinBytes(trades.bytes, trades.rows, params)
          : f.vpin(trades.ts, trades.price, trades.volume, params),
      );
    },
  },
  vpinStream: { params: VPIN_PARAMS, options: VPIN_OPTIONS },
} as const satisfies { [K in Exclude<keyof VpinFamily, 'vpinBytes'>]: KernelSpec };
