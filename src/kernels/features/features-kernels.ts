/**
 * The features family's kernels as the API offers them (FeaturesKernels) and one descriptor per
 * kernel (FEATURES_KERNELS, see descriptor.ts). Bars are as many as the data makes: the native entries
 * count them in a first pass (counted entries, native/kernels/features/features_entry.hpp), as
 * timeBars and vpin's buckets, and each backend allocates its columns.
 */
import type { Call } from '../descriptor.js';
import { requireKnownOptions } from '../descriptor.js';
import type { Sampler } from '../sample.js';
import {
  BARS_PARAMS,
  INFORMATION_BAR_PARAMS,
  requireTrades,
  resolveBarOptions,
  resolveInformationBarOptions,
  type BarOptions,
  type Bars,
  type FeaturesFamily,
  type InformationBarOptions,
  type Trades,
} from './features.js';
import { ESTIMATORS_KERNELS, type EstimatorsKernels } from './estimators-kernels.js';
import { REALIZED_KERNELS, type RealizedKernels } from './realized-kernels.js';

/** The features family's one-shot kernels (each also exists as `<name>Async`). */
export interface FeaturesKernels extends RealizedKernels, EstimatorsKernels {
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
   * `by: 'time'` gives mlfinlab's time bars (`get_time_bars`, time_data_structures.py) of `threshold`
   * milliseconds: a trade whose bar end, (floor(ts / threshold) + 1) x threshold, is past the open
   * bar's closes it first; a bar's `ts` is its end (mlfinlab's date_time, there in whole seconds:
   * resolution x num_units seconds is threshold = 1000 x that, for ts >= 0), its `tickNum` mlfinlab's
   * tick_num, the position of the trade that closed it (its first after the bar, so the bar's last
   * trade + 1), and the open bar at the end is dropped. The VPIN family's `timeBars` (start, open,
   * close, volume, count; every non-empty bar, the last included) stays as it is.
   * Faults (KernelInputError): `threshold` not finite and > 0 (`options.threshold`), an unknown `by`,
   * trade columns of different lengths, a timestamp not finite or decreasing (`trades.ts`), a price
   * not finite (`trades.price`), a volume not finite and >= 0 (`trades.volume`).
   */
  bars(trades: Trades, options: BarOptions): Bars;
  /**
   * Imbalance bars (AFML ch. 2.3.2), as mlfinlab's 2020 `get_ema_<by>_imbalance_bars` and
   * `get_const_<by>_imbalance_bars` build them (data_structures/base_bars.py, BaseImbalanceBars):
   * each trade's imbalance theta is its tick-rule sign b (`'tick'`), b x volume or b x volume x price;
   * their history is kept across bars, never reset. A bar closes at the trade where
   * |sum of theta in the bar| > expNumTicks x |E[theta]| (strict). E[theta] is the EWMA with span m of
   * the last m = min(history, expectedImbalanceWindow) imbalances (mlfinlab's fast_ewma, its
   * weights 1 + sum (1 - a)^i, a = 2 / (m + 1)); until the first bar it is recomputed at each trade,
   * and it is NaN (no bar) while the history is shorter than expNumTicks. At each bar's close, first
   * expNumTicks becomes (`'ema'`) the EWMA with span numPrevBars of the last numPrevBars bars' tick
   * counts clipped to expNumTicksConstraints (`'const'`: it stays expNumTicksInit), then E[theta] is
   * recomputed under it (NaN when the history is shorter: then no further bar closes, as in mlfinlab).
   * Columns, the dropped partial bar and the faults as `bars`; and numPrevBars,
   * expectedImbalanceWindow integers >= 1, expNumTicksInit > 0, constraints [min, max] with
   * 0 <= min <= max.
   */
  imbalanceBars(trades: Trades, options: InformationBarOptions): Bars;
  /**
   * Run bars (AFML ch. 2.3.3), as mlfinlab's 2020 `get_ema_<by>_run_bars` and `get_const_<by>_run_bars`
   * build them (base_bars.py, BaseRunBars): positive imbalances (buys) and the magnitudes of negative
   * ones (sells) are summed and kept apart, a trade of imbalance 0 counted in neither. A bar closes
   * when max(theta_buy, theta_sell) > expNumTicks x max(P E[buy], (1 - P) E[sell]) (strict), where
   * E[buy], E[sell] are the EWMAs of the last min(history, expectedImbalanceWindow) buy and sell
   * imbalances, and P the proportion of buy trades: until the first bar, the first trade at which both
   * histories are at least expNumTicks long sets E[buy], E[sell] and P (the bar so far's buy trades
   * over its trades); at each close P becomes the EWMA with span numPrevBars of the last numPrevBars
   * bars' proportions, expNumTicks as in `imbalanceBars`, and E[buy], E[sell] are recomputed (no
   * longer waiting for expNumTicks values). Columns and faults as `imbalanceBars`.
   */
  runBars(trades: Trades, options: InformationBarOptions): Bars;
}

/** A features kernel's call: `run` gets the backend's family and returns the bars as they are. */
function call<T>(size: number, run: (family: FeaturesFamily) => T): Call<T> {
  return { size, call: run, shape: (out: T) => out };
}

/** The options of imbalanceBars and runBars. */
export const INFORMATION_BAR_OPTIONS = [
  'by',
  'kind',
  'numPrevBars',
  'expectedImbalanceWindow',
  'expNumTicksInit',
  'expNumTicksConstraints',
] as const;

/** Information-driven bars' sampled options: small windows and initial ticks so that bars close. */
function sampleInformation(s: Sampler): readonly unknown[] {
  const kind = s.pick('ema', 'const');
  const options: InformationBarOptions = {
    by: s.pick('tick', 'volume', 'dollar'),
    kind,
    numPrevBars: s.int(1, 6),
    expectedImbalanceWindow: s.int(1, 400),
    expNumTicksInit: s.int(1, 60),
  };
  if (kind === 'ema' && s.random() < 0.5) options.expNumTicksConstraints = [s.int(0, 10), s.int(20, 200)];
  return [s.trades(s.int(0, 600)), options];
}

/** One descriptor per kernel of the features family (see the module's comment). */
export const FEATURES_KERNELS = {
  bars: {
    params: BARS_PARAMS,
    options: ['by', 'threshold'],
    sample: (s: Sampler) => {
      const by = s.pick('tick', 'volume', 'dollar', 'time');
      const threshold = {
        tick: s.int(1, 50),
        volume: s.uniform(100, 20_000),
        dollar: s.uniform(1e4, 2e6),
        time: s.pick(1000, 5000, 777.5),
      }[by];
      return [s.trades(s.int(0, 600)), { by, threshold }];
    },
    api(trades: Trades, options: BarOptions) {
      requireTrades(trades);
      requireKnownOptions(FEATURES_KERNELS.bars, options);
      const params = resolveBarOptions(options);
      return call(trades.ts.length, (f) => f.bars(trades.ts, trades.price, trades.volume, params));
    },
  },
  imbalanceBars: {
    params: INFORMATION_BAR_PARAMS,
    options: INFORMATION_BAR_OPTIONS,
    sample: sampleInformation,
    api(trades: Trades, options: InformationBarOptions) {
      requireTrades(trades);
      requireKnownOptions(FEATURES_KERNELS.imbalanceBars, options);
      const params = resolveInformationBarOptions(options);
      return call(trades.ts.length, (f) => f.imbalanceBars(trades.ts, trades.price, trades.volume, params));
    },
  },
  runBars: {
    params: INFORMATION_BAR_PARAMS,
    options: INFORMATION_BAR_OPTIONS,
    sample: sampleInformation,
    api(trades: Trades, options: InformationBarOptions) {
      requireTrades(trades);
      requireKnownOptions(FEATURES_KERNELS.runBars, options);
      const params = resolveInformationBarOptions(options);
      return call(trades.ts.length, (f) => f.runBars(trades.ts, trades.price, trades.volume, params));
    },
  },
  ...REALIZED_KERNELS,
  ...ESTIMATORS_KERNELS,
} as const;
