/**
 * The demo's example strategy: an MA cross whose entries the VPIN CDF holds back (checked on a tape
 * against the same cross without the filter), and `kernelbus demo` showing its orders, fills and P&L
 * within seconds, its book measured by the risk engine.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';
import { DEMO_CASH, TOXIC_CDF, vpinMaCross } from '../../src/cli/demo-strategy.js';
import { StrategyRunner, type StrategyOrder, type Tape } from '../../src/strategy/index.js';
import { randomTape } from '../strategy/helpers.js';

/** Runs the strategy over a tape, each symbol's VPIN CDF `cdf` (undefined: no VPIN_CALCULATION seen). */
function run(tape: Tape, cdf: (symbol: string) => number | undefined) {
  const strategy = vpinMaCross({ barMs: 60_000, fast: 3, slow: 8, fraction: 0.2 });
  const orders: StrategyOrder[] = [];
  const runner = new StrategyRunner(strategy, { initCash: 10_000 }, { order: (o) => void orders.push(o) });
  const { codes, values } = tape.symbols!;
  for (const symbol of values) {
    const c = cdf(symbol);
    if (c !== undefined) runner.observe('VPIN_CALCULATION', symbol, { cdf: c, vpin: 0.3 });
  }
  const index = values.map((s) => runner.symbolIndex(s));
  for (let i = 0; i < tape.ts.length; i++) runner.trade(index[codes[i]], tape.ts[i], tape.price[i], tape.volume[i]);
  runner.stop();
  return { orders, heldBack: runner.ctx.state.heldBack ?? 0 };
}

describe('the demo strategy (MA cross on VPIN-filtered bars)', () => {
  it('enters on the crosses while the VPIN CDF is at most 0.9 or unknown; above it holds back every entry', () => {
    const tape = randomTape(4_000, ['AAA', 'BBB'], 3_000, 11);
    const free = run(tape, () => undefined);
    const calm = run(tape, () => TOXIC_CDF);
    const toxic = run(tape, (s) => (s === 'AAA' ? 0.95 : 0.2));
    const entries = (orders: StrategyOrder[], symbol?: string) => orders.filter((o) => o.units > 0 && (!symbol || o.symbol === symbol));
    expect(entries(free.orders).length).toBeGreaterThan(10);
    expect(free.orders.some((o) => o.units < 0)).toBe(true); // the cross below closes
    expect(calm).toEqual(free); // at the threshold (not above): no effect
    expect(free.heldBack).toBe(0);
    // AAA toxic: none of its entries taken, each counted; BBB's orders as without the filter
    expect(toxic.orders.filter((o) => o.symbol === 'AAA')).toEqual([]);
    expect(toxic.heldBack).toBe(entries(free.orders, 'AAA').length);
    expect(toxic.orders.filter((o) => o.symbol === 'BBB').map((o) => o.units > 0)).toEqual(
      free.orders.filter((o) => o.symbol === 'BBB').map((o) => o.units > 0),
    );
  });
});

describe('kernelbus demo: the example strategy', () => {
  it("shows the strategy's orders, fills and P&L within seconds, and the risk engine measures its book", async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    // SMA 15 of 100 ms bars is warm after 1.5 s: 3 s leaves about 15 bars of each of 5 symbols to cross on
    const code = await runDemo(['--symbols', '5', '--rate', '20000', '--seconds', '3', '--seed', '3', '--json'], out, new PassThrough());
    expect(code).toBe(0);
    const { strategy, risk } = JSON.parse(text);
    expect(strategy.name).toBe('vpin-ma-cross');
    expect(strategy.fills).toBeGreaterThan(0);
    // a market order fills at the symbol's next trade: only those of the last trades may still wait
    expect(strategy.fills).toBeLessThanOrEqual(strategy.orders);
    expect(strategy.orders - strategy.fills).toBeLessThanOrEqual(5);
    expect(strategy.lastFills.length).toBe(Math.min(5, strategy.fills));
    for (const f of strategy.lastFills) {
      expect(f.id).toMatch(/^vpin-ma-cross:SYM00\d:\d+:0#0$/);
      expect(f.price).toBeGreaterThan(0);
    }
    // P&L: the equity less the starting cash, the sum of the symbols' realized and unrealized P&L
    const perSymbol = Object.values(strategy.symbols as Record<string, { realizedPnl: number; unrealizedPnl: number }>);
    expect(perSymbol.length).toBeGreaterThan(0);
    const sum = perSymbol.reduce((a, p) => a + p.realizedPnl + p.unrealizedPnl, 0);
    // (money to the cent in the JSON)
    expect(Math.abs(strategy.pnl - (strategy.equity - DEMO_CASH))).toBeLessThanOrEqual(0.01 + 1e-9);
    expect(Math.abs(sum - strategy.pnl)).toBeLessThanOrEqual(0.005 * (2 * perSymbol.length + 1) + 1e-9);
    // the risk engine's book of the strategy: a backtest zone once it had figures
    expect(risk.zones).toHaveProperty('strategy:vpin-ma-cross');
  });

  it('prints the strategy section in the text summary, fills included', async () => {
    const out = Object.assign(new PassThrough(), { isTTY: false });
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    expect(await runDemo(['--file', 'examples/tape.csv'], out)).toBe(0);
    expect(text).toMatch(
      /\n {2}strategy vpin-ma-cross \(SMA 5 \/ 15 cross on [\d,.]+ (s|ms) bars, no entry while VPIN CDF > 0\.9; fees 5 bp of each fill\)\n/,
    );
    const [, orders, fills] =
      /\n {2}([\d,]+) orders, ([\d,]+) fills, [\d,]+ entries held back by VPIN; equity [\d,.]+ \(P&L [+-][\d,.]+, fees [\d,.]+\)\n/
        .exec(text)!
        .map((x) => Number(x.replaceAll(',', '')));
    expect(fills).toBeGreaterThan(0);
    expect(fills).toBeLessThanOrEqual(orders);
    expect(text).toMatch(/\n {2}fill vpin-ma-cross:\S+:\d+:0#0: (bought|sold) [\d,.]+ \S+ at [\d.]+\n/);
    // which positions are shown, and what avg price is; fees charged
    expect(text).toMatch(
      /\n {2}(the 5 of largest P&L of the [\d,]+ symbols traded \(--json: all\)|every symbol traded); avg price: the position's average entry price\n/,
    );
    expect(Number(/fees ([\d,.]+)\)/.exec(text)![1].replaceAll(',', ''))).toBeGreaterThan(0);
    expect(text).toMatch(/\n {2}strategy:vpin-ma-cross +[\d.]+%/);
  });
});
