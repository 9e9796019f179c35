/**
 * tapeBars(): a tape's bars of returns only where the market trades, within a session's hours when one
 * is given; and through replay() into the risk engine, whose VaR is then valueAtRisk() over the
 * open-market returns alone.
 */
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus/index.js';
import { RiskEngine, type RiskResult } from '../../src/engines/index.js';
import { KernelInputError } from '../../src/errors.js';
import { kernels } from '../../src/index.js';
import { mulberry32 } from '../../src/math/mulberry32.js';
import { replay, returnsBarsTape, tapeBars, type TradesTape } from '../../src/replay/index.js';
import { SessionClock } from '../../src/replay/session.js';

const MIN = 60_000;
const DAY_1 = Date.UTC(2026, 10, 19);
const DAY_2 = Date.UTC(2026, 10, 20);

/** Two symbols trading about every 40 s from 14:30 to 21:00 UTC on two days (a night between), plus `extra` times. */
function twoDayTape(seed = 7, extra: number[] = []): TradesTape {
  const random = mulberry32(seed);
  const ts: number[] = [];
  for (const day of [DAY_1, DAY_2]) {
    for (let t = day + (14 * 60 + 30) * MIN; t < day + 21 * 60 * MIN; t += 20_000 + Math.floor(random() * 40_000)) ts.push(t);
  }
  ts.push(...extra);
  ts.sort((a, b) => a - b);
  const price = [100, 50];
  const rows = ts.map((t) => {
    const j = random() < 0.5 ? 0 : 1;
    price[j] *= 1 + 0.002 * (random() - 0.5);
    return { t, j, p: price[j] };
  });
  return {
    trades: {
      ts: Float64Array.from(rows, (r) => r.t),
      price: Float64Array.from(rows, (r) => r.p),
      volume: new Float64Array(rows.length).fill(100),
    },
    symbols: { values: ['A', 'B'], codes: Int32Array.from(rows, (r) => r.j) },
  };
}

/** The oracle: for bars ending at `ends`, each symbol's close is its last trade before the end (its first price before any). */
function asOfCloses(tape: TradesTape, ends: Float64Array, keep: (t: number) => boolean): number[][] {
  const { ts, price } = tape.trades;
  const codes = tape.symbols!.codes;
  return Array.from(ends, (end) =>
    [0, 1].map((j) => {
      let close = Number.NaN;
      let first = Number.NaN;
      for (let i = 0; i < ts.length; i++) {
        if (codes[i] !== j || !keep(ts[i])) continue;
        if (first !== first) first = price[i];
        if (ts[i] < end) close = price[i];
      }
      return close === close ? close : first;
    }),
  );
}

describe('tapeBars', () => {
  it('skips bars without a trade: a night is one return, from the last close before it', () => {
    const tape = twoDayTape();
    const bars = tapeBars([tape], { barMs: 2 * MIN });
    // 6.5 hours a day of 2-minute bars, each with a trade: 195 a day, none in the night
    expect(bars.symbols).toEqual(['A', 'B']);
    expect(bars.ts.length).toBe(2 * 195);
    const night = bars.ts.findIndex((t) => t > DAY_2);
    expect(night).toBe(195);
    expect(bars.ts[night - 1]).toBeLessThan(DAY_1 + 21 * 60 * MIN + 2 * MIN);
    expect(bars.ts[night]).toBeGreaterThan(DAY_2 + (14 * 60 + 30) * MIN);
    // closes as of each bar's end; returns close over close, the night's from day 1's last close
    const closes = asOfCloses(tape, bars.ts, () => true);
    expect(Array.from(bars.prices)).toEqual(closes.flat());
    const first = asOfCloses(tape, Float64Array.of(-Infinity), () => true)[0];
    for (let b = 0; b < bars.ts.length; b++) {
      for (let j = 0; j < 2; j++) {
        const before = b === 0 ? first[j] : closes[b - 1][j];
        expect(bars.returns[b * 2 + j]).toBe((closes[b][j] - before) / before);
      }
    }
    expect(Math.abs(bars.returns[night * 2])).toBeGreaterThan(0);
  });

  it('with a session, trades outside its hours make no bar, and bars are cut from each open (time zone and DST followed)', () => {
    const early = DAY_2 + 13 * 60 * MIN; // 08:00 New York
    const late = DAY_1 + 22 * 60 * MIN; // 17:00 New York
    const tape = twoDayTape(3, [early, late]);
    const all = tapeBars([tape], { barMs: 5 * MIN });
    expect(all.ts.some((t) => t > early && t <= early + 5 * MIN)).toBe(true);
    expect(all.ts.some((t) => t > late && t <= late + 5 * MIN)).toBe(true);
    // 09:30-16:00 in New York is 14:30-21:00 UTC in November (EST)
    const open = (day: number) => day + (14 * 60 + 30) * MIN;
    const inHours = (t: number) => (t >= open(DAY_1) && t < DAY_1 + 21 * 60 * MIN) || (t >= open(DAY_2) && t < DAY_2 + 21 * 60 * MIN);
    for (const session of ['09:30-16:00 America/New_York', { open: '14:30', close: '21:00' }]) {
      const bars = tapeBars([tape], { barMs: 5 * MIN, session });
      expect(bars.ts.length).toBe(2 * 78);
      for (const end of bars.ts) {
        const day = end < DAY_2 ? DAY_1 : DAY_2;
        expect((end - open(day)) % (5 * MIN)).toBe(0);
      }
      expect(Array.from(bars.prices)).toEqual(asOfCloses(tape, bars.ts, inHours).flat());
    }
    // In July New York is UTC-4: the session opens at 13:30 UTC; a Chicago overnight session 17:00-16:00 holds 03:00
    const july = new SessionClock('09:30-16:00 America/New_York');
    const d = Date.UTC(2026, 6, 15);
    expect(july.at(d + (13 * 60 + 30) * MIN)).toEqual([d + (13 * 60 + 30) * MIN, d + 20 * 60 * MIN]);
    expect(july.at(d + (13 * 60 + 29) * MIN)).toBeUndefined();
    expect(july.at(d + 20 * 60 * MIN)).toBeUndefined();
    const globex = new SessionClock({ open: '17:00', close: '16:00', timeZone: 'America/Chicago' });
    // 03:00 Chicago on Nov 20 (09:00 UTC) is in the session opened at 17:00 on Nov 19 (23:00 UTC)
    expect(globex.at(DAY_2 + 9 * 60 * MIN)).toEqual([DAY_1 + 23 * 60 * MIN, DAY_2 + 22 * 60 * MIN]);
    expect(globex.at(DAY_2 + (22 * 60 + 30) * MIN)).toBeUndefined();
  });

  it('keeps the symbols asked for, in that order, and the trades in [from, to)', () => {
    const tape = twoDayTape();
    const bars = tapeBars([tape], { barMs: 2 * MIN, symbols: ['B'], to: DAY_2 });
    expect(bars.symbols).toEqual(['B']);
    expect(bars.ts.every((t) => t < DAY_2)).toBe(true);
    const none = tapeBars([tape], { barMs: MIN, from: DAY_2 + 22 * 60 * MIN });
    expect(none.ts.length).toBe(0);
  });

  it('refuses bad options naming them', () => {
    const tape = twoDayTape();
    expect(() => tapeBars([tape], { barMs: 0 })).toThrow('options.barMs: expected a finite number of ms > 0, got 0');
    expect(() => tapeBars([tape], { barMs: MIN, session: '9h to 4pm' })).toThrow(KernelInputError);
    expect(() => tapeBars([tape], { barMs: MIN, session: '09:30-16:00' }).ts.length).not.toThrow();
    expect(() => tapeBars([tape], { barMs: MIN, session: '09:30-25:00' })).toThrow(/^options\.session: expected market hours/);
    expect(() => tapeBars([tape], { barMs: MIN, session: '09:30-16:00 Mars/Olympus' })).toThrow(
      'options.session.timeZone: expected an IANA time zone name, got "Mars/Olympus"',
    );
    expect(() => tapeBars([tape], { barMs: MIN, from: 5, to: 5 })).toThrow(/^options\.to:/);
  });
});

describe('a two-day tape through replay() into the risk engine', () => {
  it('gives the VaR of valueAtRisk() over the open-market returns only', async () => {
    const tape = twoDayTape(11);
    const bars = tapeBars([tape], { barMs: 2 * MIN, session: '09:30-16:00 America/New_York' });
    const bus = createBus();
    const window = 250;
    const engine = new RiskEngine(bus, { backend: 'reference', window, heartbeatMs: 0 }).start();
    const results: RiskResult[] = [];
    bus.subscribe<RiskResult>('ANALYTICS_RESULT', (m) => void results.push(m.payload));
    await bus.publish('PORTFOLIO_UPDATE', { key: 'book', payload: { weights: { A: 0.6, B: 0.4 }, universe: 'market' } });
    const summary = await replay(bus, [tape, returnsBarsTape(bars, 'market')]);
    expect(summary.messages).toBe(bars.ts.length);
    await engine.close();
    await bus.close();
    const ref = kernels({ backend: 'reference' });
    const rows = bars.ts.length;
    const book = Float64Array.from({ length: rows }, (_, b) => 0.6 * bars.returns[2 * b] + 0.4 * bars.returns[2 * b + 1]);
    const expected = ref.valueAtRisk(book.slice(rows - window), { method: 'historical', confidence: 0.95 }).var;
    const last = results.at(-1)!;
    expect(last.rows).toBe(window);
    expect(last.historical.var).toBeCloseTo(expected, 14);
    expect(last.historical.var).toBeGreaterThan(0);
  });
});
