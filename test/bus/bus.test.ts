import { describe, expect, it } from 'vitest';
import {
  BackpressureError,
  BusClosedError,
  createBus,
  DEFAULT_ROUTES,
  encodeMessageFrame,
  encodeTradesFrame,
  FrameError,
  decodeFrame,
  MESSAGE_TYPES,
  type BusMessage,
  type OutgoingEntry,
  type TradesFrame,
} from '../../src/bus/index.js';
import { KernelInputError } from '../../src/errors.js';
import type { Trades } from '../../src/kernels/vpin/vpin.js';
import { nextTurn, TestTransport } from './helpers.js';

const T = 'TRADE_EXECUTION';

describe('bus: publish and subscribe', () => {
  it('routes every known type to its bus in the default table', async () => {
    const bus = createBus();
    const seen = new Map<string, string>();
    for (const type of MESSAGE_TYPES) bus.subscribe(type, (m) => void seen.set(m.type, m.bus));
    for (const type of MESSAGE_TYPES) {
      if (type === T) await bus.publish(type, { key: 'k', ts: 1, price: 1, volume: 1 });
      else await bus.publish(type, { key: 'k', ts: 1, payload: { type } });
    }
    await bus.drain();
    expect(Object.fromEntries(seen)).toEqual(DEFAULT_ROUTES);
    const m = bus.metrics();
    expect(m.buses.marketdata.messages).toBe(6);
    expect(m.buses.logic.messages).toBe(9); // STRATEGY_SIGNAL, RISK_ALERT, ENGINE_HEALTH, PORTFOLIO_UPDATE, ORDER_FILL, POSITION_UPDATE, ORDER_REJECTED, MARGIN_UPDATE, MARGIN_CALL
    expect(m.buses.compute.messages).toBe(5);
    await bus.close();
  });

  it('delivers single trades and batches as columns, in order per key, counting exactly', async () => {
    const bus = createBus({ maxBatch: 64 });
    const received = new Map<string, number[]>();
    let deliveries = 0;
    bus.subscribe<Trades>(T, (m) => {
      deliveries++;
      expect(m.payload.ts.length).toBe(m.count);
      expect(m.ts).toBe(m.payload.ts[m.count - 1]);
      const list = received.get(m.key) ?? [];
      list.push(...m.payload.ts);
      received.set(m.key, list);
    });
    const keys = Array.from({ length: 20 }, (_, i) => `K${i}`);
    const sent = new Map(keys.map((k) => [k, 0]));
    let total = 0;
    for (let i = 0; i < 3000; i++) {
      const key = keys[(i * 7) % 20];
      const n = sent.get(key)!;
      if (i % 10 === 0) {
        const ts = Float64Array.from({ length: 5 }, (_, j) => n + j);
        await bus.publish(T, { key, ts, price: ts, volume: ts });
        sent.set(key, n + 5);
        total += 5;
      } else {
        await bus.publish(T, { key, ts: n, price: 100, volume: 1 });
        sent.set(key, n + 1);
        total += 1;
      }
      if (i % 500 === 0) await nextTurn();
    }
    await bus.drain();
    for (const key of keys) expect(received.get(key)).toEqual(Array.from({ length: sent.get(key)! }, (_, j) => j));
    const m = bus.metrics();
    expect(m).toMatchObject({
      published: total,
      delivered: total,
      acknowledged: total,
      redelivered: 0,
      failed: 0,
      copies: 0,
      queueDepth: 0,
    });
    expect(m.frames).toBe(deliveries);
    expect(m.batchSize.count).toBe(deliveries);
    expect(m.batchSize.max).toBeLessThanOrEqual(64);
    expect(m.latencyMs.count).toBe(total);
    await bus.close();
  });

  it('hands trade columns to handlers as views of the delivered frame (zero copy)', async () => {
    const md = new TestTransport();
    const bus = createBus({ transports: { marketdata: md } });
    const payloads: Trades[] = [];
    bus.subscribe<Trades>(T, (m) => void payloads.push(m.payload));
    await bus.publish(T, { key: 'a', ts: 1, price: 2, volume: 3 });
    await bus.publish(T, { key: 'a', ts: 4, price: 5, volume: 6 });
    await bus.drain();
    expect(md.delivered).toHaveLength(1);
    const frame = md.delivered[0].data;
    expect(payloads[0].ts.buffer).toBe(frame.buffer);
    expect(payloads[0].price.buffer).toBe(frame.buffer);
    expect(payloads[0].volume.buffer).toBe(frame.buffer);
    expect([...payloads[0].price]).toEqual([2, 5]);
    expect(bus.metrics().copies).toBe(0);
    await bus.close();
    await md.close();
  });

  it('publishes frames received as bytes; an unaligned one is copied once and counted', async () => {
    const bus = createBus();
    const got: number[][] = [];
    bus.subscribe<Trades>(T, (m) => void got.push([...m.payload.volume]));
    const frame = encodeTradesFrame({
      type: T,
      key: 'x',
      ts: new Float64Array([1, 2]),
      price: new Float64Array([3, 4]),
      volume: new Float64Array([5, 6]),
    });
    const socketChunk = new Uint8Array(frame.length + 3);
    socketChunk.set(frame, 3);
    await bus.publishFrame(socketChunk.subarray(3));
    await bus.publishFrame(frame);
    await bus.drain();
    expect(got).toEqual([
      [5, 6],
      [5, 6],
    ]);
    expect(bus.metrics()).toMatchObject({ copies: 1, published: 4, delivered: 4 });
    await expect(bus.publishFrame(frame.subarray(0, 30))).rejects.toThrow(FrameError);
    await bus.close();
  });

  it('rejects bad input with KernelInputError naming the field', async () => {
    const bus = createBus();
    const cases: [() => Promise<void>, RegExp][] = [
      [
        () => bus.publish('NOPE', { key: 'k', payload: 1 }),
        /^type: expected a message type in the route table \(add it with options.routes\), got "NOPE"$/,
      ],
      [() => bus.publish(T, { key: 5 as unknown as string, ts: 1, price: 1, volume: 1 }), /^message.key: expected a string, got 5$/],
      [
        () => bus.publish(T, { key: 'k', ts: 1, price: '1' as unknown as number, volume: 1 }),
        /^message.price: expected a number, got "1"$/,
      ],
      [
        () => bus.publish(T, { key: 'k', ts: 1, price: 1, volume: null as unknown as number }),
        /^message.volume: expected a number, got null$/,
      ],
      [
        () => bus.publish(T, { key: 'k', ts: new Float64Array(2), price: new Float64Array(1), volume: new Float64Array(2) }),
        /^message.price: expected length 2 \(as message.ts\), got length 1$/,
      ],
      [
        () => bus.publish(T, { key: 'k', ts: 1, price: 1, volume: 1, bid: 0.99 }),
        /^message.ask: expected a number \(with bid\), got undefined$/,
      ],
      [
        () =>
          bus.publish(T, {
            key: 'k',
            ts: new Float64Array(2),
            price: new Float64Array(2),
            volume: new Float64Array(2),
            bid: new Float64Array(2),
          }),
        /^message.ask: expected a Float64Array, got undefined$/,
      ],
      [
        () => bus.publish(T, { key: 'k', ts: 1, price: 1, volume: 1, priority: 'urgent' as 'high' }),
        /^message.priority: expected 'normal' or 'high', got "urgent"$/,
      ],
      [
        () => bus.publish('RISK_ALERT', { key: 'k', ts: 'x' as unknown as number, payload: 1 }),
        /^message.ts: expected a number \(epoch ms\), got "x"$/,
      ],
      [() => bus.publish('RISK_ALERT', null as unknown as { key: string; payload: unknown }), /^message: expected an object, got null$/],
    ];
    for (const [publish, message] of cases) {
      await expect(publish()).rejects.toThrow(KernelInputError);
      await expect(publish()).rejects.toThrow(message);
    }
    expect(() => bus.subscribe('NOPE', () => {})).toThrow(/^type: expected a message type in the route table/);
    expect(() => createBus({ maxBatch: 0 })).toThrow(/^options.maxBatch: expected an integer >= 1, got 0$/);
    expect(() => createBus({ idleWatermarkMs: -1 })).toThrow(/^options.idleWatermarkMs: expected /);
    expect(() => bus.subscribe('TRADE_EXECUTION', () => {}, { watermarks: 1 as unknown as boolean })).toThrow(
      /^options.watermarks: expected a boolean, got 1$/,
    );
    expect(() => createBus({ routing: 'random' as 'static' })).toThrow(
      /^options.routing: expected 'static', 'least-loaded', 'latency', 'failover', got "random"$/,
    );
    expect(() => createBus({ routes: { X: 'nowhere' } })).toThrow(
      /^options.routes.X: expected one of marketdata, logic, compute, got "nowhere"$/,
    );
    expect(bus.metrics().published).toBe(0);
    await bus.close();
  });

  it('accepts user types through options.routes', async () => {
    const bus = createBus({ routes: { MY_SIGNAL: 'logic' } });
    const got: BusMessage[] = [];
    bus.subscribe('MY_SIGNAL', (m) => void got.push(m));
    await bus.publish('MY_SIGNAL', { key: 'k', ts: 3, payload: [1, 2] });
    await bus.drain();
    expect(got.map((m) => [m.bus, m.stream, m.key, m.ts, m.payload])).toEqual([['logic', 'logic:MY_SIGNAL:0', 'k', 3, [1, 2]]]);
    await bus.close();
  });
});

describe('bus: batching and flushing', () => {
  it("flushes at once for priority 'high', else at the end of the turn", async () => {
    const bus = createBus();
    bus.subscribe(T, () => {});
    bus.subscribe('RISK_ALERT', () => {});
    const md = bus.transport('marketdata');
    const logic = bus.transport('logic');
    void bus.publish(T, { key: 'a', ts: 1, price: 1, volume: 1 });
    expect(md.metrics().messages).toBe(0); // held for the end of the turn
    void bus.publish('RISK_ALERT', { key: 'a', ts: 1, payload: 'now', priority: 'high' });
    // the high-priority message flushed everything, synchronously
    expect(logic.metrics().messages).toBe(1);
    expect(md.metrics().messages).toBe(1);
    void bus.publish(T, { key: 'a', ts: 2, price: 1, volume: 1 });
    expect(md.metrics().messages).toBe(1);
    await nextTurn();
    expect(md.metrics().messages).toBe(2);
    await bus.close();
  });

  it('flushes everything on close, then refuses new messages', async () => {
    const bus = createBus({ lingerMs: 10_000 });
    let trades = 0;
    let alerts = 0;
    bus.subscribe<Trades>(T, (m) => void (trades += m.count));
    bus.subscribe('RISK_ALERT', () => void alerts++);
    for (let i = 0; i < 1000; i++) void bus.publish(T, { key: `S${i % 13}`, ts: i, price: 1, volume: 1 });
    for (let i = 0; i < 10; i++) void bus.publish('RISK_ALERT', { key: 'x', payload: i });
    expect(bus.depth).toBe(1010);
    await bus.close();
    expect(trades).toBe(1000);
    expect(alerts).toBe(10);
    expect(bus.depth).toBe(0);
    await expect(bus.publish(T, { key: 'a', ts: 1, price: 1, volume: 1 })).rejects.toThrow(BusClosedError);
    expect(() => bus.subscribe(T, () => {})).toThrow(/^bus is closed$/);
  });

  it('drain() waits for a refused frame retried and stored while it waited for idle (a CI flake at 8ac0fe8)', async () => {
    const t = new TestTransport();
    t.refuse = 1;
    t.idleDelayMs = 30; // the retry (after retryMs) is sent and stored while drain() waits for idle()
    const bus = createBus({ transports: { marketdata: t }, retryMs: 5, onError: () => {} });
    let trades = 0;
    bus.subscribe<Trades>(T, async (m) => {
      await new Promise((resolve) => setTimeout(resolve, 100)); // still handling when idle() answers
      trades += m.count;
    });
    await bus.publish(T, { key: 'a', ts: 1, price: 1, volume: 1 });
    await bus.drain();
    expect(t.calls).toHaveLength(2);
    expect(trades).toBe(1);
    expect(bus.metrics()).toMatchObject({ published: 1, delivered: 1, acknowledged: 1, queueDepth: 0 });
    await bus.close();
  });
});

describe('bus: backpressure', () => {
  /** A bus with maxQueue 100 and a slow consumer (each frame takes a turn) collecting the ts it gets. */
  function slowBus() {
    const bus = createBus({ maxQueue: 100, maxBatch: 16 });
    const got: number[] = [];
    bus.subscribe<Trades>(T, async (m) => {
      await nextTurn();
      got.push(...m.payload.ts);
    });
    return { bus, got };
  }

  it("'block': publish waits past maxQueue and nothing is lost", async () => {
    const { bus, got } = slowBus();
    let waited = 0;
    for (let i = 0; i < 5000; i++) {
      const p = bus.publish(T, { key: 'k', ts: i, price: 1, volume: 1 });
      if (bus.metrics().waiting > 0) waited++;
      await p;
    }
    await bus.drain();
    expect(got).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(waited).toBeGreaterThan(0);
    const m = bus.metrics();
    expect(m.maxQueueDepth).toBe(101); // one message past the limit, then the publisher waits
    expect(m).toMatchObject({ published: 5000, delivered: 5000, acknowledged: 5000, rejected: 0, queueDepth: 0, waiting: 0 });
    await bus.close();
  });

  it("'reject': publish past maxQueue rejects with BackpressureError and does not take the message", async () => {
    const bus = createBus({ maxQueue: 50, backpressure: 'reject' });
    let delivered = 0;
    bus.subscribe<Trades>(T, (m) => void (delivered += m.count));
    const results = await Promise.allSettled(
      Array.from({ length: 1000 }, (_, i) => bus.publish(T, { key: 'k', ts: i, price: 1, volume: 1 })),
    );
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
    expect(rejected).toHaveLength(950);
    const error = (rejected[0] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(BackpressureError);
    expect(error.message).toBe('bus queue is full: 50 messages queued or unacknowledged (maxQueue 50)');
    await bus.drain();
    expect(delivered).toBe(50);
    // room again once acknowledged
    await bus.publish(T, { key: 'k', ts: 1000, price: 1, volume: 1 });
    await bus.drain();
    expect(delivered).toBe(51);
    expect(bus.metrics()).toMatchObject({ published: 51, rejected: 950, delivered: 51 });
    await bus.close();
  });

  it("publishSync: true within maxQueue, false past it ('block': taken); room() waits; nothing is lost", async () => {
    const { bus, got } = slowBus();
    let full = 0;
    for (let i = 0; i < 5000; i++) {
      if (bus.publishSync(T, { key: 'k', ts: i, price: 1, volume: 1 })) continue;
      full++;
      expect(bus.depth).toBe(101); // the message that crossed the limit was taken
      const room = bus.room();
      expect(bus.metrics().waiting).toBe(1);
      await room;
      expect(bus.depth).toBeLessThanOrEqual(100);
    }
    await bus.drain();
    expect(got).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(full).toBeGreaterThan(0);
    expect(bus.metrics()).toMatchObject({ published: 5000, delivered: 5000, maxQueueDepth: 101, queueDepth: 0, waiting: 0 });
    await bus.room(); // within maxQueue: at once
    await bus.close();
  });

  it("publishSync throws what publish rejects with: bad input, 'reject' past maxQueue (not taken), a closed bus", async () => {
    const bus = createBus({ maxQueue: 3, backpressure: 'reject' });
    let delivered = 0;
    bus.subscribe<Trades>(T, (m) => void (delivered += m.count));
    expect(() => bus.publishSync(T, { key: 'k', ts: 1, price: '1' as unknown as number, volume: 1 })).toThrow(
      /^message\.price: expected a number, got "1"$/,
    );
    expect(() => bus.publishSync('RISK_ALERT', { key: 7 as unknown as string, payload: 1 })).toThrow(/^message\.key: expected a string/);
    expect([1, 2, 3].map((i) => bus.publishSync(T, { key: 'k', ts: i, price: 1, volume: 1 }))).toEqual([true, true, true]);
    expect(() => bus.publishSync(T, { key: 'k', ts: 4, price: 1, volume: 1 })).toThrow(BackpressureError);
    await bus.drain();
    expect(delivered).toBe(3);
    expect(bus.metrics()).toMatchObject({ published: 3, rejected: 1 });
    await bus.close();
    expect(() => bus.publishSync(T, { key: 'k', ts: 5, price: 1, volume: 1 })).toThrow(BusClosedError);
  });
});

describe('bus: types nobody subscribes to', () => {
  it('do not fill the queue: their messages await nobody, and the first group created gets them', async () => {
    const bus = createBus({ maxQueue: 10 });
    for (let i = 0; i < 100; i++) await bus.publish('ENGINE_HEALTH', { key: 'e', payload: i });
    await bus.flush();
    expect(bus.depth).toBe(0);
    expect(bus.metrics()).toMatchObject({ published: 100, waiting: 0, queueDepth: 0 });
    const late: unknown[] = [];
    bus.subscribe('ENGINE_HEALTH', (m) => void late.push(m.payload));
    await bus.drain();
    expect(late).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await bus.close();
  });
});

describe('bus: consumer groups and redelivery', () => {
  it('gives each group every message and redelivers a failed one to another consumer', async () => {
    const errors: unknown[] = [];
    const bus = createBus({ onError: (e) => errors.push(e) });
    const audit: number[] = [];
    bus.subscribe<Trades>(T, (m) => void audit.push(...m.payload.ts), { group: 'audit' });
    const work: string[] = [];
    let failed = false;
    const worker = (name: string) => (m: BusMessage<Trades>) => {
      if (!failed && name === 'w1') {
        failed = true;
        throw new Error('w1 crashed');
      }
      work.push(`${name}:${m.key}:${[...m.payload.ts]}#${m.deliveries}`);
    };
    bus.subscribe(T, worker('w1'), { group: 'workers', consumer: 'w1' });
    bus.subscribe(T, worker('w2'), { group: 'workers', consumer: 'w2' });
    await bus.publish(T, { key: 'a', ts: 1, price: 1, volume: 1 });
    await bus.drain();
    expect(audit).toEqual([1]);
    expect(work).toEqual(['w2:a:1#2']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['w1 crashed']);
    expect(bus.metrics()).toMatchObject({ delivered: 3, acknowledged: 2, failed: 1, redelivered: 1 });
    await bus.close();
  });

  it('sends a message that keeps failing to the dead-letter stream', async () => {
    const bus = createBus({ onError: () => {} });
    bus.subscribe('RISK_ALERT', () => {
      throw new Error('poison');
    });
    const dead: BusMessage[] = [];
    bus.subscribe('RISK_ALERT', (m) => void dead.push(m), { deadLetters: true, group: 'ops' });
    await bus.publish('RISK_ALERT', { key: 'k', ts: 9, payload: { bad: true } });
    await bus.drain();
    expect(dead.map((m) => [m.stream, m.key, m.payload])).toEqual([['logic:RISK_ALERT:0:dlq', 'k', { bad: true }]]);
    expect(bus.metrics()).toMatchObject({ failed: 5, deadLettered: 1 });
    await bus.close();
  });

  it("dead-letters at once a frame that does not belong where it came in: another type than the stream's, a message frame on a trade stream, another key than the entry's", async () => {
    const errors: unknown[] = [];
    const bus = createBus({ onError: (e) => errors.push(e) });
    const seen: string[] = [];
    bus.subscribe<Trades>(T, (m) => void seen.push(`${m.key}${m.payload.ts[0]}`), { group: 'vpin' });
    const dead: BusMessage[] = [];
    bus.subscribe(T, (m) => void dead.push(m), { deadLetters: true, group: 'ops' });
    const stream = bus.streams('marketdata', T)[0];
    const trades = (type: string, key: string, ts: number) =>
      encodeTradesFrame({ type, key, ts: new Float64Array([ts]), price: new Float64Array([1]), volume: new Float64Array([1]) });
    await bus.transport('marketdata').publish(stream, [
      { key: 'A', count: 1, data: trades(T, 'A', 1) },
      { key: 'A', count: 1, data: trades('RISK_ALERT', 'A', 2) },
      { key: 'A', count: 1, data: encodeMessageFrame({ type: T, key: 'A', ts: 3, payload: { price: 1 } }) },
      { key: 'A', count: 1, data: trades(T, 'B', 4) },
      { key: 'A', count: 1, data: trades(T, 'A', 5) },
    ]);
    await bus.drain();
    expect(seen).toEqual(['A1', 'A5']);
    expect(dead.map((m) => [m.type, m.key])).toEqual([
      ['RISK_ALERT', 'A'],
      [T, 'A'],
      [T, 'B'],
    ]);
    expect(errors.map((e) => [(e as Error).name, (e as Error).message])).toEqual([
      ['FrameError', 'frame: type "RISK_ALERT" on a stream of "TRADE_EXECUTION"'],
      ['FrameError', 'frame: a message frame on a stream of "TRADE_EXECUTION", whose messages are trades'],
      ['FrameError', 'frame: key "B" in an entry of key "A"'],
    ]);
    expect(bus.metrics()).toMatchObject({ failed: 3, deadLettered: 3, redelivered: 0 });
    await bus.close();
  });

  it('shards a type into streams by key, keeping per-key order', async () => {
    const bus = createBus({ shards: 4 });
    const byKey = new Map<string, number[]>();
    const streams = new Map<string, string>();
    bus.subscribe<Trades>(T, (m) => {
      byKey.set(m.key, [...(byKey.get(m.key) ?? []), ...m.payload.ts]);
      if (streams.has(m.key)) expect(streams.get(m.key)).toBe(m.stream);
      streams.set(m.key, m.stream);
    });
    for (let i = 0; i < 400; i++) {
      await bus.publish(T, { key: `K${i % 16}`, ts: i, price: 1, volume: 1 });
      if (i % 50 === 0) await nextTurn();
    }
    await bus.drain();
    expect(new Set(streams.values()).size).toBeGreaterThan(1);
    for (const s of streams.values()) expect(s).toMatch(/^marketdata:TRADE_EXECUTION:[0-3]$/);
    for (let k = 0; k < 16; k++) expect(byKey.get(`K${k}`)).toEqual(Array.from({ length: 25 }, (_, j) => k + 16 * j));
    await bus.close();
  });

  it('rows held behind a publish in flight go with the next publish even while another key of the stream keeps filling frames', async () => {
    const t = new TestTransport();
    t.delayMs = 5;
    const bus = createBus({ buses: ['marketdata'], transports: { marketdata: t }, maxBatch: 4 });
    let delivered = 0;
    bus.subscribe(T, (m) => void (delivered += m.count), { group: 'g' });
    // the first publish held in flight until 'cold' is queued behind it (a 5 ms delay alone raced a
    // loaded machine's event loop: the publish was done before 'cold' came, seed-free CI flake)
    let release = () => {};
    t.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await bus.publish(T, { key: 'hot', ts: 0, price: 1, volume: 1 });
    await nextTurn(); // in flight
    expect(t.calls).toHaveLength(1);
    t.gate = undefined;
    await bus.publish(T, { key: 'cold', ts: 0, price: 1, volume: 1 });
    // 'cold' meets an end-of-turn flush while the publish is in flight (held), before that publish may end:
    // released first, its 5 ms could run out before the turn's flush on a stalled machine, and the rows,
    // not yet held, would wait for that flush and the publish after next (seen once in CI)
    await nextTurn();
    release();
    // 'hot' fills a frame (maxBatch rows) every turn, so a full frame always waits behind the publish in flight.
    for (let turn = 1; turn <= 30; turn++) {
      for (let i = 0; i < 4; i++) await bus.publish(T, { key: 'hot', ts: 4 * turn + i, price: 1, volume: 1 });
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await bus.drain();
    expect(t.calls.length).toBeGreaterThan(3);
    expect(t.calls.findIndex((c) => c.entries.some((e) => e.key === 'cold'))).toBe(1); // the publish after the one in flight
    expect(delivered).toBe(2 + 4 * 30);
    await bus.close();
  });

  it('trades for a stream with a publish in flight wait in the batcher, then go as one call, one frame per key; a retry after an ambiguous failure sends the same frames again', async () => {
    const t = new TestTransport();
    t.delayMs = 30;
    t.storeThenFail.add(2); // the second publish is stored, then reported failed
    const bus = createBus({ buses: ['marketdata'], transports: { marketdata: t }, retryMs: 1 });
    let delivered = 0;
    bus.subscribe(T, (m) => void (delivered += m.count), { group: 'g' });
    const trade = (key: string, ts: number) => bus.publish(T, { key, ts, price: 100, volume: 1 });
    await trade('a', 1);
    await nextTurn(); // in flight for 30 ms
    await trade('a', 2);
    await nextTurn();
    await trade('a', 3);
    await trade('b', 3);
    await nextTurn();
    await bus.drain();
    const rows = (e: OutgoingEntry) => `${e.key}:${Array.from((decodeFrame(e.data) as TradesFrame).columns.ts).join(',')}`;
    expect(t.calls.map((c) => c.entries.map(rows))).toEqual([['a:1'], ['a:2,3', 'b:3'], ['a:2,3', 'b:3']]);
    expect(t.calls[2].entries.map((e) => e.data)).toEqual(t.calls[1].entries.map((e) => e.data));
    expect(t.calls[2].entries[0].data).toBe(t.calls[1].entries[0].data); // the very frame
    // ... under the same producer and seqs (a Redis transport stores it once); new frames get new seqs.
    const ids = t.calls.map((c) => c.entries.map((e) => `${e.producer}/${e.seq}`));
    expect(ids[2]).toEqual(ids[1]);
    expect(new Set([...ids[0], ...ids[1]]).size).toBe(3);
    expect(t.calls[0].entries[0].producer).toMatch(/^[0-9a-f]{16}$/);
    expect(delivered).toBe(1 + 3 + 3); // stored twice: consumers see those frames twice (engines skip them)
    await bus.close();
  });
});
