/**
 * The counters of a RedisTransport: the transport owns one RedisCounters object and reports it in
 * metrics(); each part is handed it as a sink and declares the counters it adds to (a Pick of them).
 */
import type { TransportMetrics } from '../types.js';

/** Counters of a RedisTransport: TransportMetrics plus what Redis adds. */
export interface RedisTransportMetrics extends TransportMetrics {
  /** Groups recreated after Redis answered NOGROUP (it lost them, e.g. restarted empty): entries may have been lost. */
  groupsRecreated: number;
  /** Entries known to be lost: pending entries whose data was gone, published entries trimmed or lost before every group had them. */
  lostEntries: number;
  /** True once anything may have been lost (groupsRecreated, lostEntries or discarded > 0). */
  possibleLoss: boolean;
  /** Entries taken over from other consumers with XAUTOCLAIM. */
  claimed: number;
  /** Stream leases acquired (a consumer starting to read a stream for its group). */
  leases: number;
  /** Reconnections of the publishing connection. */
  reconnects: number;
  /** Publishes rejected with a TransportError. */
  publishErrors: number;
  /** Entries a retried publish repeated and the transport did not store again (see OutgoingEntry.producer). */
  deduplicated: number;
  /** Health checks that failed (PING unanswered or connection lost). */
  healthFailures: number;
  /** Publishes (script calls) that no replica confirmed within replicaTimeoutMs (durability 'replica'): failed, retryable. */
  unreplicated: number;
}

/** A counter a part of the transport adds to (the flags and the backlog are computed). */
export type Counter = Exclude<keyof RedisTransportMetrics, 'possibleLoss' | 'backlog'>;

/** The counters a transport owns and its parts add to. */
export type RedisCounters = Record<Counter, number>;

/** Counters at zero. */
export function newCounters(): RedisCounters {
  return {
    entries: 0,
    messages: 0,
    delivered: 0,
    acknowledged: 0,
    redelivered: 0,
    failed: 0,
    deadLettered: 0,
    deadLetteredEntries: 0,
    discarded: 0,
    groupsRecreated: 0,
    lostEntries: 0,
    claimed: 0,
    leases: 0,
    reconnects: 0,
    publishErrors: 0,
    deduplicated: 0,
    healthFailures: 0,
    unreplicated: 0,
  };
}
