/**
 * The gateway's /metrics: its bus's exposition (../ops/prometheus.ts: counters, delivery latency,
 * consumer-group lag where a source is given, build info, process metrics) and its own, read at scrape
 * time: `kernelbus_gateway_clients`, `kernelbus_gateway_messages_{received,sent,coalesced,dropped}_total`,
 * `kernelbus_gateway_frames_sent_total`, `kernelbus_gateway_slow_disconnects_total`,
 * `kernelbus_gateway_refused_total{reason}`, `kernelbus_gateway_bad_requests_total` and the histogram
 * `kernelbus_gateway_send_latency_seconds` (bus delivery to the client's socket accepting the frame).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Bus } from '../bus/bus.js';
import type { HistogramBuckets } from '../bus/histogram.js';
import { type GroupLag, histogramMetric, prometheusRegistry } from '../ops/prometheus.js';

/** Counters of a gateway (metrics()). */
export interface GatewayMetrics {
  clients: number;
  /** Messages received from the bus. */
  received: number;
  /** Messages written to clients (summed over clients). */
  sent: number;
  /** Frames written to clients. */
  frames: number;
  /** Messages merged into a newer one of the same (type, key) for a congested client. */
  coalesced: number;
  /** Messages lost with a client disconnected for being slow. */
  dropped: number;
  slowDisconnects: number;
  /** Connections refused: bad token, origin, too many clients. */
  refused: { token: number; origin: number; full: number };
  /** Requests answered with an error frame. */
  badRequests: number;
}

/** What gatewayRegistry() reads. */
export interface GatewaySources {
  bus: Bus;
  metrics: () => GatewayMetrics;
  sendLatency: () => HistogramBuckets;
  lag?: () => Promise<readonly GroupLag[]>;
  build?: { version: string; backend: string };
}

/** The registry served at the gateway's /metrics. */
export function gatewayRegistry(s: GatewaySources): Registry {
  const registry = prometheusRegistry({ bus: s.bus, lag: s.lag, build: s.build });
  const counter = (name: string, help: string, read: (m: GatewayMetrics) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read(s.metrics()));
      },
    });
  new Gauge({
    name: 'kernelbus_gateway_clients',
    help: 'WebSocket clients connected',
    registers: [registry],
    collect() {
      this.set(s.metrics().clients);
    },
  });
  counter('kernelbus_gateway_messages_received_total', 'Messages received from the bus', (m) => m.received);
  counter('kernelbus_gateway_messages_sent_total', 'Messages written to clients (summed over clients)', (m) => m.sent);
  counter('kernelbus_gateway_frames_sent_total', 'WebSocket frames of messages written to clients', (m) => m.frames);
  counter(
    'kernelbus_gateway_messages_coalesced_total',
    'Messages replaced by a newer one of the same type and key for a congested client',
    (m) => m.coalesced,
  );
  counter('kernelbus_gateway_messages_dropped_total', 'Queued messages lost with clients disconnected for being slow', (m) => m.dropped);
  counter('kernelbus_gateway_slow_disconnects_total', 'Clients disconnected for being slow (close code 4000)', (m) => m.slowDisconnects);
  counter('kernelbus_gateway_bad_requests_total', 'Client requests answered with an error frame', (m) => m.badRequests);
  new Counter({
    name: 'kernelbus_gateway_refused_total',
    help: 'WebSocket connections refused: bad token (401), origin (403), too many clients (503)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(s.metrics().refused)) this.inc({ reason }, n);
    },
  });
  registry.registerMetric(
    histogramMetric(
      'kernelbus_gateway_send_latency_seconds',
      "A message's delivery to the gateway to its client's socket accepting the frame, per message sent",
      () => [[{}, s.sendLatency()]],
      1e-3,
    ) as never,
  );
  return registry;
}
