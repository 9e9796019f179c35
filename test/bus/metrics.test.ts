import { describe, expect, it } from 'vitest';
import { createBus, Histogram } from '../../src/bus/index.js';
import { mulberry32 } from '../../src/math/mulberry32.js';
import { prometheusRegistry, serveMetrics } from '../../src/ops/prometheus.js';
import { VpinEngine } from '../../src/engines/index.js';

describe('Histogram', () => {
  it('reports percentiles within 1/16 above the true value, never above max', () => {
    const h = new Histogram(0.001);
    for (let i = 1; i <= 1000; i++) h.record(i / 100); // 0.01 .. 10 ms
    const s = h.snapshot();
    expect(s.count).toBe(1000);
    expect(s.mean).toBeCloseTo(5.005, 10);
    expect(s.min).toBe(0.01);
    expect(s.max).toBe(10);
    for (const [p, truth] of [
      [50, 5],
      [90, 9],
      [99, 9.9],
    ] as const) {
      const v = h.percentile(p);
      expect(v).toBeGreaterThanOrEqual(truth);
      expect(v).toBeLessThanOrEqual(truth * (1 + 1 / 16));
    }
    expect(s.p999).toBeLessThanOrEqual(10);
  });

  it('weights, clamps NaN and negatives to 0, and resets', () => {
    const h = new Histogram(1);
    h.record(100, 99);
    h.record(-5);
    h.record(NaN);
    expect(h.count).toBe(101);
    expect(h.percentile(1)).toBe(1); // the first bucket's upper edge: the resolution
    expect(h.percentile(50)).toBeGreaterThanOrEqual(100);
    expect(h.snapshot().min).toBe(0);
    h.reset();
    expect(h.snapshot()).toEqual({ count: 0, mean: 0, min: 0, max: 0, p50: 0, p90: 0, p99: 0, p999: 0 });
    expect(() => new Histogram(0)).toThrow(/^resolution: expected a number > 0, got 0$/);
  });
});

describe('Histogram buckets', () => {
  it('counts values per exponential bucket (le inclusive), cumulative, with +Inf as count', () => {
    const h = new Histogram(0.001); // ms: bounds 0.01 * 2^k
    for (const v of [0, 0.01, 0.0100001, 0.02, 0.03, 5, 10_485.76, 20_000]) h.record(v);
    const b = h.buckets();
    expect(b.bounds.length).toBe(21);
    expect(b.bounds[0]).toBe(0.01);
    expect(b.bounds[6]).toBe(0.64);
    expect(b.bounds[20]).toBe(10_485.76);
    expect(b.cumulative.slice(0, 3)).toEqual([2, 4, 5]);
    expect(b.cumulative[20]).toBe(7);
    expect(b.count).toBe(8);
    for (let i = 1; i < b.cumulative.length; i++) expect(b.cumulative[i]).toBeGreaterThanOrEqual(b.cumulative[i - 1]);
    // every bound edge lands in its own bucket, for random values too (seeded: the same values every run)
    const random = mulberry32(67);
    for (let i = 0; i < 1000; i++) {
      const x = Math.exp(random() * 20 - 8);
      const one = new Histogram(0.001);
      one.record(x);
      const c = one.buckets().cumulative;
      const first = c.indexOf(1);
      if (first >= 0) expect(x).toBeLessThanOrEqual(b.bounds[first]);
      if (first > 0) expect(x).toBeGreaterThan(b.bounds[first - 1]);
      if (first < 0) expect(x).toBeGreaterThan(b.bounds[20]);
    }
  });
});

describe('Prometheus exposition', () => {
  it('serves bus and engine metrics on 127.0.0.1 in the text format, then stops', async () => {
    const bus = createBus();
    const engine = new VpinEngine(bus, { vpin: { bucketVolume: 10, window: 2, barMs: 1 }, heartbeatMs: 0 }).start();
    const ts = Float64Array.from({ length: 50 }, (_, i) => i);
    await bus.publish('TRADE_EXECUTION', { key: 'A', ts, price: ts.map((x) => 100 + (x % 3)), volume: new Float64Array(50).fill(1) });
    await bus.drain();
    const server = await serveMetrics(prometheusRegistry({ bus, engines: [engine] }), { port: 0 });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
      const text = await response.text();
      expect(text).toContain('# TYPE kernelbus_bus_published_total counter');
      // 50 trades and what the engine published (one VPIN_CALCULATION per bucket, alerts)
      const { buckets, alerts } = engine.metrics().extra;
      expect(buckets).toBe(4);
      expect(text).toContain(`kernelbus_bus_published_total ${50 + buckets + alerts}`);
      expect(text).toContain('kernelbus_bus_delivered_total 50');
      expect(text).toContain('kernelbus_bus_copies_total 0');
      expect(text).toContain('kernelbus_bus_dead_lettered_total 0');
      expect(text).toContain('kernelbus_bus_queue_depth 0');
      expect(text).toContain('kernelbus_bus_backlog{bus="marketdata"} 0');
      expect(text).toContain('kernelbus_bus_healthy{bus="compute"} 1');
      expect(text).toContain('kernelbus_bus_possible_loss{bus="marketdata"} 0');
      expect(text).not.toContain('quantile');
      expect(text).not.toContain('_ms');
      expect(text).toContain('# TYPE kernelbus_bus_delivery_latency_seconds histogram');
      expect(text).toContain('kernelbus_bus_delivery_latency_seconds_bucket{bus="marketdata",le="0.00001"}');
      expect(text).toContain('kernelbus_bus_delivery_latency_seconds_bucket{bus="marketdata",le="10.48576"}');
      expect(text).toContain('kernelbus_bus_delivery_latency_seconds_count{bus="marketdata"} 50');
      expect(text).toContain('kernelbus_bus_frame_messages_bucket{le="+Inf"} 1');
      expect(text).toContain('kernelbus_engine_latency_seconds_count{engine="vpin"} 50');
      expect(text).toContain('kernelbus_transport_messages_total{bus="marketdata",transport="memory"}');
      expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
      expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
      expect(text).toContain('kernelbus_engine_processed_total{engine="vpin"} 50');
      expect(text).toMatch(/kernelbus_engine_events_total\{engine="vpin",event="buckets"\} \d+/);
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
      expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
    await expect(fetch(server.url)).rejects.toThrow();
    await engine.close();
    await bus.close();
  });

  it('/readyz answers 503 with the reason until the check passes; build info', async () => {
    let state: true | string = 'streams not leased';
    const registry = prometheusRegistry({ build: { version: '1.2.3', backend: 'reference' }, defaultMetrics: false });
    const server = await serveMetrics(registry, { port: 0, ready: () => state });
    try {
      const before = await fetch(`${server.base}/readyz`);
      expect(before.status).toBe(503);
      expect(await before.text()).toBe('not ready: streams not leased\n');
      state = true;
      expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
      const text = await (await fetch(server.url)).text();
      expect(text).toContain('kernelbus_build_info{version="1.2.3",backend="reference"} 1');
      expect(text).not.toContain('process_');
    } finally {
      await server.close();
    }
  });

  it('watched portfolios: a VaR per method, method="garch" where the engine has one, non-finite figures left out', async () => {
    const registry = prometheusRegistry({
      defaultMetrics: false,
      watched: () => ({
        portfolios: [
          { engine: 'risk', portfolio: 'a', historicalVar: 0.02, gaussianVar: 0.021, garchVar: 0.025, volatility: 0.01 },
          { engine: 'risk', portfolio: 'b', historicalVar: 0.03, gaussianVar: Number.NaN, volatility: 0.02 },
        ],
      }),
    });
    const lines = (await registry.metrics()).split('\n').filter((l) => l.startsWith('kernelbus_portfolio_var{'));
    expect(lines.sort()).toEqual(
      [
        'kernelbus_portfolio_var{engine="risk",portfolio="a",method="historical"} 0.02',
        'kernelbus_portfolio_var{engine="risk",portfolio="a",method="gaussian"} 0.021',
        'kernelbus_portfolio_var{engine="risk",portfolio="a",method="garch"} 0.025',
        'kernelbus_portfolio_var{engine="risk",portfolio="b",method="historical"} 0.03',
      ].sort(),
    );
  });

  it("an engine's checkpoint cost: bytes and seconds as counters of their own, not events; none for an engine without checkpoints", async () => {
    const bus = createBus();
    const plain = new VpinEngine(bus, { vpin: { bucketVolume: 10, window: 2, barMs: 1 }, heartbeatMs: 0 });
    const metrics = plain.metrics();
    const checkpointing = {
      name: 'strategy',
      metrics: () => ({ ...metrics, name: 'strategy', extra: { checkpoints: 4, checkpointBytes: 123_456, checkpointMs: 2_500 } }),
    };
    const registry = prometheusRegistry({ defaultMetrics: false, engines: [checkpointing, plain] });
    const text = await registry.metrics();
    expect(
      text
        .split('\n')
        .filter((l) => /^kernelbus_engine_(checkpoint_|events_total\{engine="strategy")/.test(l))
        .sort(),
    ).toEqual(
      [
        'kernelbus_engine_checkpoint_bytes_total{engine="strategy"} 123456',
        'kernelbus_engine_checkpoint_seconds_total{engine="strategy"} 2.5',
        'kernelbus_engine_events_total{engine="strategy",event="checkpoints"} 4',
      ].sort(),
    );
    expect(text).toContain('kernelbus_engine_events_total{engine="vpin",event="buckets"} 0');
  });

  it("an engine's levels (symbols it holds) as the gauge kernelbus_engine_level, not among the events; still in extra", async () => {
    const bus = createBus();
    const engine = new VpinEngine(bus, { vpin: { bucketVolume: 10, window: 2, barMs: 1 }, heartbeatMs: 0 }).start();
    for (const key of ['A', 'B', 'C'])
      await bus.publish('TRADE_EXECUTION', {
        key,
        ts: Float64Array.of(1, 2),
        price: Float64Array.of(10, 10.5),
        volume: Float64Array.of(4, 4),
      });
    await engine.close();
    await bus.close();
    const m = engine.metrics();
    expect(m.levels).toEqual({ symbols: 3 });
    expect(m.extra).toMatchObject({ symbols: 3, buckets: 0 });
    const text = await prometheusRegistry({ defaultMetrics: false, engines: [engine] }).metrics();
    const lines = text.split('\n').filter((l) => /^kernelbus_engine_(level|events_total)\{/.test(l));
    expect(lines).toContain('kernelbus_engine_level{engine="vpin",level="symbols"} 3');
    expect(lines).toContain('kernelbus_engine_events_total{engine="vpin",event="buckets"} 0');
    expect(lines.filter((l) => l.includes('symbols'))).toEqual(['kernelbus_engine_level{engine="vpin",level="symbols"} 3']);
    expect(text).toContain('# TYPE kernelbus_engine_level gauge');
  });

  it('checks the port', async () => {
    const registry = prometheusRegistry({});
    await expect(serveMetrics(registry, { port: -1 })).rejects.toThrow(/^options.port: expected an integer in \[0, 65535\], got -1$/);
  });
});
