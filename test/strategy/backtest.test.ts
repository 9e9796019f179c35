/**
 * backtestStrategy: the tape's event order (tapeOrder), what onBar reads (ctx.value equal to the batch
 * kernels on the bars, bit for bit), and the statistics of the daily equity on a hand-computed case
 * (the UTC day, and a session's).
 */
import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/api/index.js';
import { backtestStrategy, defineStrategy } from '../../src/strategy/index.js';
import { tapeOrder } from '../../src/strategy/backtest.js';
import { maCross, randomTape, T0 } from './helpers.js';

const k = kernels({ backend: 'reference' });
const HOUR = 3_600_000;

describe('tapeOrder', () => {
  it('leaves a tape in (ts, symbol) order alone, sorts runs of one time by symbol name, sorts an unordered tape whole', () => {
    const values = ['B', 'A'];
    expect(tapeOrder(Float64Array.of(1, 2, 3), Int32Array.of(0, 0, 1), values)).toBeUndefined();
    // at ts 2: B (code 0) then A (code 1) in the file: A first
    expect(Array.from(tapeOrder(Float64Array.of(1, 2, 2, 2, 3), Int32Array.of(0, 0, 1, 0, 1), values)!)).toEqual([0, 2, 1, 3, 4]);
    expect(Array.from(tapeOrder(Float64Array.of(3, 1, 2, 1), Int32Array.of(1, 0, 0, 1), values)!)).toEqual([3, 1, 2, 0]);
    expect(Array.from(tapeOrder(Float64Array.of(3, 1, 2), undefined)!)).toEqual([1, 2, 0]);
  });

  it('a shuffled tape backtests as the ordered one', () => {
    const tape = randomTape(5_000, ['AAA', 'BBB'], 5_000, 4);
    const strategy = maCross(3, 8);
    const ordered = backtestStrategy(tape, strategy, { fees: 0.001 });
    expect(ordered.fills.length).toBeGreaterThan(10);
    // rows reversed in blocks: the same trades, another file order
    const n = tape.ts.length;
    const perm = Array.from({ length: n }, (_, i) => i).sort((a, b) => (b % 7) - (a % 7) || a - b);
    const pick = (x: Float64Array) => Float64Array.from(perm, (i) => x[i]);
    const shuffled = backtestStrategy(
      {
        ts: pick(tape.ts),
        price: pick(tape.price),
        volume: pick(tape.volume),
        symbols: { codes: Int32Array.from(perm, (i) => tape.symbols!.codes[i]), values: tape.symbols!.values },
      },
      strategy,
      { fees: 0.001 },
    );
    expect(shuffled.fills).toEqual(ordered.fills);
    expect(shuffled.stats).toEqual(ordered.stats);
  });
});

describe('backtestStrategy', () => {
  it('reports its progress every progressEvery trades', () => {
    const tape = randomTape(1_000, ['A', 'B', 'C'], 5_000, 2);
    const done: number[] = [];
    backtestStrategy(tape, maCross(3, 8), { progress: (x) => done.push(x), progressEvery: 1_000 });
    expect(done).toEqual([1 / 3, 2 / 3, 1]);
  });
});

describe('ctx.value', () => {
  it('equals the batch indicators on the bars, bit for bit, multi-output ones by <name>.<output>', () => {
    const tape = randomTape(6_000, ['AAA'], 10_000, 9);
    const seen: Record<string, number[]> = { close: [], rsi: [], signal: [], hist: [], close3: [] };
    const strategy = defineStrategy({
      name: 'reader',
      bars: { by: 'time', threshold: 60_000 },
      history: 4,
      indicators: { rsi: { name: 'rsi', timePeriod: 9 }, m: { name: 'macd', fastPeriod: 5, slowPeriod: 13, signalPeriod: 4 } },
      onBar(ctx, bar) {
        seen.close.push(ctx.value('close', bar.symbol));
        seen.rsi.push(ctx.value('rsi', bar.symbol));
        seen.signal.push(ctx.value('m.signal', bar.symbol));
        seen.hist.push(ctx.value('m.hist', bar.symbol));
        seen.close3.push(ctx.value('close', bar.symbol, 3));
      },
    });
    expect(strategy.valueNames).toEqual([
      'open',
      'high',
      'low',
      'close',
      'volume',
      'buyVolume',
      'ticks',
      'dollarValue',
      'rsi',
      'm.macd',
      'm.signal',
      'm.hist',
    ]);
    backtestStrategy(tape, strategy);
    const bars = k.bars({ ts: tape.ts, price: tape.price, volume: tape.volume }, { by: 'time', threshold: 60_000 });
    const macd = k.macd(bars.close, { fastPeriod: 5, slowPeriod: 13, signalPeriod: 4 }) as { signal: Float64Array; hist: Float64Array };
    expect(seen.close).toEqual(Array.from(bars.close));
    expect(seen.rsi).toEqual(Array.from(k.rsi(bars.close, { timePeriod: 9 }) as Float64Array));
    expect(seen.signal).toEqual(Array.from(macd.signal));
    expect(seen.hist).toEqual(Array.from(macd.hist));
    expect(seen.close3).toEqual(Array.from(bars.close, (_, i) => (i >= 3 ? bars.close[i - 3] : Number.NaN)));
  });
});

describe('statistics of the daily equity', () => {
  /** One symbol: a buy of 5 on the first bar filled at 10, then the last prices of three days 12, 8, 11. */
  function threeDays(hours: number[], prices: number[], session?: string) {
    const strategy = defineStrategy({
      name: 'hold',
      bars: { by: 'tick', threshold: 2 },
      onBar(ctx, bar) {
        if (bar.index === 0) ctx.order(bar.symbol, 5);
      },
    });
    const ts = Float64Array.from(hours, (h) => T0 + h * HOUR);
    return backtestStrategy(
      { ts, price: Float64Array.from(prices), volume: new Float64Array(ts.length).fill(1), symbol: 'X' },
      strategy,
      session ? { session } : {},
    );
  }

  it('a day per UTC day: start 100, end 105, drawdown from 110 to 90, one open trade', () => {
    // day 1: 10, 10 (bar 0: buy), 10 (fill: cash 50), 12; day 2: 8; day 3: 11
    const r = threeDays([10, 11, 12, 13, 34, 58], [10, 10, 10, 12, 8, 11]);
    const total = r.stats.total;
    expect(total).toMatchObject({
      startValue: 100,
      endValue: 105,
      totalReturn: 0.05,
      totalTrades: 1,
      totalOpenTrades: 1,
      totalClosedTrades: 0,
      // days 2 and 3 are below the peak of day 1
      maxDrawdownDuration: 2,
    });
    expect(total.maxDrawdown).toBeCloseTo(20 / 110, 14);
    // daily returns 0.1, -20/110, 15/90: vectorbt's Sharpe (ddof 1) over a year of 365 days
    const rets = [0.1, -20 / 110, 15 / 90];
    const mean = rets.reduce((a, b) => a + b) / 3;
    const sd = Math.sqrt(rets.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
    expect(total.sharpeRatio).toBeCloseTo((mean / sd) * Math.sqrt(365), 10);
    expect(r.stats.X).toEqual(total);
  });

  it('with a session, trades after the close count to the day before', () => {
    // 17:00 and 20:00 of day 1 are after 16:00: still day 1 (its last price 9); day 2 at 12:00: 11
    const utc = threeDays([10, 11, 12, 13, 17, 20, 36], [10, 10, 10, 12, 8, 9, 11]);
    const session = threeDays([10, 11, 12, 13, 17, 20, 36], [10, 10, 10, 12, 8, 9, 11], '09:30-16:00');
    expect(utc.stats.total.endValue).toBe(105);
    expect(session.stats.total.endValue).toBe(105);
    // UTC: one day (95 at 20:00), then 105; session: the same two days
    expect(session.stats.total.maxDrawdown).toBe(utc.stats.total.maxDrawdown);
    expect(session.stats.total.totalReturn).toBe(0.05);
  });
});

describe('bars within market hours (bars.session)', () => {
  /** The bars a strategy of `bars` closes on `tape`, each as [symbol, ts, open, high, low, close, volume]. */
  function barsOf(tape: ReturnType<typeof randomTape>, bars: object): number[][] {
    const seen: number[][] = [];
    const strategy = defineStrategy({
      name: 'bars',
      bars: bars as never,
      onBar(_ctx, b) {
        seen.push([b.symbol === 'AAA' ? 0 : 1, b.ts, b.open, b.high, b.low, b.close, b.volume]);
      },
    });
    backtestStrategy(tape, strategy, {});
    return seen;
  }

  it("makes bars of the session's trades only: those of the tape without the others, the last of a day closed the next day", () => {
    // three days of trades round the clock, 2 symbols
    const tape = randomTape(3 * 24 * 60, ['AAA', 'BBB'], 30_000, 5);
    const inHours = (t: number) => {
      const minute = Math.floor((t % 86_400_000) / 60_000);
      return minute >= 9 * 60 + 30 && minute < 16 * 60;
    };
    const keep = Array.from(tape.ts.keys()).filter((i) => inHours(tape.ts[i]));
    expect(keep.length).toBeGreaterThan(100);
    expect(keep.length).toBeLessThan(tape.ts.length / 2);
    const pick = (x: Float64Array) => Float64Array.from(keep, (i) => x[i]);
    const hours = {
      ts: pick(tape.ts),
      price: pick(tape.price),
      volume: pick(tape.volume),
      symbols: { codes: Int32Array.from(keep, (i) => tape.symbols!.codes[i]), values: tape.symbols!.values },
    };
    for (const bars of [
      { by: 'time', threshold: 300_000 },
      { by: 'tick', threshold: 7 },
    ]) {
      const withSession = barsOf(tape, { ...bars, session: '09:30-16:00' });
      expect(withSession.length).toBeGreaterThan(20);
      expect(withSession).toEqual(barsOf(hours, bars));
      // and not the bars of the whole tape
      expect(barsOf(tape, bars).length).toBeGreaterThan(withSession.length);
    }
    // a session in another time zone: 09:30-16:00 New York is 14:30-21:00 UTC in January
    const ny = barsOf(tape, { by: 'time', threshold: 300_000, session: '09:30-16:00 America/New_York' });
    for (const [, ts] of ny) {
      const minute = Math.floor((ts % 86_400_000) / 60_000);
      expect(minute > 14 * 60 + 30 && minute <= 21 * 60).toBe(true);
    }
  });
});
