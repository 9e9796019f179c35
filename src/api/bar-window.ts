/**
 * BarWindow: the last `window + 2` bars of a symbol and the rolling estimators' last values over them,
 * equal to the batch estimators on the whole series (FeaturesEngine's per-bar features; see
 * estimate()). It runs the reference kernels' series functions, which is why it lives on the API side
 * of the layers (an engine reaches the backends through src/api).
 */
import {
  seriesAmihudLambda,
  seriesCorwinSchultz,
  seriesHasbrouckLambda,
  seriesKyleLambda,
  seriesRangeVolatility,
  seriesRollImpact,
  seriesRollMeasure,
} from '../backends/reference/public.js';

/** The estimators the engine can publish, by the name of the option (`estimators`). */
export const FEATURE_ESTIMATORS = [
  'rollMeasure',
  'rollImpact',
  'corwinSchultz',
  'kyleLambda',
  'amihudLambda',
  'hasbrouckLambda',
  'parkinson',
  'garmanKlass',
  'rogersSatchell',
  'yangZhang',
] as const;
export type FeatureEstimator = (typeof FEATURE_ESTIMATORS)[number];

/** rangeVolatility's estimator codes (RANGE_ESTIMATORS' order). */
const RANGE: Partial<Record<FeatureEstimator, number>> = { parkinson: 0, garmanKlass: 1, rogersSatchell: 2, yangZhang: 3 };

/** A bar's fields the estimators read. */
export interface WindowBar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  dollarValue: number;
}

const FIELDS = ['open', 'high', 'low', 'close', 'volume', 'dollarValue'] as const;
/** Values per bar in a BarWindow's state: the fields, then the two carried signs. */
export const WINDOW_STRIDE = FIELDS.length + 2;

/** np.sign, as the lambdas take it: -1, 0, 1, NaN for NaN. */
const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN);

/**
 * The last `window + 2` bars of a symbol, oldest first, and for each the sign Kyle's and Hasbrouck's
 * lambdas give it (the sign of its close's change, of its log return, a zero replaced by the one
 * before: pandas' pad, from bar 0's NaN). Those signs carry from bars no longer kept: estimate() gives
 * the lambdas' oldest kept bar a close whose change has the carried sign, so the windows read exactly
 * the signs the whole series gives.
 */
export class BarWindow {
  /** Bars kept, each WINDOW_STRIDE values. */
  private readonly rows: Float64Array;
  private kept = 0;
  /** Bars added in all. */
  count = 0;

  constructor(readonly window: number) {
    this.rows = new Float64Array((window + 2) * WINDOW_STRIDE);
  }

  /** Adds the next bar (the oldest one goes once window + 2 are kept). */
  push(bar: WindowBar): void {
    const capacity = this.window + 2;
    if (this.kept === capacity) this.rows.copyWithin(0, WINDOW_STRIDE);
    else this.kept++;
    const at = (this.kept - 1) * WINDOW_STRIDE;
    const prev = this.kept > 1 ? at - WINDOW_STRIDE : -1;
    FIELDS.forEach((f, i) => (this.rows[at + i] = bar[f]));
    // bar 0 has no sign (NaN); a zero takes the previous bar's
    const close = bar.close;
    const before = prev < 0 ? NaN : this.rows[prev + 3];
    const kyle = this.count === 0 ? NaN : sign(close - before);
    const hasbrouck = this.count === 0 ? NaN : sign(Math.log(close / before));
    this.rows[at + 6] = kyle === 0 ? this.rows[prev + 6] : kyle;
    this.rows[at + 7] = hasbrouck === 0 ? this.rows[prev + 7] : hasbrouck;
    this.count++;
  }

  /** The kept bars' column `f` (0..5: FIELDS' order). */
  private column(f: number): Float64Array {
    const out = new Float64Array(this.kept);
    for (let i = 0; i < this.kept; i++) out[i] = this.rows[i * WINDOW_STRIDE + f];
    return out;
  }

  /**
   * The closes the Kyle (s = 6) or Hasbrouck (s = 7) lambda reads: the kept ones, the oldest replaced
   * (once bars were dropped) by one from which the next bar's change has that bar's carried sign.
   */
  private signedCloses(close: Float64Array, s: number): Float64Array {
    if (this.count <= this.kept) return close;
    const out = close.slice();
    const carried = this.rows[WINDOW_STRIDE + s];
    out[0] = carried === 1 ? close[1] / 2 : carried === -1 ? close[1] * 2 : close[1];
    return out;
  }

  /**
   * The last value of each estimator asked for (NaN until its first valid bar): each the reference
   * kernel's series function (the oracle's arithmetic, without a call's validation and labels: a few
   * microseconds a bar for all ten) on the kept bars, whose last window is the whole series' last
   * window. Corwin-Schultz gives two values, `corwinSchultzSpread` and `corwinSchultzSigma`.
   */
  estimate(names: readonly FeatureEstimator[]): Record<string, number> {
    const [open, high, low, close, volume, dollarValue] = FIELDS.map((_, f) => this.column(f));
    const n = this.kept;
    const w = this.window;
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    const last = (x: Float64Array) => (n === 0 ? Number.NaN : x[n - 1]);
    const out: Record<string, number> = {};
    for (const name of names) {
      const range = RANGE[name];
      if (range !== undefined) seriesRangeVolatility(open, high, low, close, n, range, w, 1, a);
      else if (name === 'rollMeasure') seriesRollMeasure(close, n, w, a);
      else if (name === 'rollImpact') seriesRollImpact(close, dollarValue, n, w, a);
      else if (name === 'kyleLambda') seriesKyleLambda(this.signedCloses(close, 6), volume, n, w, a);
      else if (name === 'amihudLambda') seriesAmihudLambda(close, dollarValue, n, w, a);
      else if (name === 'hasbrouckLambda') seriesHasbrouckLambda(this.signedCloses(close, 7), dollarValue, n, w, a);
      else {
        seriesCorwinSchultz(high, low, n, w, a, b);
        out.corwinSchultzSpread = last(a);
        out.corwinSchultzSigma = last(b);
        continue;
      }
      out[name] = last(a);
    }
    return out;
  }

  /** The state as values: count, kept, then the kept rows. */
  state(): number[] {
    return [this.count, this.kept, ...this.rows.subarray(0, this.kept * WINDOW_STRIDE)];
  }

  /** Restores state() values; false when they do not fit this window. */
  restore(values: ArrayLike<number>): boolean {
    const [count, kept] = [values[0], values[1]];
    if (!(Number.isInteger(kept) && kept >= 0 && kept <= this.window + 2 && values.length === 2 + kept * WINDOW_STRIDE)) return false;
    if (!(Number.isInteger(count) && count >= kept)) return false;
    this.count = count;
    this.kept = kept;
    this.rows.fill(0);
    for (let i = 0; i < kept * WINDOW_STRIDE; i++) this.rows[i] = values[2 + i];
    return true;
  }
}
