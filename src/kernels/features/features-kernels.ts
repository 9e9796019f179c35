/**
 * The features family's kernels as the API offers them (FeaturesKernels) and one descriptor per
 * kernel (FEATURES_KERNELS, see descriptor.ts). Bars are as many as the data makes: the native entries
 * count them in a first pass (counted entries, native/kernels/features/features_entry.hpp), as
 * timeBars and vpin's buckets, and each backend allocates its columns.
 */
import type { Call } from '../descriptor.js';
import { requireKnownOptions } from '../descriptor.js';
import type { Sampler } from '../sample.js';
import { BARS_PARAMS, requireTrades, resolveBarOptions, type BarOptions, type Bars, type FeaturesFamily, type Trades } from './features.js';

/** The features family's one-shot kernels (each also exists as `<name>Async`). */
export interface FeaturesKernels {
  /**
   * Standard bars (López de Prado, AFML ch. 2.3.1), as mlfinlab's 2020 `get_tick_bars`,
   * `get_volume_bars` and `get_dollar_bars` build them (data_structures/standard_data_structures.py):
   * trades are summed in order (`'tick'`: their count, `'volume'`, `'dollar'`: price x volume) and a
   * bar closes at the trade whose sum reaches `threshold` (`>=`), that trade included; the next trade
   * opens the next bar. The last, partial bar is dropped, so a tape whose total stays under the
   * threshold gives zero bars (empty columns), and one trade gives one bar when it reaches the
   * threshold alone. `high` and `low` include the open. `buyVolume` is the volume of the trades the
   * tick rule signs +1: the sign of the change from the previous trade's price, the previous sign on
   * no change, 0 for the first trade and until the first change; it runs across bars.
   * Faults (KernelInputError): `threshold` not finite and > 0 (`options.threshold`), an unknown `by`,
   * trade columns of different lengths, a timestamp not finite or decreasing (`trades.ts`), a price
   * not finite (`trades.price`), a volume not finite and >= 0 (`trades.volume`).
   */
  bars(trades: Trades, options: BarOptions): Bars;
}

/** A features kernel's call: `run` gets the backend's family and returns the bars as they are. */
function call<T>(size: number, run: (family: FeaturesFamily) => T): Call<T> {
  return { size, call: run, shape: (out: T) => out };
}

/** One descriptor per kernel of the features family (see the module's comment). */
export const FEATURES_KERNELS = {
  bars: {
    params: BARS_PARAMS,
    options: ['by', 'threshold'],
    sample: (s: Sampler) => {
      const by = s.pick('tick', 'volume', 'dollar');
      const threshold = by === 'tick' ? s.int(1, 50) : by === 'volume' ? s.uniform(100, 20_000) : s.uniform(1e4, 2e6);
      return [s.trades(s.int(0, 600)), { by, threshold }];
    },
    api(trades: Trades, options: BarOptions) {
      requireTrades(trades);
      requireKnownOptions(FEATURES_KERNELS.bars, options);
      const params = resolveBarOptions(options);
      return call(trades.ts.length, (f) => f.bars(trades.ts, trades.price, trades.volume, params));
    },
  },
} as const;
