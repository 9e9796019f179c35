/**
 * THE cross-check (issue 69): a bar strategy whose orders follow the vectorized model (market on the
 * bar's close, no latency, full fills: `fillAt: 'close'`) gives exactly backtestSignals' value series
 * and orders on the same bars: the bars from kernels().bars() on the tape, the signals from sma and
 * crossedAbove/crossedBelow, vectorbt's from_signals with size Infinity.
 */
import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/api/index.js';
import { StrategyRunner } from '../../src/strategy/index.js';
import { maCross, randomTape } from './helpers.js';

const k = kernels({ backend: 'reference' });

describe.each([
  { fees: 0, slippage: 0, fixedFees: 0 },
  { fees: 0.001, slippage: 0.0005, fixedFees: 0 },
  { fees: 0.002, slippage: 0.001, fixedFees: 0.01 },
])('fees $fees, slippage $slippage, fixed fees $fixedFees', (costs) => {
  it('equals backtestSignals bar for bar: value, orders, sizes, prices, fees', () => {
    const tape = randomTape(20_000, ['AAA'], 9_000, 11);
    const strategy = maCross(5, 20);
    const equity: number[] = [];
    const fills: { ts: number; units: number; price: number; fees: number }[] = [];
    const barTs: number[] = [];
    const runner = new StrategyRunner(
      strategy,
      { ...costs, initCash: 1000, fillAt: 'close' },
      {
        bar: (bar, value) => {
          barTs.push(bar.ts);
          equity.push(value);
        },
        fill: (f) => fills.push(f),
      },
    );
    const a = runner.symbolIndex('AAA');
    for (let i = 0; i < tape.ts.length; i++) runner.trade(a, tape.ts[i], tape.price[i], tape.volume[i]);
    runner.stop();

    const bars = k.bars({ ts: tape.ts, price: tape.price, volume: tape.volume }, { by: 'time', threshold: 60_000 });
    expect(barTs).toEqual(Array.from(bars.ts));
    const close = bars.close;
    const fast = k.sma(close, { timePeriod: 5 }) as Float64Array;
    const slow = k.sma(close, { timePeriod: 20 }) as Float64Array;
    const entries = k.crossedAbove(fast, slow);
    const exits = k.crossedBelow(fast, slow);
    const result = k.backtestSignals({ close }, { entries, exits, ...costs, initCash: 1000 });
    const value = result.value as Float64Array;
    expect(result.orders.id.length).toBeGreaterThan(20);
    expect(fills.length).toBe(result.orders.id.length);
    // the orders: on the same bars (the fill's ts is the trade that closed the bar: the next bar's first)
    const barOfFill = fills.map((f) =>
      barTs.findIndex((t, i) => t <= f.ts && (i + 1 === barTs.length || f.ts < barTs[i + 1] || f.ts === t)),
    );
    expect(barOfFill).toEqual(Array.from(result.orders.idx));
    expect(fills.map((f) => Math.abs(f.units))).toEqual(Array.from(result.orders.size));
    expect(fills.map((f) => f.price)).toEqual(Array.from(result.orders.price));
    expect(fills.map((f) => f.fees)).toEqual(Array.from(result.orders.fees));
    expect(fills.map((f) => (f.units > 0 ? 0 : 1))).toEqual(Array.from(result.orders.side));
    // the value series, exactly
    expect(equity).toEqual(Array.from(value));
  });
});
