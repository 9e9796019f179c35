/**
 * THE cross-check (issue 69): a bar strategy whose orders follow the vectorized model (market on the
 * bar's close, no latency, full fills: `fillAt: 'close'`) gives exactly backtestSignals' value series
 * and orders on the same bars: the bars from kernels().bars() on the tape, the signals from sma and
 * crossedAbove/crossedBelow, vectorbt's from_signals with size Infinity.
 */
import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/api/index.js';
import { StrategyRunner } from '../../src/strategy/index.js';
import type { Matrix } from '../../src/index.js';
import { maCross, randomTape } from './helpers.js';

const k = kernels({ backend: 'reference' });
const k_ = k;

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

describe('three symbols, one cash: backtestSignals with cashSharing', () => {
  it("gives vectorbt's cash-sharing orders (bar, column, size, price, fees, side), cash and positions", () => {
    // the symbols trade at the same times: their bars close together, in symbol order (vectorbt's call sequence)
    const symbols = ['AAA', 'BBB', 'CCC'];
    const costs = { fees: 0.001, slippage: 0.0005 };
    const tape = randomTape(15_000, symbols, 9_000, 17);
    const fills: { ts: number; symbol: string; units: number; price: number; fees: number }[] = [];
    const barTs: number[] = [];
    const held: { cash: number; position: number[] }[] = [];
    const runner: StrategyRunner<object> = new StrategyRunner(
      maCross(4, 15),
      { ...costs, initCash: 1000, fillAt: 'close' },
      {
        fill: (f) => fills.push(f),
        bar: (bar) => {
          // the account after the last symbol's bar of a time: every symbol's orders of that bar filled
          if (bar.symbol === 'CCC') {
            barTs.push(bar.ts);
            held.push({ cash: runner.account.cash, position: Array.from(runner.account.position.subarray(0, 3)) });
          }
        },
      },
    );
    const index = symbols.map((s) => runner.symbolIndex(s));
    for (let i = 0; i < tape.ts.length; i++) runner.trade(index[tape.symbols!.codes[i]], tape.ts[i], tape.price[i], tape.volume[i]);
    runner.stop();

    const K = symbols.length;
    const perSymbol = symbols.map((_, k) => {
      const rows = Array.from({ length: tape.ts.length }, (_, i) => i).filter((i) => tape.symbols!.codes[i] === k);
      const pick = (x: Float64Array) => Float64Array.from(rows, (i) => x[i]);
      return k_.bars({ ts: pick(tape.ts), price: pick(tape.price), volume: pick(tape.volume) }, { by: 'time', threshold: 60_000 });
    });
    const T = perSymbol[0].close.length;
    expect(perSymbol.every((b) => b.close.length === T && b.ts.every((t, i) => t === perSymbol[0].ts[i]))).toBe(true);
    const panel = (f: (k: number) => ArrayLike<number>): Matrix => {
      const data = new Float64Array(T * K);
      for (let k = 0; k < K; k++) {
        const col = f(k);
        for (let i = 0; i < T; i++) data[i * K + k] = col[i];
      }
      return { data, rows: T, cols: K };
    };
    const close = panel((k) => perSymbol[k].close);
    const fast = symbols.map((_, k) => k_.sma(perSymbol[k].close, { timePeriod: 4 }) as Float64Array);
    const slow = symbols.map((_, k) => k_.sma(perSymbol[k].close, { timePeriod: 15 }) as Float64Array);
    const entries = panel((k) => k_.crossedAbove(fast[k], slow[k]) as Uint8Array);
    const exits = panel((k) => k_.crossedBelow(fast[k], slow[k]) as Uint8Array);
    const result = k_.backtestSignals(
      { close },
      { entries, exits, ...costs, initCash: 1000, cashSharing: true, groups: new Int32Array(K) },
    );
    const o = result.orders;
    expect(o.id.length).toBeGreaterThan(20);
    expect(new Set(Array.from(o.col)).size).toBe(K);
    expect(fills.length).toBe(o.id.length);
    const barOf = (ts: number) => barTs.findIndex((t, i) => t <= ts && (i + 1 === barTs.length || ts < barTs[i + 1]));
    expect(fills.map((f) => [barOf(f.ts), symbols.indexOf(f.symbol)])).toEqual(Array.from(o.idx, (i, r) => [i, o.col[r]]));
    expect(fills.map((f) => Math.abs(f.units))).toEqual(Array.from(o.size));
    expect(fills.map((f) => f.price)).toEqual(Array.from(o.price));
    expect(fills.map((f) => f.fees)).toEqual(Array.from(o.fees));
    expect(fills.map((f) => (f.units > 0 ? 0 : 1))).toEqual(Array.from(o.side));
    // the group's cash and positions after each bar, so its value at the bar's closes
    const data = (x: Float64Array | Matrix) => (x instanceof Float64Array ? x : x.data);
    expect(held.map((h) => h.cash)).toEqual(Array.from(data(result.cash)));
    const assets = data(result.assets);
    expect(held.map((h) => h.position)).toEqual(Array.from({ length: T }, (_, i) => Array.from(assets.subarray(i * K, (i + 1) * K))));
  });
});
