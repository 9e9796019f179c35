/**
 * The shapes of `bus.metrics()` and `engine.metrics()`. The histogram behind their latency figures is
 * ./histogram.ts; their Prometheus exposition (prom-client) is ../ops/prometheus.ts, loaded only by what
 * serves metrics.
 */
import type { HistogramBuckets, HistogramSnapshot } from './histogram.js';

export type { HistogramBuckets, HistogramSnapshot } from './histogram.js';

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
  /** Watermark-only frames among them (BusOptions.idleWatermarkMs: trade frames of no rows). */
  watermarkFrames: number;
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
  /** Entries moved to a dead-letter stream (a malformed one included: its messages are not counted in deadLettered). */
  deadLetteredEntries: number;
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
  /** Trades a trade engine left out by the trade rule, by reason (ts, order, price, volume). */
  badTrades: Record<string, number>;
  /** Engine-specific counters (e.g. VPIN buckets and alerts), and its `levels`. */
  extra: Record<string, number>;
  /**
   * The fields of `extra` that are levels, not counts since start: what the engine holds now (symbols,
   * universes, portfolios, trades the merge holds back) or a maximum (the slowest onBar). Prometheus has
   * them as the gauge `kernelbus_engine_level`, the rest of `extra` as counters.
   */
  levels: Record<string, number>;
}

/** `bus.histograms()`: the fixed buckets of the bus's histograms, for Prometheus. */
export interface BusHistograms {
  /** Per bus: publish of a frame's oldest message to the start of its delivery, weighted by messages (ms). */
  deliveryLatencyMs: Record<string, HistogramBuckets>;
  /** Per bus: handing frames to the transport to its acknowledgement of storing them (ms). */
  publishLatencyMs: Record<string, HistogramBuckets>;
  /** Rows per trade frame. */
  batchSize: HistogramBuckets;
}
