/**
 * The VPIN family's kernels and the special functions of the API, written once over a Run (see
 * dispatch.ts): validation and defaults from the specs, the backend call, the result.
 */
import { requireKnownOptions } from '../kernels/descriptor.js';
import { FrameTrades, tradeRows } from '../kernels/frame-trades.js';
import { requireNu, SPECIAL_KERNELS } from '../kernels/special-family.js';
import { requireFloat64Array } from '../kernels/validate.js';
import {
  requireBars,
  requireTrades,
  resolveBarMs,
  resolveClassifyOptions,
  resolveVpinOptions,
  VPIN_KERNELS,
  type ClassifyOptions,
  type TimeBarOptions,
  type TimeBars,
  type Trades,
  type VpinBuckets,
  type VpinOptions,
} from '../kernels/vpin.js';
import { normalCdf, normalPdf, normalQuantile, normalSf, studentTCdf, studentTQuantile } from '../math/special.js';
import type { Result, Run } from './dispatch.js';

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

/** The VPIN family's one-shot kernels and the special functions (the stream is in kernels.ts). */
export interface VpinKernels<Async extends boolean = false> {
  /** Non-empty time bars of trades, aligned to multiples of `barMs` since the epoch. */
  timeBars(trades: Trades, options?: TimeBarOptions): Result<Async, TimeBars>;
  /** Tick rule: +1 up-tick, -1 down-tick, unchanged price keeps the last sign, 0 before the first change. */
  tickRule(price: Float64Array): Result<Async, Int8Array>;
  /** Bulk volume classification: buy volume per bar, volume * F(dP / sigma). */
  bulkClassify(bars: Pick<TimeBars, 'open' | 'close' | 'volume'>, options?: ClassifyOptions): Result<Async, Float64Array>;
  /**
   * VPIN per completed volume bucket. A trade frame's columns (FrameTrades) are read where they lie
   * by the backends that can.
   */
  vpin(trades: Trades, options: VpinOptions): Result<Async, VpinBuckets>;
}

/** The special functions over a Run: numbers in pure TS, arrays on the backend. */
export interface SpecialKernels {
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
}

/** The VPIN kernels over `run`. */
export function vpinKernels<Async extends boolean>(run: Run<Async>): VpinKernels<Async> {
  return {
    timeBars(trades, opts) {
      requireTrades(trades);
      requireKnownOptions(VPIN_KERNELS.timeBars, opts);
      const barMs = resolveBarMs(opts);
      return run(
        'vpin',
        'timeBars',
        trades.ts.length,
        (f) => f.timeBars(trades.ts, trades.price, trades.volume, barMs),
        (out) => out,
      );
    },
    tickRule(price) {
      requireFloat64Array(price, 'price');
      return run(
        'vpin',
        'tickRule',
        price.length,
        (f) => f.tickRule(price),
        (out) => out,
      );
    },
    bulkClassify(bars, opts) {
      requireBars(bars);
      requireKnownOptions(VPIN_KERNELS.bulkClassify, opts);
      const params = resolveClassifyOptions(opts);
      return run(
        'vpin',
        'bulkClassify',
        bars.open.length,
        (f) => f.bulkClassify(bars.open, bars.close, bars.volume, params),
        (out) => out,
      );
    },
    vpin(trades, opts) {
      if (!(trades instanceof FrameTrades)) requireTrades(trades);
      requireKnownOptions(VPIN_KERNELS.vpin, opts);
      const params = resolveVpinOptions(opts, false);
      return run(
        'vpin',
        'vpin',
        tradeRows(trades),
        // a frame's columns where they lie when the backend reads them in place, else aligned (a copy)
        (f) =>
          trades instanceof FrameTrades && f.vpinBytes
            ? f.vpinBytes(trades.bytes, trades.rows, params)
            : f.vpin(trades.ts, trades.price, trades.volume, params),
        (out) => out,
      );
    },
  };
}

type Normal = 'normalCdf' | 'normalSf' | 'normalPdf' | 'normalQuantile';
type StudentT = 'studentTCdf' | 'studentTQuantile';

/** The scalar special functions (src/math/special.ts): what a number argument gets. */
const scalar = { normalCdf, normalSf, normalPdf, normalQuantile, studentTCdf, studentTQuantile };

/** The special functions over `run` (a number is computed here, in TS, whatever the run). */
export function specialKernels<Async extends boolean>(
  run: Run<Async>,
): { [K in keyof SpecialKernels]: (x: number | Float64Array, nu?: number) => unknown } {
  const normal = (kernel: Normal) => (x: number | Float64Array) => {
    if (typeof x === 'number') return scalar[kernel](x);
    requireFloat64Array(x, 'x');
    return run(
      'special',
      kernel,
      x.length,
      (f) => f[kernel](x),
      (out) => out,
    );
  };
  const studentT = (kernel: StudentT) => (x: number | Float64Array, nu?: number) => {
    const v = requireNu(nu, SPECIAL_KERNELS[kernel].params[0].name);
    if (typeof x === 'number') return scalar[kernel](x, v);
    requireFloat64Array(x, 'x');
    return run(
      'special',
      kernel,
      x.length,
      (f) => f[kernel](x, v),
      (out) => out,
    );
  };
  return {
    normalCdf: normal('normalCdf'),
    normalSf: normal('normalSf'),
    normalPdf: normal('normalPdf'),
    normalQuantile: normal('normalQuantile'),
    studentTCdf: studentT('studentTCdf'),
    studentTQuantile: studentT('studentTQuantile'),
  };
}
