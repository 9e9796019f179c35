/**
 * The dashboard's strategies panel (web/strategies.js, the pure functions the gateway inlines into the
 * page) on a StrategyEngine's own messages read through the gateway: a client that connects after the
 * run gets ORDER_FILL, POSITION_UPDATE and STRATEGY_SIGNAL from the gateway's history and folds them
 * into the same fills, positions and equity a client that watched live folded, equal to the engine's
 * account; a fill published again (at-least-once) counts once; the drawdown and the P&L table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bus, createBus } from '../../src/bus/index.js';
import { StrategyEngine } from '../../src/engines/index.js';
import { createGateway, GATEWAY_TYPES, type Gateway } from '../../src/gateway/index.js';
import { STRATEGIES_MARKER } from '../../src/gateway/page.js';
import type { StrategyFill } from '../../src/strategy/index.js';
import { drawdowns, fillText, onStrategyMessage, type PageStrategy, pnlRows, STRATEGY_CAPS } from '../../web/strategies.js';
import { maCross, randomTape } from '../strategy/helpers.js';
import { TestClient, until } from './helpers.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC'];
let bus: Bus;
let gateway: Gateway;
let live: TestClient;
let engine: StrategyEngine;

beforeAll(async () => {
  bus = createBus();
  gateway = await createGateway(bus, { port: 0 });
  live = new TestClient(gateway.wsUrl);
  await live.opened;
  await live.request({ subscribe: ['STRATEGY_SIGNAL', 'ORDER_FILL', 'POSITION_UPDATE'] });
  engine = new StrategyEngine(bus, {
    strategies: maCross(3, 8, 60_000, 'cross', SYMBOLS),
    initCash: 10_000,
    maxLatenessMs: 0,
    heartbeatMs: 0,
  }).start();
  const tape = randomTape(4_000, SYMBOLS, 3_000, 21);
  const { codes, values } = tape.symbols!;
  for (let k = 0; k < values.length; k++) {
    const rows = Array.from({ length: codes.length }, (_, i) => i).filter((i) => codes[i] === k);
    const pick = (col: Float64Array) => Float64Array.from(rows, (i) => col[i]);
    await bus.publish('TRADE_EXECUTION', { key: values[k], ts: pick(tape.ts), price: pick(tape.price), volume: pick(tape.volume) });
  }
  await engine.close();
  await bus.drain();
  const fills = engine.metrics().extra.fills;
  await until(() => live.messages.filter((m) => m.type === 'ORDER_FILL').length === fills, 'the live fills');
}, 60_000);

afterAll(async () => {
  live?.close();
  await gateway?.close();
  await bus?.close();
});

const fold = (messages: { type: string; payload: unknown }[]) => {
  const strategies = new Map<string, PageStrategy>();
  for (const m of messages) onStrategyMessage(strategies, m);
  return strategies;
};

describe("the dashboard's strategies panel", () => {
  it('the gateway serves the three strategy types', () => {
    expect(GATEWAY_TYPES).toEqual(expect.arrayContaining(['STRATEGY_SIGNAL', 'ORDER_FILL', 'POSITION_UPDATE']));
  });

  it("a page opened late folds the gateway's history into what a live page folded: the engine's fills, positions and equity", async () => {
    const runner = engine.strategies()[0];
    const late = new TestClient(gateway.wsUrl);
    await late.opened;
    await late.request({ subscribe: '*', history: true });
    const fills = engine.metrics().extra.fills;
    await until(() => late.messages.filter((m) => m.type === 'ORDER_FILL').length === fills, 'the history');
    late.close();
    const [a, b] = [fold(live.messages), fold(late.messages)];
    expect([...b.keys()]).toEqual(['cross']);
    const s = b.get('cross')!;
    expect(fills).toBeGreaterThan(10);
    expect(s.fills).toBe(fills);
    expect(s.orders).toBe(engine.metrics().extra.orders);
    expect(s.equity.length).toBe(fills); // a position per fill
    // the equity after each fill, in the order the engine published them
    const published = live.messages.filter((m) => m.type === 'POSITION_UPDATE').map((m) => m.payload.equity);
    expect(s.equity.map((p) => p.equity)).toEqual(published);
    // each symbol's position as the engine's account holds it
    for (const [symbol, p] of s.positions) {
      const k = runner.symbolIndex(symbol);
      expect(p.units).toBe(runner.account.position[k]);
      expect(p.realizedPnl).toBe(runner.account.realized[k]);
    }
    expect(s.lastFills.map((f) => f.id)).toEqual(a.get('cross')!.lastFills.map((f) => f.id));
    expect(s.lastFills).toHaveLength(STRATEGY_CAPS.fills);
    // the live page and the late one agree (the history is in arrival order)
    const strip = (x: PageStrategy) => ({ ...x, seen: x.seen.size });
    expect(strip(b.get('cross')!)).toEqual(strip(a.get('cross')!));
  });

  it('counts a fill published again (the same id) once; ignores other types and payloads', () => {
    const fill = live.messages.find((m) => m.type === 'ORDER_FILL')!;
    const strategies = new Map<string, PageStrategy>();
    expect(onStrategyMessage(strategies, fill)).toBe('cross');
    expect(onStrategyMessage(strategies, fill)).toBe('cross');
    expect(strategies.get('cross')!.fills).toBe(1);
    expect(onStrategyMessage(strategies, { type: 'VPIN_CALCULATION', payload: { strategy: 'x' } })).toBeUndefined();
    expect(onStrategyMessage(strategies, { type: 'ORDER_FILL', payload: null })).toBeUndefined();
    expect([...strategies.keys()]).toEqual(['cross']);
    const f = fill.payload as unknown as StrategyFill;
    expect(fillText(f)).toBe(
      `${f.id}: ${f.units > 0 ? 'bought' : 'sold'} ${Math.abs(f.units).toLocaleString('en-US', { maximumFractionDigits: 4 })} ${f.symbol} at ${f.price.toFixed(2)} (fees ${f.fees.toFixed(2)})`,
    );
  });

  it('draws the drawdown from the running peak and sums the P&L per symbol', () => {
    expect(drawdowns([100, 110, 99, 121, 121, 60.5].map((equity) => ({ equity })))).toEqual([0, 0, 99 / 110 - 1, 0, 0, -0.5]);
    const s = fold(live.messages).get('cross')!;
    const { rows, total } = pnlRows(s);
    expect(rows.map((r) => r.symbol).sort()).toEqual([...s.positions.keys()].sort());
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].pnl).toBeGreaterThanOrEqual(rows[i].pnl);
    const sum = [...s.positions.values()].reduce((x, p) => x + p.realizedPnl + p.unrealizedPnl, 0);
    expect(total).toBeCloseTo(sum, 9);
    // marked to a price: the unrealized P&L of a position held is (price - avgPrice) x units; a flat one has none
    const held = [...s.positions].find(([, p]) => p.units !== 0);
    expect(held).toBeDefined();
    const [symbol, p] = held!;
    const marked = pnlRows(s, (x) => (x === symbol ? p.avgPrice + 2 : Number.NaN)).rows.find((r) => r.symbol === symbol)!;
    expect(marked).toMatchObject({ marked: true, unrealizedPnl: 2 * p.units, pnl: p.realizedPnl + 2 * p.units });
    const unmarked = pnlRows(s).rows.find((r) => r.symbol === symbol)!;
    expect(unmarked).toMatchObject({ marked: false, unrealizedPnl: p.unrealizedPnl });
  });

  it('the page inlines web/strategies.js at its marker', async () => {
    const html = await (await fetch(gateway.url)).text();
    expect(html).toContain('export function onStrategyMessage(strategies, m, caps = STRATEGY_CAPS)');
    expect(html).not.toContain(STRATEGIES_MARKER);
    expect(html).toContain('id="strategies-panel"');
  });
});
