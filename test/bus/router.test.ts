import { describe, expect, it } from 'vitest';
import { createBus, Router, type BusMessage, type BusStats, type RoutingStrategy } from '../../src/bus/index.js';
import { nextTurn, TestTransport } from './helpers.js';

const buses = ['marketdata', 'logic', 'compute'];
const routes = { TRADE_EXECUTION: 'marketdata', RISK_ALERT: 'logic' };
const router = (strategy: RoutingStrategy, secondary?: Record<string, string>) => new Router({ strategy, buses, routes, secondary });
const stats =
  (table: Record<string, Partial<BusStats>>) =>
  (bus: string): BusStats => ({ healthy: true, backlog: 0, p50: 0, ...table[bus] });

describe('Router', () => {
  it("'static' keeps the table's bus whatever the load or health", () => {
    const r = router('static');
    expect(r.route('TRADE_EXECUTION', 'k', stats({ marketdata: { backlog: 1e9, healthy: false } }))).toBe('marketdata');
    expect(r.candidates('RISK_ALERT')).toEqual(['logic']);
  });

  it("'least-loaded' picks the smallest backlog among healthy buses, ties to the table's bus", () => {
    const r = router('least-loaded');
    expect(r.route('TRADE_EXECUTION', 'k', stats({}))).toBe('marketdata');
    expect(r.route('TRADE_EXECUTION', 'k', stats({ marketdata: { backlog: 5 }, logic: { backlog: 3 }, compute: { backlog: 1 } }))).toBe(
      'compute',
    );
    expect(r.route('TRADE_EXECUTION', 'k', stats({ marketdata: { backlog: 5 }, compute: { backlog: 1, healthy: false } }))).toBe('logic');
    expect(r.candidates('TRADE_EXECUTION')).toEqual(['marketdata', 'logic', 'compute']);
  });

  it("'latency' picks the lowest median publish latency", () => {
    const r = router('latency');
    expect(r.route('RISK_ALERT', 'k', stats({ logic: { p50: 2 }, marketdata: { p50: 0.5 }, compute: { p50: 0.7 } }))).toBe('marketdata');
    expect(r.route('RISK_ALERT', 'k', stats({ logic: { p50: 0.1 }, marketdata: { p50: 0.5 }, compute: { p50: 0.2 } }))).toBe('logic');
    // a bus not measured yet counts as 0, so it gets measured
    expect(r.route('RISK_ALERT', 'k', stats({ logic: { p50: 0.1 }, marketdata: { p50: 0.5 } }))).toBe('compute');
  });

  it("'failover' uses the table's bus while healthy, else its secondary", () => {
    const r = router('failover', { marketdata: 'compute' });
    expect(r.candidates('TRADE_EXECUTION')).toEqual(['marketdata', 'compute']);
    expect(r.candidates('RISK_ALERT')).toEqual(['logic', 'compute']); // default: the next bus
    expect(r.route('TRADE_EXECUTION', 'k', stats({}))).toBe('marketdata');
    expect(r.route('TRADE_EXECUTION', 'k', stats({ marketdata: { healthy: false } }))).toBe('compute');
    expect(r.route('TRADE_EXECUTION', 'k', stats({ marketdata: { healthy: false }, compute: { healthy: false } }))).toBe('marketdata');
  });

  it('keeps a key on its bus while it has unacknowledged frames there (per-key order), unless that bus fails', () => {
    const r = router('least-loaded');
    const loaded = stats({ marketdata: { backlog: 100 } });
    expect(r.route('TRADE_EXECUTION', 'k', stats({}))).toBe('marketdata');
    r.sent('TRADE_EXECUTION', 'k', 'marketdata', 3);
    expect(r.route('TRADE_EXECUTION', 'k', loaded)).toBe('marketdata');
    expect(r.route('TRADE_EXECUTION', 'other', loaded)).toBe('logic');
    r.settled('TRADE_EXECUTION', 'k', 'marketdata', 2);
    expect(r.route('TRADE_EXECUTION', 'k', loaded)).toBe('marketdata');
    r.settled('TRADE_EXECUTION', 'k', 'marketdata', 1);
    expect(r.route('TRADE_EXECUTION', 'k', loaded)).toBe('logic');
    r.sent('TRADE_EXECUTION', 'k', 'marketdata', 1);
    expect(r.route('TRADE_EXECUTION', 'k', stats({ marketdata: { healthy: false } }))).toBe('logic');
  });

  it('checks the table and the secondaries', () => {
    expect(() => new Router({ strategy: 'static', buses, routes: { X: 'nope' } })).toThrow(
      /^options.routes.X: expected one of marketdata, logic, compute, got "nope"$/,
    );
    expect(() => router('failover', { logic: 'nope' })).toThrow(/^options.secondary.logic: expected one of/);
    expect(() => router('static').home('UNKNOWN')).toThrow(/^type: expected a message type in the route table/);
  });
});

describe('routing through the bus', () => {
  const collect = (bus: ReturnType<typeof createBus>, type: string) => {
    const got: BusMessage[] = [];
    bus.subscribe(type, (m) => void got.push(m));
    return got;
  };

  it("'least-loaded' sends new keys away from a bus with a backlog", async () => {
    const bus = createBus({ routing: 'least-loaded' });
    const got = collect(bus, 'TRADE_EXECUTION');
    // 100 unacknowledged messages on marketdata (a group whose consumer left)
    const md = bus.transport('marketdata');
    await md.subscribe('elsewhere', 'gone', 'c', () => {}).close();
    await md.publish('elsewhere', [{ key: 'x', count: 100, data: new Uint8Array(1) }]);
    await bus.publish('TRADE_EXECUTION', { key: 'a', ts: 1, price: 1, volume: 1 });
    await bus.drain();
    expect(got.map((m) => m.bus)).toEqual(['logic']);
    expect(bus.metrics().buses.marketdata.backlog).toBe(100);
    await bus.close();
  });

  it("'latency' moves traffic off a slow bus once it has been measured", async () => {
    const slow = new TestTransport();
    slow.delayMs = 20;
    const bus = createBus({ routing: 'latency', transports: { marketdata: slow } });
    const got = collect(bus, 'TRADE_EXECUTION');
    for (let i = 0; i < 20; i++) {
      await bus.publish('TRADE_EXECUTION', { key: `k${i}`, ts: i, price: 1, volume: 1 });
      await bus.flush(); // each frame's publish is measured before the next is routed
    }
    await bus.drain();
    const counts = Object.fromEntries(buses.map((b) => [b, got.filter((m) => m.bus === b).length]));
    expect(counts.marketdata).toBe(1); // only the first, before it was measured
    expect(counts.logic + counts.compute).toBe(19);
    expect(bus.metrics().buses.marketdata.publishLatencyMs.p50).toBeGreaterThan(bus.metrics().buses.logic.publishLatencyMs.p50);
    await bus.close();
    await slow.close();
  });

  it("'failover' goes to the secondary while the primary is down, and back when it recovers", async () => {
    const primary = new TestTransport();
    const bus = createBus({ routing: 'failover', transports: { marketdata: primary } });
    const got = collect(bus, 'TRADE_EXECUTION');
    await bus.publish('TRADE_EXECUTION', { key: 'a', ts: 1, price: 1, volume: 1 });
    await bus.drain();
    primary.down = true;
    await bus.publish('TRADE_EXECUTION', { key: 'a', ts: 2, price: 1, volume: 1 });
    await bus.drain();
    primary.down = false;
    await bus.publish('TRADE_EXECUTION', { key: 'a', ts: 3, price: 1, volume: 1 });
    await bus.drain();
    expect(got.map((m) => [m.bus, m.ts])).toEqual([
      ['marketdata', 1],
      ['logic', 2],
      ['marketdata', 3],
    ]);
    await bus.close();
    await primary.close();
  });

  it('retries frames a transport refused, on the secondary, losing nothing and keeping order', async () => {
    const primary = new TestTransport();
    const errors: string[] = [];
    const bus = createBus({
      routing: 'failover',
      transports: { marketdata: primary },
      retryMs: 1,
      cooldownMs: 60_000,
      onError: (e) => errors.push((e as Error).message),
    });
    const got = collect(bus, 'TRADE_EXECUTION');
    primary.refuse = 1; // claims healthy, refuses once
    for (let i = 0; i < 10; i++) await bus.publish('TRADE_EXECUTION', { key: 'a', ts: i, price: 1, volume: 1 });
    await nextTurn();
    for (let i = 10; i < 20; i++) await bus.publish('TRADE_EXECUTION', { key: 'a', ts: i, price: 1, volume: 1 });
    await bus.drain();
    const ts = got.flatMap((m) => [...(m.payload as { ts: Float64Array }).ts]);
    expect(ts).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // re-routed to the secondary, where the primary stays out for cooldownMs
    expect(new Set(got.map((m) => m.bus))).toEqual(new Set(['logic']));
    expect(bus.metrics().buses.marketdata.healthy).toBe(false);
    expect(errors).toEqual(['refused']);
    expect(bus.metrics().buses.marketdata.publishErrors).toBe(1);
    expect(bus.metrics()).toMatchObject({ published: 20, delivered: 20, queueDepth: 0 });
    await bus.close();
    await primary.close();
  });

  it('retries refused sends in the order they were first sent', async () => {
    const primary = new TestTransport();
    const bus = createBus({ routing: 'failover', transports: { marketdata: primary }, retryMs: 1, cooldownMs: 0, onError: () => {} });
    const got = collect(bus, 'TRADE_EXECUTION');
    primary.refuse = 2;
    // two high-priority publishes: two sends before either refusal is seen
    const first = bus.publish('TRADE_EXECUTION', { key: 'a', ts: 1, price: 1, volume: 1, priority: 'high' });
    const second = bus.publish('TRADE_EXECUTION', { key: 'a', ts: 2, price: 1, volume: 1, priority: 'high' });
    await Promise.all([first, second]);
    await bus.drain();
    expect(got.map((m) => m.ts)).toEqual([1, 2]);
    expect(bus.metrics().buses.marketdata.publishErrors).toBe(2);
    await bus.close();
    await primary.close();
  });
});
