/**
 * Prometheus exposition of `bus.metrics()` and `engine.metrics()` through prom-client
 * (`prometheusRegistry`), following prometheus.io's naming practices: latencies as histograms in
 * seconds (`_bucket`/`_sum`/`_count`, exponential buckets 10 us..10 s), counters `_total`, throughput
 * left to `rate()`, the process's default metrics (`process_*`, `nodejs_*`), `kernelbus_build_info`, a
 * transport's own counters, and consumer-group lag where a source is given. The HTTP endpoint serving
 * it with `/healthz` and `/readyz` is ./metrics-server.ts. Only what serves metrics loads this module
 * (the CLI's --metrics-port, `kernelbus/engines`), and prom-client loads with the first registry: the
 * bus and `import 'kernelbus/engines'` never load it (35 to 70 ms of a start on the development machine).
 */
import { createRequire } from 'node:module';
import type { Counter, Gauge, Registry } from 'prom-client';
import type { HistogramBuckets } from '../bus/histogram.js';
import type { BusHistograms, BusMetrics, EngineMetrics } from '../bus/metrics.js';

export { serveMetrics, type MetricsServer, type MetricsServerOptions, type Readiness } from './metrics-server.js';

/** One consumer group of one stream, as `kernelbus status` and the lag gauges report it. */
export interface GroupLag {
  /** The bus of the stream ('' for a stream outside the bus layout). */
  bus: string;
  /** The stream's name as the bus names it (`marketdata:TRADE_EXECUTION:0`) or its key. */
  stream: string;
  group: string;
  /** Entries not yet delivered to the group. */
  lag: number;
  /** Entries delivered and not acknowledged. */
  pending: number;
  /** Age of the oldest pending entry in seconds (0 when none is pending). */
  oldestPendingSeconds: number;
  /** Entries in the stream's dead-letter stream. */
  deadLetters: number;
}

/** Engine extras that are the checkpoints' cost, not events: each a counter of its own (name, help, scale). */
const CHECKPOINT_COST: Record<string, [name: string, help: string, scale: number]> = {
  checkpointBytes: ['kernelbus_engine_checkpoint_bytes_total', 'Bytes of the checkpoint records stored', 1],
  checkpointMs: ['kernelbus_engine_checkpoint_seconds_total', "Time from each stored checkpoint's start to its last write stored", 1e-3],
};

/** What prometheusRegistry reads at every scrape. */
export interface MetricsSources {
  bus?: {
    metrics(): BusMetrics;
    histograms?(): BusHistograms;
    readonly buses?: readonly string[];
    transport?(bus: string): { readonly name: string; metrics(): object };
  };
  engines?: readonly {
    readonly name: string;
    metrics(): EngineMetrics;
    latencyBuckets?(): HistogramBuckets;
    /** The engine's own histograms by name: `kernelbus_engine_<name>{engine}` (MlEngine's batch rows and inference time). */
    histograms?(): Readonly<Record<string, EngineHistogram>>;
    /** The model an engine serves: `kernelbus_ml_model_info{engine,model,version}` 1 (MlEngine). */
    model?(): { model: string; version: string } | undefined;
  }[];
  /** Consumer groups of the bus's streams (Redis: XINFO GROUPS), read at each scrape. */
  lag?: () => Promise<readonly GroupLag[]>;
  /** `kernelbus_build_info{version,backend}`. */
  build?: { version: string; backend: string };
  /** Figures of watched keys, read at each scrape: VPIN per symbol, VaR per portfolio. */
  watched?: () => WatchedFigures;
  /** prom-client's default collectors (`process_*`, `nodejs_*`): default true. */
  defaultMetrics?: boolean;
}

/** An engine's own histogram (MetricsSources.engines' histograms()). */
export interface EngineHistogram {
  help: string;
  buckets: HistogramBuckets;
  /** The factor from the histogram's unit to the exported one (1e-3: ms to seconds). Default 1. */
  scale?: number;
}

/** MetricsSources.watched: a few keys' figures (cardinality: what an operator chose to watch). */
export interface WatchedFigures {
  vpin?: { engine: string; symbol: string; vpin: number; cdf: number }[];
  /** `garchVar`: with RiskEngine's `var: { method: 'garch' }` (method="garch"). */
  portfolios?: { engine: string; portfolio: string; historicalVar: number; gaussianVar: number; garchVar?: number; volatility: number }[];
}

type Labels = Record<string, string>;
type Sample = [labels: Labels, value: number];

let promClient: typeof import('prom-client') | undefined;

/** prom-client, loaded by the first prometheusRegistry() (a CommonJS package: require() is synchronous). */
const prom = () => (promClient ??= createRequire(import.meta.url)('prom-client') as typeof import('prom-client'));

/** snake_case of a camelCase field. */
const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A prom-client metric of type histogram whose samples are read at scrape time from fixed buckets
 * (the bus's own hot-path Histogram counts them: see ../bus/histogram.ts), scaled by `scale` (ms -> s).
 */
export function histogramMetric(name: string, help: string, read: () => [Labels, HistogramBuckets][], scale = 1) {
  return {
    name,
    help,
    type: 'histogram' as const,
    aggregator: 'sum' as const,
    get: async () => {
      const values: { metricName: string; labels: Labels; value: number }[] = [];
      for (const [labels, h] of read()) {
        h.bounds.forEach((bound, i) => {
          values.push({
            metricName: `${name}_bucket`,
            labels: { ...labels, le: String(Number((bound * scale).toPrecision(12))) },
            value: h.cumulative[i],
          });
        });
        values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.count });
        values.push({ metricName: `${name}_sum`, labels, value: h.sum * scale });
        values.push({ metricName: `${name}_count`, labels, value: h.count });
      }
      return { name, help, type: 'histogram' as const, aggregator: 'sum' as const, values };
    },
    reset: () => {},
  };
}

/** The counters of the bus (BusMetrics fields), exported as `kernelbus_bus_<field>_total` unless named. */
const BUS_COUNTERS: [keyof BusMetrics, string, string?][] = [
  ['published', 'Messages accepted by publish'],
  ['rejected', 'Messages refused with BackpressureError'],
  ['undeliverable', 'Messages a transport refused for good (not retryable)'],
  ['frames', 'Frames handed to transports'],
  ['watermarkFrames', 'Watermark-only frames handed to transports (trade frames of no rows)'],
  ['delivered', 'Messages handed to handlers, redeliveries included'],
  ['acknowledged', 'Messages whose handler succeeded'],
  ['redelivered', 'Messages delivered again'],
  ['failed', 'Messages whose handler failed'],
  ['deadLetteredEntries', 'Entries moved to a dead-letter stream (malformed ones included)', 'kernelbus_bus_dead_lettered_total'],
  ['deadLettered', 'Messages of the dead-lettered entries whose frame decoded', 'kernelbus_bus_dead_lettered_messages_total'],
  ['copies', 'Frames whose unaligned columns were copied once (read as Float64Arrays, not in place by a native kernel)'],
];

/** A transport's counters (its metrics() fields but the computed ones) as `kernelbus_transport_<field>_total{bus,transport}`. */
const NOT_COUNTERS = new Set(['backlog', 'possibleLoss']);

/**
 * A prom-client Registry whose metrics read `sources` at scrape time: bus counters
 * (`kernelbus_bus_*_total`), depth and backlog gauges, latency and batch-size histograms, per-engine
 * counters and latency, transport counters, consumer-group lag, build info and the default metrics.
 */
export function prometheusRegistry(sources: MetricsSources): Registry {
  const { collectDefaultMetrics, Counter, Gauge, Registry } = prom();
  const registry = new Registry();
  const define = (
    kind: 'counter' | 'gauge',
    name: string,
    help: string,
    labelNames: string[],
    read: () => Sample[] | Promise<Sample[]>,
  ) => {
    const collect = async function (this: Counter | Gauge) {
      const samples = await read();
      this.reset();
      for (const [labels, value] of samples) {
        if (kind === 'counter') (this as Counter).inc(labels, value);
        else (this as Gauge).set(labels, value);
      }
    };
    const config = { name, help, labelNames, registers: [registry], collect };
    if (kind === 'counter') new Counter(config);
    else new Gauge(config);
  };
  const histogram = (name: string, help: string, read: () => [Labels, HistogramBuckets][], scale = 1) =>
    registry.registerMetric(histogramMetric(name, help, read, scale) as never);

  if (sources.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  if (sources.build) {
    const { version, backend } = sources.build;
    define('gauge', 'kernelbus_build_info', 'Always 1: the version and the kernel backend of this process', ['version', 'backend'], () => [
      [{ version, backend }, 1],
    ]);
  }

  const bus = sources.bus;
  if (bus) {
    for (const [field, help, name] of BUS_COUNTERS) {
      define('counter', name ?? `kernelbus_bus_${snake(field)}_total`, help, [], () => [[{}, bus.metrics()[field] as number]]);
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
    define('counter', 'kernelbus_bus_publish_errors_total', 'Transport publish calls that failed (retried)', ['bus'], () =>
      Object.entries(bus.metrics().buses).map(([name, lane]): Sample => [{ bus: name }, lane.publishErrors]),
    );
    const histograms = bus.histograms?.bind(bus);
    if (histograms) {
      histogram(
        'kernelbus_bus_delivery_latency_seconds',
        'Publish of a frame to the start of its delivery, per message',
        () => Object.entries(histograms().deliveryLatencyMs).map(([name, h]): [Labels, HistogramBuckets] => [{ bus: name }, h]),
        1e-3,
      );
      histogram(
        'kernelbus_bus_publish_latency_seconds',
        'Frames handed to the transport to their storage acknowledged',
        () => Object.entries(histograms().publishLatencyMs).map(([name, h]): [Labels, HistogramBuckets] => [{ bus: name }, h]),
        1e-3,
      );
      histogram('kernelbus_bus_frame_messages', 'Messages (rows) per trade frame', () => [[{}, histograms().batchSize]]);
    }
    const transport = bus.transport?.bind(bus);
    const names = bus.buses;
    if (transport && names) {
      const read = (field: string) =>
        names.flatMap((name): Sample[] => {
          const t = transport(name);
          const value = (t.metrics() as Record<string, unknown>)[field];
          return typeof value === 'number' ? [[{ bus: name, transport: t.name.split(':')[0] }, value]] : [];
        });
      const fields = new Set<string>();
      for (const name of names) {
        for (const [field, value] of Object.entries(transport(name).metrics()))
          if (typeof value === 'number' && !NOT_COUNTERS.has(field)) fields.add(field);
      }
      for (const field of fields) {
        define(
          'counter',
          `kernelbus_transport_${snake(field)}_total`,
          `The transport's ${field} counter (see its metrics())`,
          ['bus', 'transport'],
          () => read(field),
        );
      }
    }
  }

  const engines = sources.engines ?? [];
  if (engines.length > 0) {
    const each = (read: (m: EngineMetrics) => Sample[]) => () => engines.flatMap((e) => read(e.metrics()));
    const counter = (
      name: string,
      help: string,
      field: 'processed' | 'batches' | 'duplicates' | 'errors' | 'publishErrors' | 'heartbeats',
    ) =>
      define(
        'counter',
        name,
        help,
        ['engine'],
        each((m) => [[{ engine: m.name }, m[field]]]),
      );
    counter('kernelbus_engine_processed_total', 'Messages processed', 'processed');
    counter('kernelbus_engine_deliveries_total', 'Deliveries processed', 'batches');
    counter('kernelbus_engine_duplicates_total', 'Redelivered entries skipped', 'duplicates');
    counter('kernelbus_engine_errors_total', 'Deliveries whose processing failed', 'errors');
    counter('kernelbus_engine_publish_errors_total', 'Output publishes that failed', 'publishErrors');
    counter('kernelbus_engine_heartbeats_total', 'ENGINE_HEALTH heartbeats published', 'heartbeats');
    define(
      'counter',
      'kernelbus_engine_bad_trades_total',
      'Trades left out by the trade rule (a time not finite or going back, a price not > 0, a volume < 0)',
      ['engine', 'reason'],
      each((m) => Object.entries(m.badTrades).map(([reason, v]): Sample => [{ engine: m.name, reason }, v])),
    );
    define(
      'counter',
      'kernelbus_engine_events_total',
      'Engine-specific events (e.g. buckets, alerts)',
      ['engine', 'event'],
      each((m) =>
        Object.entries(m.extra).flatMap(([event, v]): Sample[] =>
          Object.hasOwn(CHECKPOINT_COST, event) || Object.hasOwn(m.levels, event) ? [] : [[{ engine: m.name, event }, v]],
        ),
      ),
    );
    define(
      'gauge',
      'kernelbus_engine_level',
      'Engine-specific levels: what it holds now (e.g. symbols, universes, trades the merge holds back) or a maximum',
      ['engine', 'level'],
      each((m) => Object.entries(m.levels).map(([level, v]): Sample => [{ engine: m.name, level }, v])),
    );
    // what the checkpoints cost, for an engine that checkpoints (Checkpointing.counts)
    for (const [field, [name, help, scale]] of Object.entries(CHECKPOINT_COST)) {
      define(
        'counter',
        name,
        help,
        ['engine'],
        each((m) => (m.extra[field] === undefined ? [] : [[{ engine: m.name }, m.extra[field] * scale]])),
      );
    }
    define(
      'gauge',
      'kernelbus_engine_backlog',
      'Messages waiting for the engine',
      ['engine'],
      each((m) => [[{ engine: m.name }, m.backlog]]),
    );
    define(
      'gauge',
      'kernelbus_engine_keys',
      'Keys with state',
      ['engine'],
      each((m) => [[{ engine: m.name }, m.keys]]),
    );
    histogram(
      'kernelbus_engine_latency_seconds',
      'Publish of a message to the end of its processing, per message',
      () => engines.flatMap((e): [Labels, HistogramBuckets][] => (e.latencyBuckets ? [[{ engine: e.name }, e.latencyBuckets()]] : [])),
      1e-3,
    );
    // what an engine offers beyond the base's, asked for when it has it
    const ownOf = (e: (typeof engines)[number]) => (typeof e.histograms === 'function' ? e.histograms() : {});
    const own = new Map<string, EngineHistogram>();
    for (const e of engines) for (const [name, h] of Object.entries(ownOf(e))) if (!own.has(name)) own.set(name, h);
    for (const [name, { help, scale }] of own) {
      const read = () =>
        engines.flatMap((e): [Labels, HistogramBuckets][] => {
          const h = ownOf(e)[name];
          return h ? [[{ engine: e.name }, h.buckets]] : [];
        });
      histogram(`kernelbus_engine_${name}`, help, read, scale);
    }
    if (engines.some((e) => typeof e.model === 'function')) {
      define(
        'gauge',
        'kernelbus_ml_model_info',
        'Always 1: the model an engine serves and its version',
        ['engine', 'model', 'version'],
        () =>
          engines.flatMap((e): Sample[] => {
            const m = typeof e.model === 'function' ? e.model() : undefined;
            return m ? [[{ engine: e.name, ...m }, 1]] : [];
          }),
      );
    }
  }

  const watched = sources.watched;
  if (watched) {
    const finite = (samples: Sample[]) => samples.filter(([, v]) => Number.isFinite(v));
    define('gauge', 'kernelbus_vpin', 'The last VPIN of a watched symbol', ['engine', 'symbol'], () =>
      finite((watched().vpin ?? []).map((w): Sample => [{ engine: w.engine, symbol: w.symbol }, w.vpin])),
    );
    define('gauge', 'kernelbus_vpin_cdf', 'The CDF of the last VPIN of a watched symbol', ['engine', 'symbol'], () =>
      finite((watched().vpin ?? []).map((w): Sample => [{ engine: w.engine, symbol: w.symbol }, w.cdf])),
    );
    define('gauge', 'kernelbus_portfolio_var', "A portfolio's one-period VaR (positive = loss)", ['engine', 'portfolio', 'method'], () =>
      finite(
        (watched().portfolios ?? []).flatMap((p): Sample[] => [
          [{ engine: p.engine, portfolio: p.portfolio, method: 'historical' }, p.historicalVar],
          [{ engine: p.engine, portfolio: p.portfolio, method: 'gaussian' }, p.gaussianVar],
          ...(p.garchVar === undefined ? [] : [[{ engine: p.engine, portfolio: p.portfolio, method: 'garch' }, p.garchVar] as Sample]),
        ]),
      ),
    );
    define('gauge', 'kernelbus_portfolio_volatility', "A portfolio's volatility per period", ['engine', 'portfolio'], () =>
      finite((watched().portfolios ?? []).map((p): Sample => [{ engine: p.engine, portfolio: p.portfolio }, p.volatility])),
    );
  }

  const lag = sources.lag;
  if (lag) {
    // One XINFO sweep per scrape, shared by the four gauges.
    let sweep: Promise<readonly GroupLag[]> | undefined;
    const groups = () => {
      sweep ??= lag().finally(() => setTimeout(() => (sweep = undefined), 100).unref());
      return sweep;
    };
    const per = (field: 'lag' | 'pending' | 'oldestPendingSeconds') => async () =>
      (await groups()).map((g): Sample => [{ bus: g.bus, stream: g.stream, group: g.group }, g[field]]);
    define(
      'gauge',
      'kernelbus_consumer_group_lag',
      'Entries of the stream not yet delivered to the group',
      ['bus', 'stream', 'group'],
      per('lag'),
    );
    define(
      'gauge',
      'kernelbus_consumer_group_pending',
      'Entries delivered to the group and not acknowledged',
      ['bus', 'stream', 'group'],
      per('pending'),
    );
    define(
      'gauge',
      'kernelbus_consumer_group_oldest_pending_seconds',
      "Age of the group's oldest pending entry",
      ['bus', 'stream', 'group'],
      per('oldestPendingSeconds'),
    );
    define('gauge', 'kernelbus_dead_letters', "Entries in the stream's dead-letter stream", ['bus', 'stream'], async () => {
      const seen = new Map<string, Sample>();
      for (const g of await groups()) seen.set(g.stream, [{ bus: g.bus, stream: g.stream }, g.deadLetters]);
      return [...seen.values()];
    });
  }
  return registry;
}
