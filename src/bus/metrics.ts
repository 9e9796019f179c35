/**
 * Metrics: a small log-bucketed histogram, the shapes of `bus.metrics()` and `engine.metrics()`, and
 * their Prometheus exposition through prom-client (`prometheusRegistry`, `serveMetrics`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { KernelInputError } from '../errors.js';
import { describeValue } from '../kernels/validate.js';

/** Sub-buckets per power of two: percentiles are within 1/16 (6.25 %) above the true value. */
const SUB_BUCKETS = 16;
/** Powers of two covered above the resolution (2^40 resolutions: 12 days in microseconds). */
const OCTAVES = 40;

/** Percentiles and moments of a histogram, in the histogram's unit. */
export interface HistogramSnapshot {
  count: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

/**
 * A histogram of non-negative values with logarithmic buckets: constant memory, O(1) record,
 * percentiles reported as the upper edge of their bucket (at most 6.25 % high), never above `max`.
 * Values below `resolution` share the first bucket.
 */
export class Histogram {
  private readonly counts = new Float64Array(1 + OCTAVES * SUB_BUCKETS);
  private readonly resolution: number;
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;

  /** `resolution`: the smallest value told apart from 0 (e.g. 0.001 for milliseconds to 1 us). */
  constructor(resolution = 0.001) {
    if (!(resolution > 0)) throw new KernelInputError('resolution', 'a number > 0', describeValue(resolution));
    this.resolution = resolution;
  }

  /** Records `value` (NaN and negatives count as 0) `weight` times. */
  record(value: number, weight = 1): void {
    const v = value > 0 ? value : 0;
    const units = v / this.resolution;
    let index = 0;
    if (units >= 1) {
      const octave = Math.floor(Math.log2(units));
      index = Math.min(this.counts.length - 1, 1 + octave * SUB_BUCKETS + Math.floor((units / 2 ** octave - 1) * SUB_BUCKETS));
    }
    this.counts[index] += weight;
    this.count += weight;
    this.sum += v * weight;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** The value at percentile `p` (0..100); 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = (Math.min(100, Math.max(0, p)) / 100) * this.count;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank && this.counts[i] > 0) {
        if (i === 0) return Math.min(this.resolution, this.max);
        const octave = Math.floor((i - 1) / SUB_BUCKETS);
        const sub = (i - 1) % SUB_BUCKETS;
        return Math.min(this.resolution * 2 ** octave * (1 + (sub + 1) / SUB_BUCKETS), this.max);
      }
    }
    return this.max;
  }

  /** Count, mean, min, max and the 50th, 90th, 99th and 99.9th percentiles. */
  snapshot(): HistogramSnapshot {
    return {
      count: this.count,
      mean: this.count ? this.sum / this.count : 0,
      min: this.count ? this.min : 0,
      max: this.max,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
    };
  }

  /** Forgets every value. */
  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = 0;
  }
}

/** One bus of a bus system, in `bus.metrics().buses`. */
export interface BusLaneMetrics {
  /** Frames and messages handed to this bus's transport. */
  frames: number;
  messages: number;
  /** Messages on this bus not yet acknowledged by every group (the transport's backlog). */
  backlog: number;
  healthy: boolean;
  /** True once this bus's transport may have lost entries (see its metrics(), e.g. RedisTransportMetrics). */
  possibleLoss: boolean;
  /** Transport publish calls that failed (their frames were retried, never dropped). */
  publishErrors: number;
  /** Time from handing frames to the transport to its acknowledgement of storing them. */
  publishLatencyMs: HistogramSnapshot;
}

/** `bus.metrics()`. Message counts count rows of trade batches; delivery counts sum over subscriptions. */
export interface BusMetrics {
  /** Messages accepted by publish() / publishFrame(). */
  published: number;
  /** Messages refused with BackpressureError. */
  rejected: number;
  /**
   * Accepted messages a transport refused for good (a TransportError with `retryable: false`: a frame
   * over its size limit, credentials refused, an error reply such as WRONGTYPE): not retried, reported
   * to `onError`. Anything else a transport refuses is retried until it is stored.
   */
  undeliverable: number;
  /** Frames handed to transports. */
  frames: number;
  /** Messages handed to handlers, redeliveries included. */
  delivered: number;
  /** Messages whose handler succeeded. */
  acknowledged: number;
  /** Messages delivered again after a handler failed or its consumer closed. */
  redelivered: number;
  /** Messages whose handler threw or rejected. */
  failed: number;
  /** Messages moved to a dead-letter stream after too many failed deliveries. */
  deadLettered: number;
  /** True once a bus's transport may have lost entries (which bus: `buses`). */
  possibleLoss: boolean;
  /**
   * Frames whose columns were copied once: unaligned bytes (as read from Redis) read as Float64Arrays by
   * the reference backend or a subscriber; the native kernels read them in place (FrameTrades).
   */
  copies: number;
  /** Messages accepted and not yet acknowledged by every group (what maxQueue bounds). */
  queueDepth: number;
  /** Highest queueDepth seen. */
  maxQueueDepth: number;
  /** Publishers waiting for room now. */
  waiting: number;
  /** Rows per trade frame. */
  batchSize: HistogramSnapshot;
  /** Publish of a frame's oldest message to the start of its delivery, weighted by messages. */
  latencyMs: HistogramSnapshot;
  buses: Record<string, BusLaneMetrics>;
}

/** `engine.metrics()`. */
export interface EngineMetrics {
  name: string;
  /** Messages processed (rows of trade batches). */
  processed: number;
  /** Deliveries processed. */
  batches: number;
  /** Redelivered entries skipped because their id was already processed. */
  duplicates: number;
  /** Deliveries whose processing threw (they are redelivered). */
  errors: number;
  /** Output publishes that failed. */
  publishErrors: number;
  /** processed / seconds since start. */
  throughput: number;
  /** Publish of the oldest message in a delivery to the end of its processing, weighted by messages. */
  latencyMs: HistogramSnapshot;
  /** Messages waiting for this engine on the bus (its input streams' backlog). */
  backlog: number;
  /** Keys with state. */
  keys: number;
  heartbeats: number;
  /** Engine-specific counters (e.g. VPIN buckets and alerts). */
  extra: Record<string, number>;
}

/** What prometheusRegistry reads at every scrape. */
export interface MetricsSources {
  bus?: { metrics(): BusMetrics };
  engines?: readonly { readonly name: string; metrics(): EngineMetrics }[];
}

type Sample = [labels: Record<string, string>, value: number];

const QUANTILES: [string, keyof HistogramSnapshot][] = [['0.5', 'p50'], ['0.9', 'p90'], ['0.99', 'p99'], ['0.999', 'p999']];

function quantileSamples(labels: Record<string, string>, h: HistogramSnapshot): Sample[] {
  return QUANTILES.map(([q, field]) => [{ ...labels, quantile: q }, h[field]]);
}

/**
 * A prom-client Registry whose metrics read `sources` at scrape time: bus counters
 * (`kernelbus_bus_*_total`), depth and backlog gauges, latency quantiles in ms, and per-engine
 * counters and latency.
 */
export function prometheusRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  const define = (kind: 'counter' | 'gauge', name: string, help: string, labelNames: string[], read: () => Sample[]) => {
    const collect = function (this: Counter | Gauge) {
      this.reset();
      for (const [labels, value] of read()) {
        if (kind === 'counter') (this as Counter).inc(labels, value);
        else (this as Gauge).set(labels, value);
      }
    };
    const config = { name, help, labelNames, registers: [registry], collect };
    if (kind === 'counter') new Counter(config);
    else new Gauge(config);
  };
  const bus = sources.bus;
  if (bus) {
    const counters: [keyof BusMetrics, string][] = [
      ['published', 'Messages accepted by publish'],
      ['rejected', 'Messages refused with BackpressureError'],
      ['undeliverable', 'Messages a transport refused for good (not retryable)'],
      ['frames', 'Frames handed to transports'],
      ['delivered', 'Messages handed to handlers, redeliveries included'],
      ['acknowledged', 'Messages whose handler succeeded'],
      ['redelivered', 'Messages delivered again'],
      ['failed', 'Messages whose handler failed'],
      ['deadLettered', 'Messages moved to a dead-letter stream'],
      ['copies', 'Frames whose unaligned columns were copied once (read as Float64Arrays, not in place by a native kernel)'],
    ];
    for (const [field, help] of counters) {
      const name = `kernelbus_bus_${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_total`;
      define('counter', name, help, [], () => [[{}, bus.metrics()[field] as number]]);
    }
    define('gauge', 'kernelbus_bus_queue_depth', 'Messages accepted and not yet acknowledged', [], () => [[{}, bus.metrics().queueDepth]]);
    define('gauge', 'kernelbus_bus_backlog', 'Messages not yet acknowledged per bus', ['bus'], () =>
      Object.entries(bus.metrics().buses).map(([name, lane]): Sample => [{ bus: name }, lane.backlog]));
    define('gauge', 'kernelbus_bus_healthy', '1 when the bus transport is healthy', ['bus'], () =>
      Object.entries(bus.metrics().buses).map(([name, lane]): Sample => [{ bus: name }, lane.healthy ? 1 : 0]));
    define('gauge', 'kernelbus_bus_possible_loss', '1 once the bus transport may have lost entries (e.g. Redis restarted empty)', ['bus'], () =>
      Object.entries(bus.metrics().buses).map(([name, lane]): Sample => [{ bus: name }, lane.possibleLoss ? 1 : 0]));
    define('gauge', 'kernelbus_bus_latency_ms', 'Publish-to-delivery latency quantiles (ms)', ['quantile'], () =>
      quantileSamples({}, bus.metrics().latencyMs));
    define('gauge', 'kernelbus_bus_batch_size', 'Rows per trade frame quantiles', ['quantile'], () =>
      quantileSamples({}, bus.metrics().batchSize));
  }
  const engines = sources.engines ?? [];
  if (engines.length > 0) {
    const each = (read: (m: EngineMetrics) => Sample[]) => () => engines.flatMap((e) => read(e.metrics()));
    define('counter', 'kernelbus_engine_processed_total', 'Messages processed', ['engine'], each((m) => [[{ engine: m.name }, m.processed]]));
    define('counter', 'kernelbus_engine_duplicates_total', 'Redelivered entries skipped', ['engine'], each((m) => [[{ engine: m.name }, m.duplicates]]));
    define('counter', 'kernelbus_engine_errors_total', 'Deliveries whose processing failed', ['engine'], each((m) => [[{ engine: m.name }, m.errors]]));
    define('counter', 'kernelbus_engine_events_total', 'Engine-specific events (e.g. buckets, alerts)', ['engine', 'event'],
      each((m) => Object.entries(m.extra).map(([event, v]): Sample => [{ engine: m.name, event }, v])));
    define('gauge', 'kernelbus_engine_backlog', 'Messages waiting for the engine', ['engine'], each((m) => [[{ engine: m.name }, m.backlog]]));
    define('gauge', 'kernelbus_engine_throughput', 'Messages processed per second since start', ['engine'], each((m) => [[{ engine: m.name }, m.throughput]]));
    define('gauge', 'kernelbus_engine_latency_ms', 'Publish-to-processed latency quantiles (ms)', ['engine', 'quantile'],
      each((m) => quantileSamples({ engine: m.name }, m.latencyMs)));
  }
  return registry;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** The bound port (useful with port 0). */
  port: number;
  /** `http://host:port/metrics`. */
  url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Serves `registry` in the Prometheus text format at `/metrics` on `host` (default 127.0.0.1) and
 * `port` (0 picks a free one).
 */
export async function serveMetrics(registry: Registry, options: { port: number; host?: string }): Promise<MetricsServer> {
  const { port, host = '127.0.0.1' } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new KernelInputError('options.port', 'an integer in [0, 65535]', describeValue(port));
  }
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
