/**
 * barStream(): the features family's bars fed batch by batch (a trade stream, a tape larger than
 * memory), the same bars as one call on all the trades however the trades are split. It runs the
 * reference state machines (src/backends/reference/features/), which the parity suite holds bit for
 * bit to the native one-shot kernels; its state is bounded (the information-driven bars keep the last
 * `expectedImbalanceWindow` imbalances and `numPrevBars` bar counts, which is all their EWMAs read).
 */
import { checkTrade, type BarMaker } from '../simulation/bar-builder.js';
import { ImbalanceBarMaker, RunBarMaker } from '../simulation/information-bars.js';
import { barMaker, timeBarEnd } from '../simulation/standard-bars.js';
import { KernelInputError } from '../errors.js';
import {
  type BarOptions,
  type Bars,
  type InformationBarOptions,
  requireTrades,
  resolveBarOptions,
  resolveInformationBarOptions,
  type Trades,
} from '../kernels/features/features.js';
import { describeValue } from '../kernels/validate.js';

/** Which bars a stream builds: `bars()` (tick, volume, dollar or time), `imbalanceBars()` or `runBars()`. */
export type BarStreamKind = 'bars' | 'imbalanceBars' | 'runBars';
const KINDS: readonly BarStreamKind[] = ['bars', 'imbalanceBars', 'runBars'];

/** A stream of bars (barStream()). */
export interface BarStream {
  /**
   * Adds trades that continue the earlier ones in time and returns the bars they closed (none is a
   * valid result); tickNum counts from the stream's first trade. A batch with a bad trade throws
   * KernelInputError naming its index in the batch, and leaves the stream as it was.
   */
  update(trades: Trades): Bars;
  /** The whole state as bytes (with the stream's kind and options), for `restore()` after a restart. */
  snapshot(): Uint8Array;
  /** Replaces the state with a `snapshot()` of a stream of the same kind and options (else KernelInputError). */
  restore(bytes: Uint8Array): void;
  /** The bars closed so far. */
  readonly barCount: number;
  /** The trades added so far. */
  readonly tradeCount: number;
}

const SNAPSHOT_VERSION = 1;

/**
 * A stream of the bars `kind` builds with `options` (those of `bars()`, or of `imbalanceBars()` and
 * `runBars()`): `update(trades)` returns the bars each batch closed. Fed any split of a tape, the bars
 * returned, concatenated, are `bars(tape, options)` (or the imbalance or run bars) bit for bit; the bar
 * still open at the end is not returned, as the one-shot call drops it. One symbol per stream (a Map
 * of streams by symbol for a multi-symbol feed).
 *
 * @throws KernelInputError for an unknown kind or bad options (naming the option)
 */
export function barStream(kind: 'bars', options: BarOptions): BarStream;
export function barStream(kind: 'imbalanceBars' | 'runBars', options: InformationBarOptions): BarStream;
export function barStream(kind: BarStreamKind, options: BarOptions | InformationBarOptions): BarStream {
  if (!KINDS.includes(kind)) throw new KernelInputError('kind', `one of ${KINDS.join(', ')}`, describeValue(kind));
  const barParams = kind === 'bars' ? resolveBarOptions(options as BarOptions) : undefined;
  const infoParams = kind === 'bars' ? undefined : resolveInformationBarOptions(options as InformationBarOptions);
  const create = (): BarMaker => {
    if (barParams) return barMaker(barParams);
    return kind === 'imbalanceBars' ? new ImbalanceBarMaker(infoParams!) : new RunBarMaker(infoParams!);
  };
  // the configuration a snapshot carries: the kind's index and the packed parameters
  const config = [KINDS.indexOf(kind), ...Object.values(barParams ?? infoParams!)];
  const barMs = barParams?.by === 3 ? barParams.threshold : undefined;
  let maker = create();
  let trades = 0;

  return {
    update(batch) {
      requireTrades(batch);
      const { ts, price, volume } = batch;
      // every trade checked before any changes the state (the same checks, by index in the batch)
      let last = maker.builder.lastTs;
      for (let k = 0; k < ts.length; k++) {
        checkTrade(k, ts[k], price[k], volume[k], last);
        if (barMs !== undefined) timeBarEnd(k, ts[k], barMs);
        last = ts[k];
      }
      for (let k = 0; k < ts.length; k++) maker.add(trades + k, ts[k], price[k], volume[k]);
      trades += ts.length;
      return maker.builder.bars();
    },
    snapshot() {
      const state = [SNAPSHOT_VERSION, config.length, ...config, trades, ...maker.state()];
      return new Uint8Array(Float64Array.from(state).buffer);
    },
    restore(bytes) {
      if (!(bytes instanceof Uint8Array) || bytes.length % 8 !== 0 || bytes.length < 24) {
        throw new KernelInputError('bytes', 'a barStream snapshot', describeValue(bytes));
      }
      const s = new Float64Array(bytes.slice().buffer);
      const n = s[1];
      const same = s[0] === SNAPSHOT_VERSION && n === config.length && config.every((c, k) => Object.is(s[2 + k], c));
      if (!same) throw new KernelInputError('bytes', `a snapshot of a ${kind} stream with the same options`, 'another configuration');
      const next = create();
      const state = s.subarray(3 + n);
      try {
        next.setState(state);
      } catch {
        // a tail's length past the end (below): the same refusal
      }
      if (next.state().length !== state.length || !Number.isInteger(s[2 + n]) || !(s[2 + n] >= 0)) {
        throw new KernelInputError('bytes', 'a whole barStream snapshot', 'a truncated or damaged one');
      }
      maker = next;
      trades = s[2 + n];
    },
    get barCount() {
      return maker.builder.count;
    },
    get tradeCount() {
      return trades;
    },
  };
}
