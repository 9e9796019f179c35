/**
 * bench/compare.ts: two builds' rounds of bench rows side by side (`npm run bench -- --against <ref>`):
 * medians and spreads per row, the head's speed in the unit's direction, and the flag on a row slower
 * by more than the tolerance with the spreads apart.
 */
import { describe, expect, it } from 'vitest';
import { compareRounds, directionOf } from '../../bench/compare.js';
import type { BenchRow } from '../../bench/lib.js';

const row = (c: string, value: number, unit = 'ms', subject = 'native'): BenchRow => ({ section: 's', case: c, subject, value, unit });

describe('bench comparison of two builds', () => {
  it('reads the direction of every unit the bench uses', () => {
    for (const u of ['ms', 's', 'ns', 'µs', 'us', 'ns a value', 'MB', 'MiB']) expect(directionOf(u), u).toBe('lower');
    for (const u of ['trades/s', 'msg/s', 'MB/s', 'rows/s', 'x', 'x faster']) expect(directionOf(u), u).toBe('higher');
    for (const u of ['values', '', '(1 min)', 'trades', 'bars']) expect(directionOf(u), u).toBe('none');
  });

  it('medians and spreads per row; the speed is base/head for times and head/base for rates', () => {
    const base = [
      [row('a', 10), row('r', 100, 'trades/s')],
      [row('a', 12), row('r', 120, 'trades/s')],
      [row('a', 11), row('r', 110, 'trades/s')],
    ];
    const head = [
      [row('a', 5), row('r', 220, 'trades/s')],
      [row('a', 6), row('r', 200, 'trades/s')],
      [row('a', 4), row('r', 240, 'trades/s')],
    ];
    const [a, r] = compareRounds(base, head);
    expect(a.base).toEqual({ median: 11, min: 10, max: 12, rounds: 3 });
    expect(a.head).toEqual({ median: 5, min: 4, max: 6, rounds: 3 });
    expect(a.speed).toBeCloseTo(2.2, 12);
    expect(r.speed).toBeCloseTo(2, 12);
    expect(a.flagged || r.flagged).toBe(false);
  });

  it('flags a row slower by more than 10 % with the spreads apart, and only such a row', () => {
    const base = [[row('slow', 10), row('noisy', 10), row('slight', 10), row('rate', 100, 'msg/s'), row('count', 5, 'values')]];
    base.push([row('slow', 10.2), row('noisy', 14), row('slight', 10.1), row('rate', 101, 'msg/s'), row('count', 5, 'values')]);
    const head = [[row('slow', 12), row('noisy', 12), row('slight', 10.7), row('rate', 80, 'msg/s'), row('count', 50, 'values')]];
    head.push([row('slow', 12.5), row('noisy', 13), row('slight', 10.8), row('rate', 82, 'msg/s'), row('count', 60, 'values')]);
    const flagged = Object.fromEntries(compareRounds(base, head).map((r) => [r.case, r.flagged]));
    // slow: 20 % slower, head's best 12 > base's worst 10.2; noisy: 15 % slower but the spreads overlap;
    // slight: apart but 6 % slower; rate: a rate 19 % lower, apart; count: no direction
    expect(flagged).toEqual({ slow: true, noisy: false, slight: false, rate: true, count: false });
  });

  it("gives the best rounds' speed beside the medians': a row whose rounds fall in two modes on both builds", () => {
    // the volatility single fit of 2026-12-02: ~0.40 or ~0.60 ms a round on either build, the code the same
    const base = [0.393, 0.667, 0.452, 0.618, 0.443].map((v) => [row('fit', v), row('rate', 1 / v, 'fits/s')]);
    const head = [0.396, 0.587, 0.599, 0.464, 0.6].map((v) => [row('fit', v), row('rate', 1 / v, 'fits/s')]);
    const [fit, rate] = compareRounds(base, head);
    expect(fit.speed).toBeCloseTo(0.452 / 0.587, 12);
    expect(fit.bestSpeed).toBeCloseTo(0.393 / 0.396, 12);
    expect(rate.bestSpeed).toBeCloseTo(1 / 0.396 / (1 / 0.393), 12);
    expect(fit.flagged).toBe(false);
    // a count has no direction, so neither speed
    const [count] = compareRounds([[row('n', 3, 'values')]], [[row('n', 4, 'values')]]);
    expect([count.speed, count.bestSpeed]).toEqual([undefined, undefined]);
  });

  it('keeps the rows only one build has, without a speed', () => {
    const rows = compareRounds([[row('old', 1), row('both', 1)]], [[row('both', 1), row('new', 1)]]);
    expect(rows.map((r) => [r.case, r.base?.median ?? null, r.head?.median ?? null, r.speed ?? null])).toEqual([
      ['both', 1, 1, 1],
      ['new', null, 1, null],
      ['old', 1, null, null],
    ]);
  });

  it('leaves out non-finite values (a figure a build could not measure)', () => {
    const [r] = compareRounds([[row('a', Number.NaN)], [row('a', 2)]], [[row('a', 2)]]);
    expect(r.base?.rounds).toBe(1);
    expect(r.speed).toBe(1);
  });
  it('judges a flagged row again over the confirming rounds (--confirm): noise clears, a slower code stays', () => {
    // two rounds: both rows flagged (the head's best worse than the base's worst, 20 % slower)
    const base = [
      [row('noise', 10), row('real', 10)],
      [row('noise', 10.5), row('real', 10.4)],
    ];
    const head = [
      [row('noise', 12.4), row('real', 12.5)],
      [row('noise', 12.6), row('real', 12.3)],
    ];
    expect(compareRounds(base, head).map((r) => r.flagged)).toEqual([true, true]);
    // two rounds more of the section: the noise's head as fast as its base, the real one still slower
    base.push([row('noise', 12.8), row('real', 10.2)], [row('noise', 10.1), row('real', 10.3)]);
    head.push([row('noise', 10.3), row('real', 12.4)], [row('noise', 10.2), row('real', 12.8)]);
    const [noise, real] = compareRounds(base, head);
    expect(noise.head?.rounds).toBe(4);
    expect(noise.flagged).toBe(false);
    expect(real.flagged).toBe(true);
  });
});
