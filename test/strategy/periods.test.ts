/**
 * The periods a year inferred from the bars' timestamps (src/strategy/periods.ts, issue 88): 1-minute,
 * hourly, daily, weekly bars and ticks, of a market with weekday sessions and of one that trades round
 * the clock; the trading year (the default) against vectorbt's calendar year (year_freq / freq), the
 * override and the default without timestamps; durations with their units.
 */
import { describe, expect, it } from 'vitest';
import { formatStat } from '../../src/cli/backtest-grid.js';
import { mulberry32 } from '../../src/math/mulberry32.js';
import { choosePeriods, durationText, durationWithUnits, inferBarTimes } from '../../src/strategy/periods.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Monday 2024-01-08 00:00 UTC. */
const MONDAY = Date.UTC(2024, 0, 8);
const isWeekend = (t: number) => [0, 6].includes(new Date(t).getUTCDay());

/** Bars `every` ms apart from `open` for `length` ms each day of `days` from `from` (weekends skipped unless `weekends`). */
function bars(from: number, days: number, open: number, length: number, every: number, weekends: boolean): Float64Array {
  const out: number[] = [];
  for (let d = 0; d < days; d++) {
    const day = from + d * DAY;
    if (!weekends && isWeekend(day)) continue;
    for (let t = 0; t < length; t += every) out.push(day + open + t);
  }
  return Float64Array.from(out);
}

/** Ticks at random times (exponential gaps of `mean` ms on average) within each day's session. */
function ticks(from: number, days: number, open: number, length: number, mean: number, weekends: boolean, seed = 3): Float64Array {
  const r = mulberry32(seed);
  const out: number[] = [];
  for (let d = 0; d < days; d++) {
    const day = from + d * DAY;
    if (!weekends && isWeekend(day)) continue;
    for (let t = 0; t < length; t += Math.max(1, Math.round(-mean * Math.log(1 - r())))) out.push(day + open + t);
  }
  return Float64Array.from(out);
}

/** US equities' regular session in UTC (winter): 14:30 to 21:00. */
const SESSION = { open: 14.5 * HOUR, length: 6.5 * HOUR };

describe('inferBarTimes', () => {
  it('1-minute bars of 6.5-hour weekday sessions: 252 x 390 = 98,280 a trading year, vectorbt 525,600', () => {
    for (const ts of [
      bars(MONDAY, 14, SESSION.open, SESSION.length, MIN, false), // two weeks: no bars over the weekend
      bars(MONDAY + 3 * DAY, 2, SESSION.open, SESSION.length, MIN, false), // Thursday and Friday: sessions of 6.5 hours
    ]) {
      const t = inferBarTimes(ts)!;
      expect(t).toMatchObject({
        bars: '1-minute bars',
        regular: true,
        spacingMs: MIN,
        kind: 'intraday',
        daysPerYear: 252,
        barsPerDay: 390,
      });
      expect(t.trading).toBe(98_280);
      expect(t.calendar).toBe(525_600);
      const c = choosePeriods(t);
      expect(c.periodsPerYear).toBe(98_280);
      expect(c.text).toMatch(
        /^1-minute bars, 98,280 periods a year: a trading year of 252 days \(.*\) x 390 bars \(--year calendar for vectorbt's 365 days \/ 1 min = 525,600; inferred from the timestamps; --periods-per-year to set it\)$/,
      );
      expect(choosePeriods(t, { year: 'calendar' }).periodsPerYear).toBe(525_600);
    }
    expect(inferBarTimes(bars(MONDAY, 14, SESSION.open, SESSION.length, MIN, false))!.daysWhy).toBe('no bars over a weekend');
  });

  it("1-minute bars round the clock: 365 x 1,440 = 525,600 under both years (vectorbt's number)", () => {
    for (const days of [2, 10]) {
      const t = inferBarTimes(bars(MONDAY, days, 0, DAY, MIN, true))!;
      expect([t.trading, t.calendar, t.daysPerYear]).toEqual([525_600, 525_600, 365]);
      expect(choosePeriods(t).text).toMatch(
        /^1-minute bars, 525,600 periods a year: 365 days \(.*\) x 1,440 bars, the trading and calendar years alike/,
      );
    }
  });

  it('hourly bars: 252 x 7 a trading year of 9:30-16:00 sessions, 8,760 round the clock', () => {
    const equities = inferBarTimes(bars(MONDAY, 21, SESSION.open, SESSION.length, HOUR, false))!;
    expect(equities).toMatchObject({ bars: '1-hour bars', barsPerDay: 7, trading: 252 * 7, calendar: 8760 });
    const crypto = inferBarTimes(bars(MONDAY, 21, 0, DAY, HOUR, true))!;
    expect([crypto.trading, crypto.calendar]).toEqual([8760, 8760]);
  });

  it('daily bars: 252 without weekends, 365 with them; weekly bars: about 52', () => {
    const weekdays = inferBarTimes(bars(MONDAY, 90, 0, 1, DAY, false))!;
    expect(weekdays).toMatchObject({ bars: '1-day bars', kind: 'daily', trading: 252, calendar: 365 });
    expect(choosePeriods(weekdays).text).toMatch(
      /^1-day bars, 252 periods a year: a trading year of 252 days, no bars over a weekend \(--year calendar for vectorbt's 365 days \/ 1 day = 365;/,
    );
    const everyDay = inferBarTimes(bars(MONDAY, 90, 0, 1, DAY, true))!;
    expect([everyDay.trading, everyDay.calendar]).toEqual([365, 365]);
    const weekly = inferBarTimes(bars(MONDAY, 7 * 104, 0, 1, 7 * DAY, true).filter((t) => new Date(t).getUTCDay() === 1))!;
    expect(weekly.kind).toBe('coarse');
    expect(weekly.calendar).toBeCloseTo(365 / 7, 9);
    expect(weekly.trading).toBeCloseTo(365.25 / 7, 9);
  });

  it('ticks: irregular, the trades observed a session x 252, or x 365 round the clock', () => {
    const ts = ticks(MONDAY, 14, SESSION.open, SESSION.length, 2_000, false);
    const t = inferBarTimes(ts, 'trades')!;
    expect(t.regular).toBe(false);
    expect(t.bars).toMatch(/^bars at irregular times, 2(\.\d+)? s apart on average$/);
    expect(t.daysWhy).toBe('no trades over a weekend');
    const perSession = ts.length / 10;
    expect(t.trading / (252 * perSession)).toBeCloseTo(1, 2);
    expect(t.calendar).toBe(Math.round((365 * DAY) / t.spacingMs));
    expect(Number.isInteger(t.trading)).toBe(true);
    const crypto = inferBarTimes(ticks(MONDAY, 3, 0, DAY, 2_000, true))!;
    expect(crypto.trading / crypto.calendar).toBeCloseTo(1, 2);
    expect(crypto.daysPerYear).toBe(365);
  });

  it('pools symbols, sorts a series out of order, drops NaN; nothing to infer from one time', () => {
    const a = bars(MONDAY, 14, SESSION.open, SESSION.length, 5 * MIN, false);
    const b = a.map((t) => t);
    b.reverse();
    const withNaN = Float64Array.from([...a, Number.NaN]);
    for (const input of [[a, a], [b], [withNaN]]) expect(inferBarTimes(input)!.trading).toBe(252 * 78);
    expect(inferBarTimes(Float64Array.of(MONDAY))).toBeUndefined();
    expect(inferBarTimes([Float64Array.of(MONDAY, MONDAY), new Float64Array(0)])).toBeUndefined();
  });
});

describe('choosePeriods', () => {
  const minutes = inferBarTimes(bars(MONDAY, 14, SESSION.open, SESSION.length, MIN, false))!;

  it('--periods-per-year overrides the inference, and the text says what the timestamps say', () => {
    const c = choosePeriods(minutes, { given: 252 });
    expect(c).toMatchObject({ periodsPerYear: 252, source: 'given', periodMs: MIN });
    expect(c.text).toBe('252 periods a year (--periods-per-year; the timestamps say 1-minute bars, 98,280 a trading year)');
  });

  it("without timestamps: vectorbt's 365, said", () => {
    const c = choosePeriods(undefined);
    expect(c).toMatchObject({ periodsPerYear: 365, source: 'default' });
    expect(c.text).toMatch(/^365 periods a year \(no timestamps to infer them from/);
  });

  it("per day (a strategy run's statistics): the trading days a year, or 365", () => {
    expect(choosePeriods(minutes, { per: 'days' })).toMatchObject({ periodsPerYear: 252, periodMs: DAY, days: true });
    expect(choosePeriods(minutes, { per: 'days', year: 'calendar' }).periodsPerYear).toBe(365);
  });
});

describe('durations with units', () => {
  it('bars x the spacing, and the bars; days as days; bars alone without a spacing', () => {
    expect(durationWithUnits(192, MIN)).toBe('3 h 12 min (192 bars)');
    expect(durationWithUnits(2.5, HOUR)).toBe('2 h 30 min (2.5 bars)');
    expect(durationWithUnits(1, MIN)).toBe('1 min (1 bar)');
    expect(durationWithUnits(40, DAY)).toBe('40 days (40 bars)');
    expect(durationWithUnits(3, DAY, true)).toBe('3 days');
    expect(durationWithUnits(0.04, DAY, true)).toBe('0.04 days');
    expect(durationWithUnits(39.625, MIN)).toBe('39 min 38 s (39.63 bars)');
    expect(durationWithUnits(1, DAY, true)).toBe('1 day');
    expect(durationWithUnits(192, Number.NaN)).toBe('192 bars');
    expect(durationWithUnits(0, MIN)).toBe('0 bars');
    expect(durationWithUnits(Number.NaN, MIN)).toBe('-');
    expect([durationText(45_000), durationText(26 * HOUR), durationText(250)]).toEqual(['45 s', '1 day 2 h', '250 ms']);
  });

  it('formatStat prints durations with them', () => {
    expect(formatStat('maxDrawdownDuration', 192, { periodMs: MIN, days: false })).toBe('3 h 12 min (192 bars)');
    expect(formatStat('avgWinningTradeDuration', 2, { periodMs: DAY, days: true })).toBe('2 days');
    expect(formatStat('maxDrawdownDuration', 192)).toBe('192 bars');
  });
});
