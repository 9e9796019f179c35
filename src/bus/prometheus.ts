/**
 * Prometheus exposition of `bus.metrics()` and `engine.metrics()` through prom-client
 * (`prometheusRegistry`) and an HTTP endpoint serving it (`serveMetrics`). Only what serves metrics
 * loads this module (the CLI's --metrics-port, `kernelbus/engines`): the bus itself never loads
 * prom-client.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { KernelInputError } from '../errors.js';
import { describeValue } from '../kernels/validate.js';
import type { HistogramSnapshot } from './histogram.js';
import type { BusMetrics, EngineMetrics } from './metrics.js';

/** What prometheusRegistry reads at every scrape. */
export interface MetricsSources {
  bus?: { metrics(): BusMetrics };
  engines?: readonly { readonly name: string; metrics(): EngineMetrics }[];
}

type Sample = [labels: Record<string, string>, value: number];

const QUANTILES: [string, keyof HistogramSnapshot][] = [
  ['0.5', 'p50'],
  ['0.9', 'p90'],
  ['0.99', 'p99'],
  ['0.999', 'p999'],
];

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
      Object.entries(bus.metrics().buses).map(([name, lane]): Sample => [{ bus: name }, lane.backlog]),
    );
    define('gauge', 'kernelbus_bus_healthy', '1 when the bus transport is healthy', ['bus'], () =>
      Object.entries(bus.metrics().buses).map(([name, lane]): Sample => [{ bus: name }, lane.healthy ? 1 : 0]),
    );
    define(
      'gauge',
      'kernelbus_bus_possible_loss',
      '1 once the bus transport may have lost entries (e.g. Redis restarted empty)',
      ['bus'],
      () => Object.entries(bus.metrics().buses).map(([name, lane]): Sample => [{ bus: name }, lane.possibleLoss ? 1 : 0]),
    );
    define('gauge', 'kernelbus_bus_latency_ms', 'Publish-to-delivery latency quantiles (ms)', ['quantile'], () =>
      quantileSamples({}, bus.metrics().latencyMs),
    );
    define('gauge', 'kernelbus_bus_batch_size', 'Rows per trade frame quantiles', ['quantile'], () =>
      quantileSamples({}, bus.metrics().batchSize),
    );
  }
  const engines = sources.engines ?? [];
  if (engines.length > 0) {
    const each = (read: (m: EngineMetrics) => Sample[]) => () => engines.flatMap((e) => read(e.metrics()));
    define(
      'counter',
      'kernelbus_engine_processed_total',
      'Messages processed',
      ['engine'],
      each((m) => [[{ engine: m.name }, m.processed]]),
    );
    define(
      'counter',
      'kernelbus_engine_duplicates_total',
      'Redelivered entries skipped',
      ['engine'],
      each((m) => [[{ engine: m.name }, m.duplicates]]),
    );
    define(
      'counter',
      'kernelbus_engine_errors_total',
      'Deliveries whose processing failed',
      ['engine'],
      each((m) => [[{ engine: m.name }, m.errors]]),
    );
    define(
      'counter',
      'kernelbus_engine_events_total',
      'Engine-specific events (e.g. buckets, alerts)',
      ['engine', 'event'],
      each((m) => Object.entries(m.extra).map(([event, v]): Sample => [{ engine: m.name, event }, v])),
    );
    define(
      'gauge',
      'kernelbus_engine_backlog',
      'Messages waiting for the engine',
      ['engine'],
      each((m) => [[{ engine: m.name }, m.backlog]]),
    );
    define(
      'gauge',
      'kernelbus_engine_throughput',
      'Messages processed per second since start',
      ['engine'],
      each((m) => [[{ engine: m.name }, m.throughput]]),
    );
    define(
      'gauge',
      'kernelbus_engine_latency_ms',
      'Publish-to-processed latency quantiles (ms)',
      ['engine', 'quantile'],
      each((m) => quantileSamples({ engine: m.name }, m.latencyMs)),
    );
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
