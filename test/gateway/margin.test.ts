/**
 * The dashboard's margin panel (web/margin.js, the pure functions the gateway inlines into the page) on
 * a CollateralEngine's own messages read through the gateway: a page that opens after the run folds
 * MARGIN_UPDATE and MARGIN_CALL from the gateway's history into what a live page folded (each account's
 * last figures, its excess after each update, its calls once each); the accounts table and the call
 * lines; and the strategies panel counts ORDER_REJECTED once by id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bus, createBus } from '../../src/bus/index.js';
import { CollateralEngine, type MarginCall, type MarginUpdate } from '../../src/engines/index.js';
import { createGateway, GATEWAY_TYPES, type Gateway } from '../../src/gateway/index.js';
import { MARGIN_MARKER } from '../../src/gateway/page.js';
import { parseAccounts } from '../../src/strategy/index.js';
import { callText, MARGIN_CAPS, marginRows, onMarginMessage, type PageAccount } from '../../web/margin.js';
import { onStrategyMessage, type PageStrategy } from '../../web/strategies.js';
import { T0 } from '../strategy/helpers.js';
import { TestClient, until } from './helpers.js';

let bus: Bus;
let gateway: Gateway;
let live: TestClient;
let engine: CollateralEngine;
const updates: MarginUpdate[] = [];
const calls: MarginCall[] = [];

beforeAll(async () => {
  bus = createBus();
  gateway = await createGateway(bus, { port: 0 });
  live = new TestClient(gateway.wsUrl);
  await live.opened;
  await live.request({ subscribe: ['MARGIN_UPDATE', 'MARGIN_CALL'] });
  bus.subscribe('MARGIN_UPDATE', (m) => void updates.push(m.payload as MarginUpdate));
  bus.subscribe('MARGIN_CALL', (m) => void calls.push(m.payload as MarginCall));
  const accounts = parseAccounts(
    JSON.stringify({
      margin: { fallbackRate: 0.5 },
      accounts: [
        { name: 'calm', strategies: ['c'], cash: 10_000 },
        { name: 'wild', strategies: ['w'], cash: 1_000 },
      ],
    }),
    'accounts.json',
  );
  engine = new CollateralEngine(bus, { accounts, markMs: 0, heartbeatMs: 0 }).start();
  // the price of A swings from 10 to 30 and back, three times: the wild account's short of 60 (equity
  // 1,600 - 60 p, margin 30 p) is called above 17.78 and cleared below it, each time
  const prices = Array.from({ length: 200 }, (_, i) => 20 - 10 * Math.cos(i / 10));
  for (let i = 0; i < prices.length; i++) {
    const ts = T0 + i * 1000;
    await bus.publish('TRADE_EXECUTION', {
      key: 'A',
      ts: Float64Array.of(ts),
      price: Float64Array.of(prices[i]),
      volume: Float64Array.of(1),
    });
    await bus.drain(); // a frame a trade: the account margined at each
    if (i === 0) {
      for (const [strategy, units] of [
        ['c', 10],
        ['w', -60],
      ] as const) {
        const fill = {
          id: `${strategy}:A:0:0#0`,
          orderId: `${strategy}:A:0:0`,
          strategy,
          symbol: 'A',
          ts,
          units,
          price: prices[i],
          fees: 0,
        };
        await bus.publish('ORDER_FILL', { key: 'A', ts, payload: fill });
      }
    }
  }
  await engine.close();
  await bus.drain();
  await until(() => live.messages.length === updates.length + calls.length, 'the live margin messages');
}, 60_000);

afterAll(async () => {
  live?.close();
  await gateway?.close();
  await bus?.close();
});

const fold = (messages: { type: string; payload: unknown }[]) => {
  const accounts = new Map<string, PageAccount>();
  for (const m of messages) onMarginMessage(accounts, m);
  return accounts;
};

describe("the dashboard's margin panel", () => {
  it('the gateway serves MARGIN_UPDATE, MARGIN_CALL and ORDER_REJECTED', () => {
    expect(GATEWAY_TYPES).toEqual(expect.arrayContaining(['MARGIN_UPDATE', 'MARGIN_CALL', 'ORDER_REJECTED']));
  });

  it("a page opened late folds the gateway's history into what a live page folded: each account's figures, excess and calls", async () => {
    const late = new TestClient(gateway.wsUrl);
    await late.opened;
    await late.request({ subscribe: '*', history: true });
    await until(() => late.messages.filter((m) => m.type.startsWith('MARGIN_')).length === updates.length + calls.length, 'the history');
    late.close();
    const [a, b] = [fold(live.messages), fold(late.messages.filter((m) => m.type.startsWith('MARGIN_')))];
    const strip = (x: PageAccount) => ({ ...x, seen: x.seen.size });
    expect([...b.keys()].sort()).toEqual(['calm', 'wild']);
    for (const name of ['calm', 'wild']) expect(strip(b.get(name)!)).toEqual(strip(a.get(name)!));
    const wild = b.get('wild')!;
    const wildCalls = calls.filter((c) => c.account === 'wild');
    expect(wildCalls.filter((c) => c.status === 'open')).toHaveLength(3);
    expect(wild.calls).toBe(wildCalls.filter((c) => c.status === 'open').length);
    expect(wild.open).toBe(wildCalls.at(-1)!.status === 'open');
    expect(wild.update).toEqual(updates.filter((u) => u.account === 'wild').at(-1));
    expect(wild.excess.map((p) => p.excess)).toEqual(
      updates
        .filter((u) => u.account === 'wild')
        .map((u) => u.excess)
        .slice(-MARGIN_CAPS.excess),
    );
    expect(b.get('calm')!.calls).toBe(0);
  });

  it('a call published again counts once; the table puts an open call first, then the smallest excess', () => {
    const accounts = fold(live.messages);
    const call = live.messages.find((m) => m.type === 'MARGIN_CALL')!;
    const before = accounts.get('wild')!.calls;
    onMarginMessage(accounts, call);
    expect(accounts.get('wild')!.calls).toBe(before);
    expect(onMarginMessage(accounts, { type: 'ORDER_FILL', payload: { account: 'x' } })).toBeUndefined();
    expect(onMarginMessage(accounts, { type: 'MARGIN_UPDATE', payload: null })).toBeUndefined();
    const rows = marginRows(
      new Map<string, PageAccount>([
        [
          'b',
          {
            update: { account: 'b', ts: 0, initialMargin: 1, variationMargin: 0, collateral: 5, excess: 4 },
            excess: [],
            calls: 0,
            open: false,
            lastCalls: [],
            seen: new Set(),
          },
        ],
        [
          'a',
          {
            update: { account: 'a', ts: 0, initialMargin: 1, variationMargin: 0, collateral: 3, excess: 2 },
            excess: [],
            calls: 0,
            open: false,
            lastCalls: [],
            seen: new Set(),
          },
        ],
        [
          'c',
          {
            update: { account: 'c', ts: 0, initialMargin: 9, variationMargin: 0, collateral: 1, excess: -8 },
            excess: [],
            calls: 1,
            open: true,
            lastCalls: [],
            seen: new Set(),
          },
        ],
      ]),
    );
    expect(rows.map((r) => r.account)).toEqual(['c', 'a', 'b']);
    expect(callText({ account: 'w', ts: 0, initialMargin: 5000, collateral: 3765.5, excess: -1234.5, status: 'open' })).toBe(
      'w: margin call, excess -1,234.50 (margin 5,000.00, collateral 3,765.50)',
    );
  });

  it('the strategies panel counts an order refused once by its id', () => {
    const strategies = new Map<string, PageStrategy>();
    const rejection = {
      type: 'ORDER_REJECTED',
      payload: { id: 's:A:0:0#rejected', orderId: 's:A:0:0', strategy: 's', symbol: 'A', reason: 'margin' },
    };
    onStrategyMessage(strategies, rejection);
    onStrategyMessage(strategies, rejection);
    expect(strategies.get('s')).toMatchObject({ rejected: 1, fills: 0, orders: 0 });
  });

  it('the page inlines web/margin.js at its marker', async () => {
    const html = await (await fetch(gateway.url)).text();
    expect(html).toContain('export function onMarginMessage(accounts, m, caps = MARGIN_CAPS)');
    expect(html).not.toContain(MARGIN_MARKER);
    expect(html).toContain('id="margin-panel"');
  });
});
