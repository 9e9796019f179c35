/**
 * intradaySeries() (src/strategy/intraday.ts, issue 88): the account and each symbol rebuilt from a
 * backtest's tape and fills between the statistics' days. A 2-day tape gives thousands of points, not
 * two; at each day's end the rebuilt equity is the daily series' (the statistics' input), at the end the
 * run's equity and each symbol's end value; the stretch grows with the tape to stay within the samples.
 */
import { describe, expect, it } from 'vitest';
import { backtestStrategy } from '../../src/strategy/index.js';
import { INTRADAY_STEPS, intradaySeries } from '../../src/strategy/intraday.js';
import { maCross, randomTape } from './helpers.js';

describe('intradaySeries', () => {
  // two days of three symbols, a trade of each about every 10 s
  const tape = randomTape(17_000, ['AAA', 'BBB', 'CCC'], 10_000, 11);
  const run = backtestStrategy(tape, maCross(5, 20, 60_000), { initCash: 10_000, fees: 0.001 });
  const symbols = Object.keys(run.stats).filter((s) => s !== 'total');
  const series = run.series!;

  it('samples a 2-day tape thousands of times, not once a day', () => {
    expect(series.days.length).toBe(2);
    expect(run.fills.length).toBeGreaterThan(50);
    const s = intradaySeries(tape, run.fills, symbols, 10_000)!;
    expect(s.stepMs).toBe(1_000);
    expect(s.times.length).toBeGreaterThan(10_000);
    expect(s.times.length).toBeLessThanOrEqual(20_000);
    expect(s.value.length).toBe(s.times.length * symbols.length);
    // times in order, each the last trade of its stretch
    const stretch = Array.from(s.times, (t) => Math.floor(t / s.stepMs));
    expect(stretch.every((b, i) => i === 0 || b > stretch[i - 1])).toBe(true);
  });

  it('equals the daily series at each day end, and the run at its end', () => {
    const s = intradaySeries(tape, run.fills, symbols, 10_000)!;
    const K = symbols.length;
    for (let d = 0; d < series.days.length; d++) {
      // the last sample before the next day
      const end = d + 1 < series.days.length ? series.days[d + 1] : Number.POSITIVE_INFINITY;
      let i = s.times.length - 1;
      while (s.times[i] >= end) i--;
      expect(s.total[i]).toBeCloseTo(series.total[d], 8);
      for (let k = 0; k < K; k++) {
        expect(s.value[i * K + k]).toBeCloseTo(series.value[d * K + k], 8);
        expect(s.close[i * K + k]).toBe(series.close[d * K + k]);
      }
    }
    expect(s.total.at(-1)).toBeCloseTo(run.equity, 8);
    symbols.forEach((symbol, k) => expect(s.value[(s.times.length - 1) * K + k]).toBeCloseTo(run.stats[symbol].endValue, 8));
  });

  it('takes a longer stretch for fewer samples; none without a trade of the symbols', () => {
    const s = intradaySeries(tape, run.fills, symbols, 10_000, 100)!;
    expect(INTRADAY_STEPS).toContain(s.stepMs);
    expect(s.stepMs).toBe(1_800_000);
    expect(s.times.length).toBeLessThanOrEqual(100);
    expect(s.total.at(-1)).toBeCloseTo(run.equity, 8);
    expect(intradaySeries(tape, [], ['ZZZ'], 10_000)).toBeUndefined();
  });
});
