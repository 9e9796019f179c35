/**
 * Daily VPIN (issue 32): the mean and the duration-weighted mean VPIN of the buckets of each calendar
 * day, as PINstimation's `vpin()` computes its `@dailyvpin` (github.com/monty-se/PINstimation,
 * `R/model_vpin.R`). A reduction over VPIN outputs, the same whichever backend computed them: plain
 * TypeScript, O(buckets), no backend call (native would not pay).
 */
import { KernelInputError } from '../../errors.js';
import { requireTimeZone, utcOffsetFinder } from '../calendar.js';
import { requireKnownOptions } from '../descriptor.js';
import { describeValue, requireFloat64Array, requireSameLength, optionsObject } from '../validate.js';
import type { VpinBuckets } from './vpin.js';

/** Options of `dailyVpin()`. */
export interface DailyVpinOptions {
  /** IANA time zone whose calendar days group the buckets (default 'UTC', PINstimation 0.2's days). */
  tz?: string;
  /**
   * The duration-weighted mean's denominator, where PINstimation's releases differ:
   * - `'with-vpin'` (default): the durations of the day's buckets that have a VPIN, so the weighted mean
   *   is a weighted mean of their VPINs (PINstimation 0.1.x: `aggregate(cbind(duration, vpindur) ~ day)`
   *   leaves out the rows whose VPIN is NA);
   * - `'all'`: the durations of all the day's buckets, those of the first `window - 1` (no VPIN yet)
   *   included (PINstimation 0.2.0: `sum(duration, na.rm = TRUE)` over the day's buckets).
   */
  durations?: 'with-vpin' | 'all';
}

/** One row per calendar day holding a bucket's start, in day order. */
export interface DailyVpin {
  /** The day, 'YYYY-MM-DD' in `tz` (PINstimation's `day`). */
  day: string[];
  /** Mean VPIN of the day's buckets that have one; NaN when none has (PINstimation's `dvpin`). */
  vpin: Float64Array;
  /**
   * Sum of vpin * duration over the day's buckets with a VPIN and a duration, divided by the sum of
   * durations of `options.durations`' buckets (PINstimation's `dwvpin`); NaN when no bucket of the day
   * has a VPIN, or when the durations sum to 0 (every bucket inside one instant).
   */
  weightedVpin: Float64Array;
  /** Buckets starting on the day. */
  buckets: Float64Array;
  /** Of them, those with a VPIN (the terms of `vpin`'s mean). */
  vpinBuckets: Float64Array;
}

const DAY_MS = 86_400_000;
const SPEC = { params: [], options: ['tz', 'durations'] } as const;

/** Checks the bucket columns dailyVpin reads (of VpinBuckets: startTs, endTs, duration, vpin). */
function requireBucketTimes(buckets: unknown): asserts buckets is Pick<VpinBuckets, 'startTs' | 'endTs' | 'duration' | 'vpin'> {
  if (typeof buckets !== 'object' || buckets === null) {
    throw new KernelInputError('buckets', 'VPIN buckets { startTs, endTs, duration, vpin }', describeValue(buckets));
  }
  const b = buckets as Record<string, unknown>;
  for (const key of ['startTs', 'endTs', 'duration', 'vpin']) requireFloat64Array(b[key], `buckets.${key}`);
  const { startTs, endTs, duration, vpin } = b as unknown as VpinBuckets;
  requireSameLength(startTs, 'buckets.startTs', endTs, 'buckets.endTs');
  requireSameLength(startTs, 'buckets.startTs', duration, 'buckets.duration');
  requireSameLength(startTs, 'buckets.startTs', vpin, 'buckets.vpin');
  const bad = (name: string, expected: string, i: number, x: number): never => {
    throw new KernelInputError(`buckets.${name}`, expected, `buckets.${name}[${i}] = ${x}`);
  };
  for (let i = 0; i < startTs.length; i++) {
    if (!Number.isFinite(endTs[i])) bad('endTs', 'finite times', i, endTs[i]);
    if (!(Number.isFinite(startTs[i]) || Number.isNaN(startTs[i]))) bad('startTs', 'finite times or NaN (unknown)', i, startTs[i]);
    if (!((duration[i] >= 0 && duration[i] < Infinity) || Number.isNaN(duration[i])))
      bad('duration', 'finite durations >= 0 or NaN', i, duration[i]);
    if (!(Number.isFinite(vpin[i]) || Number.isNaN(vpin[i]))) bad('vpin', 'finite values or NaN', i, vpin[i]);
  }
}

/** 'YYYY-MM-DD' of a day number (days since 1970-01-01). */
function dayName(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Daily VPIN from VPIN buckets (of `vpin()`, of a stream's updates joined, or of VPIN_CALCULATION
 * payloads as columns): PINstimation's `@dailyvpin`. A bucket belongs to the calendar day, in
 * `options.tz` (default UTC), of its `startTs` (PINstimation: `as.Date(starttime)`), or of its `endTs`
 * where startTs is NaN (a bucket open when a version-1 snapshot was restored). Per day: `vpin`, the
 * mean of the VPINs (NaN VPINs, the first `window - 1` buckets', left out: `mean(vpin, na.rm = TRUE)`);
 * `weightedVpin`, sum(vpin * duration) / sum(duration) with `options.durations` saying whose durations
 * the denominator sums (PINstimation's releases differ there); buckets with a NaN duration are in
 * neither sum. Days are listed in order, each holding at least one bucket; a day whose buckets have no
 * VPIN has vpin and weightedVpin NaN (PINstimation 0.1.x leaves such a day out; 0.2.0 gives dvpin NaN
 * and dwvpin 0, 0 / sum(duration), which is no VPIN).
 *
 * Bucket times here are trades' (VpinBuckets: the first trade of the first bar in the bucket, the last
 * trade of the bar that completes it), PINstimation's its bars' (0.1.x: the start of the first and of
 * the last bar; 0.2.0: durations prorated by volume within split bars), so the weights differ from
 * PINstimation's by up to a bar per bucket; the formulas are its. Its `tradinghours` correction of
 * durations over a market's closed hours is not applied (its default, 24, applies none).
 * Faults (KernelInputError naming the column): a missing or mismatched column, endTs not finite,
 * startTs, vpin infinite, a duration < 0 or infinite; options.tz not an IANA zone; an unknown option.
 */
export function dailyVpin(buckets: Pick<VpinBuckets, 'startTs' | 'endTs' | 'duration' | 'vpin'>, options?: DailyVpinOptions): DailyVpin {
  options = optionsObject(options);
  requireKnownOptions(SPEC, options);
  const tz = requireTimeZone(options?.tz ?? 'UTC', 'options.tz');
  const durations = options?.durations ?? 'with-vpin';
  if (durations !== 'with-vpin' && durations !== 'all') {
    throw new KernelInputError('options.durations', "'with-vpin' or 'all'", describeValue(durations));
  }
  requireBucketTimes(buckets);
  const { startTs, endTs, duration, vpin } = buckets;
  const offset = utcOffsetFinder(tz);
  /** Per day number: buckets, VPIN terms, sum of VPINs, sum of vpin * duration, sum of the weights. */
  const days = new Map<number, { n: number; terms: number; sum: number; sumVD: number; sumD: number }>();
  for (let i = 0; i < startTs.length; i++) {
    const t = Number.isNaN(startTs[i]) ? endTs[i] : startTs[i];
    const key = Math.floor((t + offset(t)) / DAY_MS);
    let d = days.get(key);
    if (!d) days.set(key, (d = { n: 0, terms: 0, sum: 0, sumVD: 0, sumD: 0 }));
    d.n++;
    const v = vpin[i];
    const w = duration[i];
    if (!Number.isNaN(v)) {
      d.terms++;
      d.sum += v;
      if (!Number.isNaN(w)) d.sumVD += v * w;
    }
    if (!Number.isNaN(w) && (durations === 'all' || !Number.isNaN(v))) d.sumD += w;
  }
  const order = [...days.keys()].sort((a, b) => a - b);
  const rows = order.map((key) => days.get(key)!);
  return {
    day: order.map(dayName),
    vpin: Float64Array.from(rows, (d) => (d.terms > 0 ? d.sum / d.terms : NaN)),
    weightedVpin: Float64Array.from(rows, (d) => (d.terms > 0 ? d.sumVD / d.sumD : NaN)),
    buckets: Float64Array.from(rows, (d) => d.n),
    vpinBuckets: Float64Array.from(rows, (d) => d.terms),
  };
}
