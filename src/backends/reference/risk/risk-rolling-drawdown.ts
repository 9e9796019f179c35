/**
 * Reference rolling maxDrawdown (rolling()'s `maxDrawdown`: performanceStats' max_drawdown of each
 * window, the wealth restarted at 1 at the window's start), in O(1) per date whatever the window.
 * native/kernels/risk/risk_rolling_drawdown.cpp follows this file in the same order of floating-point
 * operations.
 *
 * A window's max drawdown is 1 - B, B the least ratio of the wealth to its running peak along the
 * window's path from 1 (the start included). A path of dates is summed up by its growth g, its highest
 * and lowest wealth `max` and `min` (from 1, the start included) and its B; while the wealth stays
 * positive, a path followed by another composes exactly:
 *
 *   g = g1 g2,  max = max(max1, g1 max2),  min = min(min1, g1 min2),  B = min(B1, B2, g1 min2 / max1)
 *
 * (after the first path every wealth is g1 times the second's, the peak max(max1, g1 peak2), and
 * min(w / peak1, w / peak2) = w / max(peak1, peak2) for w > 0). The dates are cut into blocks of `window`
 * dates: the window ending at t is a suffix of one block followed by a prefix of the next (or one whole
 * block), so each block's suffixes are composed backward once, its prefixes forward date by date, and
 * each window is one more composition: van Herk's and Gil-Werman's sliding-window scheme, three
 * compositions per date. The composition is associative but rounds differently from the windowed
 * product (a few ulps of 1 - B). A window whose wealth leaves [1e-150, 1e150] of its start (a return of
 * -100% or below makes it 0 or negative, where the composition does not hold; a product near overflow)
 * is computed directly from its dates, as performanceStats computes it.
 */

/** Wealth bounds (relative to the window's start) within which the composed path is used. */
const LOW = 1e-150;
const HIGH = 1e150;

/** The growth factor of a return: 1 + r, a missing (NaN) return counted as 0. */
function factor(r: number): number {
  return 1 + (r === r ? r : 0);
}

/** performanceStats' max drawdown of r[begin..end) (wealth from 100 at its start, its first day counts). */
export function maxDrawdownOf(r: Float64Array, begin: number, end: number): number {
  let growth = 1;
  let peak = 100;
  let worst = 0;
  for (let t = begin; t < end; t++) {
    growth *= 1 + (r[t] === r[t] ? r[t] : 0);
    const value = growth * 100;
    peak = value > peak ? value : peak;
    const drawdown = (value - peak) / peak;
    worst = drawdown < worst ? drawdown : worst;
  }
  return 0 - worst;
}

/** The block's suffixes: for i in [0, w), the path of dates start + i .. start + w - 1, composed backward. */
class Suffixes {
  readonly g: Float64Array;
  readonly max: Float64Array;
  readonly min: Float64Array;
  readonly best: Float64Array;
  constructor(w: number) {
    this.g = new Float64Array(w);
    this.max = new Float64Array(w);
    this.min = new Float64Array(w);
    this.best = new Float64Array(w);
  }
  /** Composes date start + i (one date: g = f, max = max(1, f), min = B = min(1, f)) before suffix i + 1. */
  fill(r: Float64Array, start: number, w: number): void {
    let g = 1;
    let max = 1;
    let min = 1;
    let best = 1;
    for (let i = w - 1; i >= 0; i--) {
      const f = factor(r[start + i]);
      const low = f < 1 ? f : 1; // the date's own min and B
      const high = f > 1 ? f : 1;
      const cross = low * min; // g1 min2 / max1 with g1 / max1 = min(f, 1)
      const b = best < low ? best : low;
      best = cross < b ? cross : b;
      g = f * g;
      const up = f * max;
      max = up > high ? up : high;
      const down = f * min;
      min = down < low ? down : low;
      this.g[i] = g;
      this.max[i] = max;
      this.min[i] = min;
      this.best[i] = best;
    }
  }
}

/**
 * maxDrawdown of every window of the column `r` (T dates) into `out` at rows window - 1 .. T - 1
 * (row t at t * cols + c); the rows before are left as they are.
 */
export function rollingMaxDrawdown(r: Float64Array, T: number, w: number, out: Float64Array, cols: number, c: number): void {
  const s = new Suffixes(w);
  // the block's prefix: growth, highest and lowest wealth, the wealth over its peak, and B
  let g = 1;
  let max = 1;
  let min = 1;
  let ratio = 1;
  let best = 1;
  for (let t = 0; t < T; t++) {
    const phase = t % w;
    if (phase === 0) {
      if (t > 0) s.fill(r, t - w, w);
      g = max = min = ratio = best = 1;
    }
    const f = factor(r[t]);
    g *= f;
    max = g > max ? g : max;
    min = g < min ? g : min;
    const next = ratio * f; // the wealth over its peak: a new peak when it reaches 1
    ratio = next < 1 ? next : 1;
    best = ratio < best ? ratio : best;
    if (t + 1 < w) continue;
    let b = best;
    let high = max;
    let low = min;
    if (phase + 1 < w) {
      // the window starts at date phase + 1 of the previous block: its suffix, then this prefix
      const i = phase + 1;
      const sg = s.g[i];
      const cross = (sg * min) / s.max[i];
      b = s.best[i] < b ? s.best[i] : b;
      b = cross < b ? cross : b;
      const up = sg * max;
      high = up > s.max[i] ? up : s.max[i];
      const down = sg * min;
      low = down < s.min[i] ? down : s.min[i];
    }
    out[t * cols + c] = low > LOW && high < HIGH ? 1 - b : maxDrawdownOf(r, t + 1 - w, t + 1);
  }
}
