/**
 * The gateway's stats frame, computed once a second for the clients that ask for it: per bus the
 * messages per second published through this process's bus and received by the gateway, and the
 * publish-to-delivery latency p50/p99 over the last interval; the gateway's own clients, counters and
 * send latency; and, where a source is given (Redis), every consumer group's lag.
 */
import type { HistogramBuckets } from '../bus/histogram.js';
import type { GroupLag } from '../ops/prometheus.js';

/**
 * The q-quantile (0..1) of the values counted between two readings of cumulative fixed buckets, as
 * Prometheus's histogram_quantile() computes it: linear interpolation inside the bucket that holds the
 * rank (from 0 in the first bucket; the highest finite bound when it falls in +Inf). NaN when empty.
 */
export function intervalQuantile(q: number, now: HistogramBuckets, before: HistogramBuckets | undefined): number {
  const total = now.count - (before?.count ?? 0);
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < now.bounds.length; i++) {
    const cumulative = now.cumulative[i] - (before?.cumulative[i] ?? 0);
    if (cumulative >= rank) {
      const lower = i === 0 ? 0 : now.bounds[i - 1];
      const inBucket = cumulative - below;
      return inBucket > 0 ? lower + (now.bounds[i] - lower) * ((rank - below) / inBucket) : now.bounds[i];
    }
    below = cumulative;
  }
  return now.bounds[now.bounds.length - 1];
}

/** One bus in a stats frame. */
export interface BusStats {
  /** Messages per second this process published on the bus over the interval (the demo's trades and results). */
  published: number;
  /** Messages per second the gateway received from the bus over the interval. */
  received: number;
  /** Publish-to-delivery latency over the interval (ms; NaN, sent as null, when nothing was delivered). */
  latencyMs: { p50: number; p99: number };
}

/** The gateway part of a stats frame. */
export interface GatewayStats {
  clients: number;
  /** Messages received from the bus since start. */
  received: number;
  /** Messages written to clients since start (summed over clients). */
  sent: number;
  coalesced: number;
  dropped: number;
  /** Clients disconnected for being too slow since start. */
  slowDisconnects: number;
  /** Bus delivery to the client's socket accepting the frame, over the interval (ms). */
  sendLatencyMs: { p50: number; p99: number };
}

/** The body of a stats frame. */
export interface StatsFrame {
  /** Epoch ms. */
  at: number;
  intervalMs: number;
  buses: Record<string, BusStats>;
  gateway: GatewayStats;
  /** Consumer groups (Redis), when the gateway has a source of them. */
  groups?: readonly GroupLag[];
}

/** What a Stats reads at each tick. */
export interface StatsSources {
  /** Messages published per bus since start. */
  published: () => Record<string, number>;
  /** Messages the gateway received per bus since start. */
  received: () => Record<string, number>;
  /** Cumulative delivery latency buckets per bus (ms). */
  latency: () => Record<string, HistogramBuckets>;
  /** Cumulative send latency buckets (ms). */
  sendLatency: () => HistogramBuckets;
  gateway: () => Omit<GatewayStats, 'sendLatencyMs'>;
  groups?: () => Promise<readonly GroupLag[]>;
}

/** Turns cumulative counters into per-interval rates and quantiles, one tick at a time. */
export class Stats {
  private last:
    | {
        at: number;
        published: Record<string, number>;
        received: Record<string, number>;
        latency: Record<string, HistogramBuckets>;
        send: HistogramBuckets;
      }
    | undefined;
  private groups: readonly GroupLag[] | undefined;
  private asking = false;

  constructor(private readonly sources: StatsSources) {
    this.last = this.reading();
  }

  private reading() {
    return {
      at: performance.now(),
      published: { ...this.sources.published() },
      received: { ...this.sources.received() },
      latency: this.sources.latency(),
      send: this.sources.sendLatency(),
    };
  }

  /** The stats since the previous tick (the groups are those of the last answered sweep: Redis is never waited for). */
  tick(): StatsFrame {
    const now = this.reading();
    const before = this.last!;
    this.last = now;
    const seconds = Math.max(1e-3, (now.at - before.at) / 1000);
    const buses: Record<string, BusStats> = {};
    const names = new Set([...Object.keys(now.published), ...Object.keys(now.received), ...Object.keys(now.latency)]);
    for (const bus of names) {
      const h = now.latency[bus];
      buses[bus] = {
        published: ((now.published[bus] ?? 0) - (before.published[bus] ?? 0)) / seconds,
        received: ((now.received[bus] ?? 0) - (before.received[bus] ?? 0)) / seconds,
        latencyMs: h
          ? { p50: intervalQuantile(0.5, h, before.latency[bus]), p99: intervalQuantile(0.99, h, before.latency[bus]) }
          : { p50: NaN, p99: NaN },
      };
    }
    const groups = this.sources.groups;
    if (groups && !this.asking) {
      this.asking = true;
      groups().then(
        (g) => {
          this.groups = g;
          this.asking = false;
        },
        () => {
          this.asking = false;
        },
      );
    }
    return {
      at: Date.now(),
      intervalMs: seconds * 1000,
      buses,
      gateway: {
        ...this.sources.gateway(),
        sendLatencyMs: { p50: intervalQuantile(0.5, now.send, before.send), p99: intervalQuantile(0.99, now.send, before.send) },
      },
      ...(this.groups ? { groups: this.groups } : {}),
    };
  }
}
