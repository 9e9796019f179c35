/**
 * dailyVpin (issue 32): PINstimation's @dailyvpin, the mean and the duration-weighted mean VPIN of
 * each calendar day's buckets (by their start), checked against values worked by hand from its
 * definition (R/model_vpin.R): across UTC days, across a time zone's day boundary on the days its
 * clocks change, NaN VPINs and durations, and bad input.
 */
import { describe, expect, it } from 'vitest';
import { dailyVpin } from '../../src/api/index.js';
import { utcOffsetFinder } from '../../src/kernels/calendar.js';
import type { VpinBuckets } from '../../src/index.js';
import { ref } from '../helpers/backends.js';
import { inputError } from '../helpers/errors.js';
import { walk } from '../helpers/trades.js';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

/** Buckets from rows [startTs, duration, vpin] (endTs = startTs + duration). */
function buckets(rows: [number, number, number][]): Pick<VpinBuckets, 'startTs' | 'endTs' | 'duration' | 'vpin'> {
  return {
    startTs: Float64Array.from(rows, (r) => r[0]),
    endTs: Float64Array.from(rows, (r) => (Number.isNaN(r[0]) ? r[1] : r[0] + r[1])),
    duration: Float64Array.from(rows, (r) => (Number.isNaN(r[0]) ? NaN : r[1])),
    vpin: Float64Array.from(rows, (r) => r[2]),
  };
}

// New York springs forward on 2024-03-10 at 02:00 EST (07:00 UTC): its 03-10 runs 05:00Z to 04:00Z next day (23 h)
const spring = buckets([
  [at('2024-03-09T23:00:00Z'), 2 * H, NaN], // NY 03-09 18:00, no VPIN yet
  [at('2024-03-10T01:00:00Z'), 1 * H, 0.2], // NY 03-09 20:00
  [at('2024-03-10T04:30:00Z'), 3 * H, 0.4], // NY 03-09 23:30
  [at('2024-03-10T05:00:00Z'), 0.5 * H, 0.1], // NY 03-10 00:00 EST, the day's first instant
  [at('2024-03-10T08:00:00Z'), 2 * H, 0.3], // NY 03-10 04:00 EDT, after the change
  [at('2024-03-11T03:59:59.999Z'), 1 * H, 0.5], // NY 03-10 23:59:59.999 EDT, the day's last millisecond
  [at('2024-03-11T04:00:00Z'), 1.5 * H, 0.6], // NY 03-11 00:00 EDT
]);

describe('dailyVpin, worked by hand from PINstimation’s definition', () => {
  it('UTC days: the mean of the VPINs, and sum(vpin * duration) / sum(duration)', () => {
    const d = dailyVpin(spring);
    expect(d.day).toEqual(['2024-03-09', '2024-03-10', '2024-03-11']);
    expect(Array.from(d.buckets)).toEqual([1, 4, 2]);
    expect(Array.from(d.vpinBuckets)).toEqual([0, 4, 2]);
    expect(d.vpin[0]).toBeNaN(); // only a bucket without VPIN
    expect(d.weightedVpin[0]).toBeNaN();
    expect(d.vpin[1]).toBeCloseTo((0.2 + 0.4 + 0.1 + 0.3) / 4, 15);
    expect(d.weightedVpin[1]).toBeCloseTo((0.2 * 1 + 0.4 * 3 + 0.1 * 0.5 + 0.3 * 2) / (1 + 3 + 0.5 + 2), 15);
    expect(d.vpin[2]).toBeCloseTo(0.55, 15);
    expect(d.weightedVpin[2]).toBeCloseTo((0.5 * 1 + 0.6 * 1.5) / 2.5, 15);
  });

  it('America/New_York across the spring-forward day: each bucket on its local date, 00:00 and 23:59:59.999 included', () => {
    const d = dailyVpin(spring, { tz: 'America/New_York' });
    expect(d.day).toEqual(['2024-03-09', '2024-03-10', '2024-03-11']);
    expect(Array.from(d.buckets)).toEqual([3, 3, 1]);
    expect(Array.from(d.vpinBuckets)).toEqual([2, 3, 1]);
    expect(d.vpin[0]).toBeCloseTo(0.3, 15);
    expect(d.weightedVpin[0]).toBeCloseTo((0.2 * 1 + 0.4 * 3) / 4, 15); // the NaN bucket's 2 h left out
    expect(d.vpin[1]).toBeCloseTo((0.1 + 0.3 + 0.5) / 3, 15);
    expect(d.weightedVpin[1]).toBeCloseTo((0.1 * 0.5 + 0.3 * 2 + 0.5 * 1) / 3.5, 15);
    expect(Array.from(d.vpin.subarray(2))).toEqual([0.6]);
    expect(Array.from(d.weightedVpin.subarray(2))).toEqual([0.6]);
  });

  it("durations: 'all' weighs by every bucket's duration, those without VPIN included (PINstimation 0.2.0)", () => {
    const d = dailyVpin(spring, { tz: 'America/New_York', durations: 'all' });
    expect(d.weightedVpin[0]).toBeCloseTo((0.2 * 1 + 0.4 * 3) / (2 + 1 + 3), 15);
    expect(Array.from(d.weightedVpin.subarray(1))).toEqual(
      Array.from(dailyVpin(spring, { tz: 'America/New_York' }).weightedVpin.subarray(1)),
    );
    expect(dailyVpin(spring, { durations: 'all' }).weightedVpin[0]).toBeNaN(); // a day without VPIN: NaN, not 0 / 2 h
  });

  it('Europe/London on the fall-back day (25 h): 00:30 BST and 23:30 GMT are the same date', () => {
    const d = dailyVpin(
      buckets([
        [at('2024-10-26T22:59:00Z'), H, 0.1], // 23:59 BST on 10-26
        [at('2024-10-26T23:30:00Z'), H, 0.2], // 00:30 BST on 10-27
        [at('2024-10-27T23:30:00Z'), 3 * H, 0.4], // 23:30 GMT on 10-27
        [at('2024-10-28T00:00:00Z'), H, 0.8], // 00:00 GMT on 10-28
      ]),
      { tz: 'Europe/London' },
    );
    expect(d.day).toEqual(['2024-10-26', '2024-10-27', '2024-10-28']);
    expect(Array.from(d.buckets)).toEqual([1, 2, 1]);
    expect(d.vpin[1]).toBeCloseTo(0.3, 15);
    expect(d.weightedVpin[1]).toBeCloseTo((0.2 + 1.2) / 4, 15);
  });

  it('a zero total duration gives NaN; a NaN startTs (restored version-1 snapshot) counts on its endTs day, out of the weights', () => {
    const zero = dailyVpin(buckets([[at('2024-01-02T10:00:00Z'), 0, 0.5]]));
    expect(zero.vpin[0]).toBe(0.5);
    expect(zero.weightedVpin[0]).toBeNaN();
    const restored = dailyVpin(
      buckets([
        [NaN, at('2024-01-03T00:10:00Z'), 0.9], // endTs on 01-03
        [at('2024-01-03T00:10:00Z'), 2 * H, 0.3],
      ]),
    );
    expect(restored.day).toEqual(['2024-01-03']);
    expect(Array.from(restored.vpinBuckets)).toEqual([2]);
    expect(restored.vpin[0]).toBeCloseTo(0.6, 15);
    expect(restored.weightedVpin[0]).toBe(0.3);
    const empty = dailyVpin(buckets([]));
    expect(empty).toEqual({
      day: [],
      vpin: new Float64Array(0),
      weightedVpin: new Float64Array(0),
      buckets: new Float64Array(0),
      vpinBuckets: new Float64Array(0),
    });
  });

  it('over vpin() output: every bucket counted once, the means equal a direct computation per day', () => {
    const trades = walk(20_000, 4, 20_000); // ~2.3 days
    const b = ref.vpin(trades, { bucketVolume: 5000, window: 10, sigma: 'sample' });
    const d = dailyVpin(b);
    expect(d.buckets.reduce((s, x) => s + x, 0)).toBe(b.vpin.length);
    expect(d.day.length).toBeGreaterThanOrEqual(3);
    d.day.forEach((day, k) => {
      const mine = [...b.vpin.keys()].filter((i) => new Date(b.startTs[i]).toISOString().startsWith(day) && !Number.isNaN(b.vpin[i]));
      const sumD = mine.reduce((s, i) => s + b.duration[i], 0);
      expect(d.vpinBuckets[k]).toBe(mine.length);
      if (mine.length === 0) return;
      expect(d.vpin[k]).toBeCloseTo(mine.reduce((s, i) => s + b.vpin[i], 0) / mine.length, 14);
      expect(d.weightedVpin[k]).toBeCloseTo(mine.reduce((s, i) => s + b.vpin[i] * b.duration[i], 0) / sumD, 14);
    });
  });
});

describe('dailyVpin: bad input is a KernelInputError naming the argument', () => {
  const ok = buckets([[at('2024-01-02T10:00:00Z'), H, 0.5]]);
  it.each([
    ['not buckets', () => dailyVpin(null as never), 'buckets: expected VPIN buckets { startTs, endTs, duration, vpin }, got null'],
    [
      'a missing column',
      () => dailyVpin({ endTs: ok.endTs, duration: ok.duration, vpin: ok.vpin } as never),
      'buckets.startTs: expected a Float64Array, got undefined',
    ],
    [
      'a length mismatch',
      () => dailyVpin({ ...ok, vpin: new Float64Array(2) }),
      'buckets.vpin: expected length 1 (as buckets.startTs), got length 2',
    ],
    [
      'an infinite startTs',
      () => dailyVpin({ ...ok, startTs: Float64Array.of(Infinity) }),
      'buckets.startTs: expected finite times or NaN (unknown), got buckets.startTs[0] = Infinity',
    ],
    [
      'a negative duration',
      () => dailyVpin({ ...ok, duration: Float64Array.of(-1) }),
      'buckets.duration: expected finite durations >= 0 or NaN, got buckets.duration[0] = -1',
    ],
    [
      'a NaN endTs',
      () => dailyVpin({ ...ok, endTs: Float64Array.of(NaN) }),
      'buckets.endTs: expected finite times, got buckets.endTs[0] = NaN',
    ],
    ['a bad tz', () => dailyVpin(ok, { tz: 'Mars/Olympus' }), 'options.tz: expected an IANA time zone name, got "Mars/Olympus"'],
    ['a tz not a string', () => dailyVpin(ok, { tz: 5 as never }), 'options.tz: expected an IANA time zone name, got 5'],
    [
      'bad durations',
      () => dailyVpin(ok, { durations: 'some' as never }),
      "options.durations: expected 'with-vpin' or 'all', got \"some\"",
    ],
    [
      'an unknown option',
      () => dailyVpin(ok, { timezone: 'UTC' } as never),
      'options: expected only the options tz, durations, got unknown option "timezone"',
    ],
  ])('%s', (_title, call, message) => {
    expect(inputError(call).message).toBe(message);
  });
});

describe('utcOffsetFinder (the time zones of dailyVpin and aggregateTrades)', () => {
  const formats = new Map<string, Intl.DateTimeFormat>();
  /** Intl's offset at t itself, the slow way. */
  function direct(tz: string, t: number): number {
    const options = {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    } as const;
    const f = formats.get(tz) ?? formats.set(tz, new Intl.DateTimeFormat('en-US', options)).get(tz)!;
    const p: Record<string, number> = {};
    for (const { type, value } of f.formatToParts(t)) p[type] = Number(value);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - (t - (((t % 1000) + 1000) % 1000));
  }

  it.each(['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/St_Johns', 'Asia/Kathmandu'])(
    '%s: equals Intl at instants around every change of 2024 and at random instants, in and out of order',
    (tz) => {
      const find = utcOffsetFinder(tz);
      const year = Date.UTC(2024, 0, 1);
      // the changes: where the hourly offset differs from the previous hour's
      const probes: number[] = [];
      for (let h = 0; h < 366 * 24; h++) {
        const t = year + h * H;
        if (direct(tz, t) !== direct(tz, t - H)) for (let q = -8; q <= 8; q++) probes.push(t + q * 450_000 - 1, t + q * 450_000);
      }
      if (tz !== 'Asia/Kathmandu') expect(probes.length).toBeGreaterThan(0);
      let seed = 7;
      for (let i = 0; i < 2000; i++) {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        probes.push(year + (seed / 2 ** 31) * 366 * 24 * H);
      }
      for (const t of probes) expect(find(t), `${tz} at ${new Date(t).toISOString()}`).toBe(direct(tz, t));
      const sorted = [...probes].sort((a, b) => a - b);
      const inOrder = utcOffsetFinder(tz);
      for (const t of sorted) expect(inOrder(t)).toBe(direct(tz, t));
    },
  );
});
