/**
 * Seeded arguments of the labeling kernels (descriptors' `sample`): minute bars over a few days with
 * overnight gaps, closes on a 0.01 grid with a NaN now and then, and events on those bars.
 */
import type { Sampler } from '../sample.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A close series of n bars: minutes, a day's gap now and then; closes a rounded random walk. */
export function sampleSeries(s: Sampler, n = s.int(0, 240), nan = 0.02): { ts: Float64Array; close: Float64Array } {
  const ts = new Float64Array(n);
  const close = new Float64Array(n);
  let t = 1_700_000_000_000 + s.int(0, 1000) * MINUTE;
  let x = 100;
  for (let i = 0; i < n; i++) {
    t += s.random() < 0.02 ? DAY / 2 + s.int(0, 600) * MINUTE : MINUTE * s.int(1, 2);
    ts[i] = t;
    x = Math.max(1, x * (1 + 0.003 * s.normal()));
    close[i] = s.random() < nan ? NaN : Math.round(x * 100) / 100;
  }
  return { ts: s.view(ts), close: s.view(close) };
}

/** Event starts: increasing bar indices of ts (about one bar in `every`). */
export function sampleStarts(s: Sampler, n: number, every = 4): number[] {
  const at: number[] = [];
  for (let i = 0; i < n; i++) if (s.random() < 1 / every) at.push(i);
  return at;
}

/** Events on `ts`: t0 at sampled bars, t1 a later bar (or the same) within `span` bars, NaN now and then when `open`. */
export function sampleSpans(s: Sampler, ts: Float64Array, open: boolean, span = 12): { t0: Float64Array; t1: Float64Array } {
  const at = sampleStarts(s, ts.length);
  const t0 = at.map((i) => ts[i]);
  const t1 = at.map((i) => (open && s.random() < 0.1 ? NaN : ts[Math.min(ts.length - 1, i + s.int(0, span))]));
  return { t0: s.view(t0), t1: s.view(t1) };
}
