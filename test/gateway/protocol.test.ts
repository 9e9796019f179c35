/**
 * The gateway's protocol (docs/gateway.md) from a plain WebSocket client, on the in-process bus:
 * subscriptions by type and key, the JSON of a message, snapshots of the last values, error frames
 * naming the field, the token and origin checks, backpressure (a congested client coalesced, one past
 * the bound disconnected with 4000, the others untouched), and /metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBus, type Bus } from '../../src/bus/bus.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/index.js';
import { TestClient, until, type WireMessage } from './helpers.js';
import { nextTurn } from '../bus/helpers.js';

let bus: Bus | undefined;
let gateway: Gateway | undefined;
const clients: TestClient[] = [];

async function start(options: GatewayOptions = {}): Promise<{ bus: Bus; gateway: Gateway }> {
  bus = createBus();
  gateway = await createGateway(bus, { port: 0, ...options });
  return { bus, gateway };
}

function connect(url: string, options?: ConstructorParameters<typeof TestClient>[1]): TestClient {
  const c = new TestClient(url, options);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gateway?.close();
  await bus?.close();
  gateway = undefined;
  bus = undefined;
});

const vpinPayload = (bucket: number) => ({
  bucket,
  endTs: 1_700_000_000_000 + bucket,
  buyVolume: 10,
  sellVolume: 5,
  vpin: bucket < 2 ? NaN : 0.3,
  cdf: 0.5,
});

describe('gateway protocol', () => {
  it('hello, then exactly the subscribed (type, key) messages in order, as JSON (typed arrays as arrays, NaN as null, ts epoch ms)', async () => {
    const { bus, gateway } = await start();
    const c = connect(gateway.wsUrl);
    await c.opened;
    const hello = await c.next('hello');
    expect(hello).toMatchObject({ version: 1, buses: ['marketdata', 'logic', 'compute'] });
    expect(hello.types).toContain('VPIN_CALCULATION');
    const reply = await c.request({ subscribe: ['VPIN_CALCULATION', 'ANALYTICS_RESULT'], keys: ['A', 'B'], id: 7 });
    expect(reply).toEqual({
      frame: 'subscribed',
      id: 7,
      subscriptions: { VPIN_CALCULATION: ['A', 'B'], ANALYTICS_RESULT: ['A', 'B'] },
      stats: false,
    });
    for (let i = 0; i < 5; i++) {
      for (const key of ['A', 'B', 'C']) await bus.publish('VPIN_CALCULATION', { key, ts: 1_700_000_000_000 + i, payload: vpinPayload(i) });
    }
    await bus.publish('ANALYTICS_RESULT', { key: 'B', ts: 5, payload: { weights: new Float64Array([0.25, -1.5]), limit: Infinity } });
    await bus.publish('RISK_ALERT', { key: 'A', payload: { x: 1 } }); // not subscribed
    await until(() => c.messages.length >= 11, '11 messages');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(c.messages.length).toBe(11);
    const vpin = c.messages.filter((m) => m.type === 'VPIN_CALCULATION');
    for (const key of ['A', 'B']) {
      expect(vpin.filter((m) => m.key === key).map((m) => m.payload)).toEqual(
        [0, 1, 2, 3, 4].map((i) => ({ ...vpinPayload(i), vpin: i < 2 ? null : 0.3 })),
      );
    }
    const first = vpin[0] as WireMessage;
    expect(first).toMatchObject({ type: 'VPIN_CALCULATION', key: 'A', ts: 1_700_000_000_000, bus: 'compute' });
    expect(first.id).toMatch(/^\d+-\d+$/);
    expect(c.messages.find((m) => m.type === 'ANALYTICS_RESULT')?.payload).toEqual({ weights: [0.25, -1.5], limit: null });
    expect(gateway.metrics()).toMatchObject({ clients: 1, received: 17, coalesced: 0, dropped: 0 });

    // Unsubscribing a key stops it; '*' subscribes every served type and key.
    expect(await c.request({ unsubscribe: ['VPIN_CALCULATION'], keys: ['A'] })).toMatchObject({
      frame: 'unsubscribed',
      subscriptions: { VPIN_CALCULATION: ['B'], ANALYTICS_RESULT: ['A', 'B'] },
    });
    const n = c.messages.length;
    await bus.publish('VPIN_CALCULATION', { key: 'A', payload: vpinPayload(9) });
    await bus.publish('VPIN_CALCULATION', { key: 'B', payload: vpinPayload(9) });
    await until(() => c.messages.length > n, 'B');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(c.messages.slice(n).map((m) => m.key)).toEqual(['B']);
  });

  it('snapshot: the last value of every subscribed (type, key) at once', async () => {
    const { bus, gateway } = await start();
    for (const [key, i] of [
      ['A', 1],
      ['B', 2],
      ['A', 3],
    ] as const)
      await bus.publish('VPIN_CALCULATION', { key, payload: vpinPayload(i) });
    await bus.publish('ENGINE_HEALTH', { key: 'vpin', payload: { throughput: 5 } });
    await until(() => gateway.metrics().received === 4, 'the gateway to receive 4');
    const c = connect(gateway.wsUrl);
    await c.opened;
    await c.request({ subscribe: ['VPIN_CALCULATION'], snapshot: true });
    const snap = await c.next('messages');
    expect(snap.snapshot).toBe(true);
    expect((snap.messages as WireMessage[]).map((m) => [m.key, m.payload.bucket])).toEqual([
      ['B', 2],
      ['A', 3],
    ]);
  });

  it('history: the kept past of every subscribed (type, key) in the order it came, bounded by points and keys, and the stats frames', async () => {
    const { bus, gateway } = await start({ statsMs: 20, history: { points: 3, keys: 2, stats: 4 } });
    // A: buckets 0-4, B: 10-11, C: 20 (C pushes A, the least recently updated key, out of the history)
    for (const [key, bucket] of [
      ['A', 0],
      ['A', 1],
      ['B', 10],
      ['A', 2],
      ['A', 3],
      ['A', 4],
      ['B', 11],
      ['C', 20],
    ] as const) {
      // one at a time: the bus keeps each key's order, not the order across keys
      const n = gateway.metrics().received;
      await bus.publish('VPIN_CALCULATION', { key, payload: vpinPayload(bucket) });
      await until(() => gateway.metrics().received === n + 1, 'the gateway to receive it');
    }
    await new Promise((r) => setTimeout(r, 150)); // more than 4 stats periods
    const c = connect(gateway.wsUrl);
    await c.opened;
    await c.request({ subscribe: ['VPIN_CALCULATION'], history: true, snapshot: true });
    const stats = await c.next('history');
    expect((stats.stats as { at: number }[]).length).toBe(4);
    const history = await c.next('messages');
    expect(history.history).toBe(true);
    expect((history.messages as WireMessage[]).map((m) => [m.key, m.payload.bucket])).toEqual([
      ['B', 10],
      ['B', 11],
      ['C', 20],
    ]);
    // the snapshot then holds the last values the history did not send: A's
    const snap = await c.next('messages', c.frames.indexOf(history) + 1);
    expect(snap.snapshot).toBe(true);
    expect((snap.messages as WireMessage[]).map((m) => [m.key, m.payload.bucket])).toEqual([['A', 4]]);
    // keys narrow it; bad bounds are refused naming them
    const d = connect(gateway.wsUrl);
    await d.opened;
    await d.request({ subscribe: ['VPIN_CALCULATION'], keys: ['B'], history: true });
    const only = await d.next('messages');
    expect((only.messages as WireMessage[]).map((m) => m.payload.bucket)).toEqual([10, 11]);
    await expect(createGateway(bus, { port: 0, history: { points: 0 } })).rejects.toThrow(
      'options.history.points: expected an integer > 0, got 0',
    );
  });

  it('a bad request gets an error frame naming the field; the connection stays open', async () => {
    const { gateway } = await start();
    const c = connect(gateway.wsUrl);
    await c.opened;
    const cases: [unknown, string, string][] = [
      ['not json', 'frame', 'frame: expected a JSON object, got text that is not JSON'],
      [[1], 'frame', 'frame: expected a JSON object, got an array of 1'],
      [{ subscribe: ['VPIN_CALCULATION', 'VPIN_CALCULATON'] }, 'subscribe[1]', 'subscribe[1]: expected a served message type'],
      [{ subscribe: [] }, 'subscribe', 'subscribe: expected a non-empty list of message types, or "*", got an array of 0'],
      [{ subscribe: '*', keys: ['A', 3] }, 'keys[1]', 'keys[1]: expected a key (a string of 1 to 255 characters) or "*", got 3'],
      [{ subscribe: '*', keys: 'A' }, 'keys', 'keys: expected a non-empty list of keys, or "*", got "A"'],
      [{ subscribe: '*', snapshot: 'yes' }, 'snapshot', 'snapshot: expected true or false, got "yes"'],
      [{ subscribe: '*', stats: 1 }, 'stats', 'stats: expected true or false, got 1'],
      [
        { subscribe: '*', key: ['A'] },
        'key',
        'key: expected no such field (a request has subscribe, unsubscribe, keys, snapshot, history, stats, id), got a value',
      ],
      [{ keys: ['A'] }, 'subscribe', 'subscribe: expected either subscribe or unsubscribe (a list of message types, or "*"), got neither'],
      [{ unsubscribe: '*', snapshot: true }, 'snapshot', 'snapshot: expected nothing in an unsubscribe request, got true'],
      [{ subscribe: '*', history: 1 }, 'history', 'history: expected true or false, got 1'],
      [{ unsubscribe: '*', history: true }, 'history', 'history: expected nothing in an unsubscribe request, got true'],
    ];
    for (const [request, field, message] of cases) {
      const reply = await c.request(typeof request === 'string' ? request : JSON.stringify(request));
      expect(reply.frame, JSON.stringify(request)).toBe('error');
      expect(reply.field).toBe(field);
      expect(String(reply.message).startsWith(message), String(reply.message)).toBe(true);
    }
    expect(await c.request({ subscribe: ['RISK_ALERT'], id: 'x' })).toMatchObject({ frame: 'subscribed', id: 'x' });
    expect(gateway.metrics().badRequests).toBe(cases.length);
  });

  it('token: refused with 401 without it or with a wrong one; accepted in the URL or as a Bearer header', async () => {
    const { gateway } = await start({ token: 's3cret' });
    await expect(connect(gateway.wsUrl).opened).rejects.toThrow('HTTP 401');
    await expect(connect(`${gateway.wsUrl}?token=wrong`).opened).rejects.toThrow('HTTP 401');
    await connect(`${gateway.wsUrl}?token=s3cret`).opened;
    await connect(gateway.wsUrl, { headers: { authorization: 'Bearer s3cret' } }).opened;
    expect(gateway.metrics().refused.token).toBe(2);
  });

  it('origin: a page of another origin is refused with 403 unless listed; the gateway own page and clients without Origin are let in', async () => {
    const { gateway } = await start({ origins: ['https://ops.example'] });
    const own = new URL(gateway.url).origin;
    await expect(connect(gateway.wsUrl, { origin: 'https://evil.example' }).opened).rejects.toThrow('HTTP 403');
    await connect(gateway.wsUrl, { origin: own }).opened;
    await connect(gateway.wsUrl, { origin: 'https://ops.example' }).opened;
    await connect(gateway.wsUrl).opened;
    expect(gateway.metrics().refused.origin).toBe(1);
  });

  it('backpressure: a client that reads nothing is coalesced (latest per type and key), the others get every message at once', async () => {
    const { bus, gateway } = await start({ highWaterBytes: 16 * 1024, maxQueue: 1000 });
    const fast = connect(gateway.wsUrl);
    const slow = connect(gateway.wsUrl);
    await Promise.all([fast.opened, slow.opened]);
    await fast.request({ subscribe: ['VPIN_CALCULATION'] });
    await slow.request({ subscribe: ['VPIN_CALCULATION'] });
    // the slow client stops reading its socket: the kernel's buffers fill, then the gateway's
    (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const keys = ['A', 'B', 'C', 'D'];
    // 8,000 messages of about 2 KB (17 MB): well beyond what the kernel's buffers hold on loopback (an
    // autotuned send buffer up to tcp_wmem's 4 MB, plus the receive buffer). Of 0.5 KB (4.2 MB) they
    // sometimes all fitted there and the gateway never saw the socket congested (3 of 20 runs).
    const pad = 'x'.repeat(2000);
    const total = 8000;
    for (let i = 0; i < total / keys.length; i++) {
      for (const key of keys) bus.publishSync('VPIN_CALCULATION', { key, payload: { ...vpinPayload(i), pad } });
      if (i % 50 === 0) await nextTurn();
    }
    await until(() => fast.messages.length === total, `the fast client's ${total} messages`);
    for (const key of keys)
      expect(fast.messages.filter((m) => m.key === key).map((m) => m.payload.bucket)).toEqual(
        Array.from({ length: total / keys.length }, (_, i) => i),
      );
    const m = gateway.metrics();
    expect(m.coalesced).toBeGreaterThan(0);
    expect(m.dropped).toBe(0);
    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    // Once it reads again it gets what the kernel held, then the latest bucket of every key: no bucket twice, the last ones all there.
    await until(
      () => keys.every((key) => slow.messages.some((x) => x.key === key && x.payload.bucket === total / keys.length - 1)),
      'the slow client to catch up',
    );
    expect(slow.messages.length).toBe(total - gateway.metrics().coalesced);
    for (const key of keys) {
      const buckets = slow.messages.filter((x) => x.key === key).map((x) => x.payload.bucket as number);
      expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
      expect(new Set(buckets).size).toBe(buckets.length);
    }
    console.log(
      `[gateway] slow client: ${slow.messages.length} of ${total} messages (${gateway.metrics().coalesced} coalesced); fast client all ${fast.messages.length}`,
    );
  });

  it('backpressure: a congested client whose queue passes maxQueue distinct (type, key) pairs is disconnected with 4000; the others go on', async () => {
    const { bus, gateway } = await start({ highWaterBytes: 4 * 1024, maxQueue: 50 });
    const fast = connect(gateway.wsUrl);
    const slow = connect(gateway.wsUrl);
    await Promise.all([fast.opened, slow.opened]);
    await fast.request({ subscribe: '*' });
    await slow.request({ subscribe: '*' });
    const raw = (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    const pad = 'x'.repeat(1000);
    let i = 0;
    while (gateway.metrics().slowDisconnects === 0 && i < 100_000) {
      bus.publishSync('VPIN_CALCULATION', { key: `K${i % 500}`, payload: { bucket: i, pad } });
      if (++i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(gateway.metrics()).toMatchObject({ slowDisconnects: 1, clients: 1 });
    expect(gateway.metrics().dropped).toBeGreaterThan(0);
    raw.resume();
    expect((await slow.closed).code).toBe(4000);
    bus.publishSync('VPIN_CALCULATION', { key: 'last', payload: { bucket: -1 } });
    await until(() => fast.messages.some((m) => m.key === 'last'), 'the fast client to go on');
    expect(fast.messages.length).toBe(i + 1);
  });

  it('serves the page at /, its metrics at /metrics, and refuses other WebSocket paths', async () => {
    const { bus, gateway } = await start({ build: { version: '0.0.0-test', backend: 'reference' } });
    const c = connect(gateway.wsUrl);
    await c.opened;
    await c.request({ subscribe: '*' });
    await bus.publish('RISK_ALERT', { key: 'A', payload: {} });
    await until(() => c.messages.length === 1, 'one message');
    const page = await fetch(gateway.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>kernelbus');
    const text = await (await fetch(`${new URL(gateway.url).origin}/metrics`)).text();
    expect(text).toContain('kernelbus_gateway_clients 1');
    expect(text).toContain('kernelbus_gateway_messages_received_total 1');
    expect(text).toContain('kernelbus_gateway_messages_sent_total 1');
    expect(text).toMatch(/kernelbus_gateway_send_latency_seconds_count 1\n/);
    expect(text).toContain('kernelbus_build_info{version="0.0.0-test",backend="reference"} 1');
    await expect(connect(gateway.wsUrl.replace('/ws', '/other')).opened).rejects.toThrow('HTTP 404');
  });
});
