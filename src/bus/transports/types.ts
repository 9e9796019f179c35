/**
 * The transport interface: what a bus needs from whatever carries its frames. It is shaped after Redis
 * Streams so that the in-process transport and a Redis transport are interchangeable:
 *
 * | here                         | Redis Streams                                          |
 * |------------------------------|--------------------------------------------------------|
 * | stream `<bus>:<type>:<shard>`| one stream key per bus, type and shard                 |
 * | `publish(stream, entries)`   | pipelined XADD (MAXLEN ~ trimming), resolves with ids  |
 * | entry id `"<ms>-<seq>"`      | the XADD id, increasing within a stream                |
 * | `subscribe(stream, group, consumer, handler)` | XGROUP CREATE (MKSTREAM) + XREADGROUP loop |
 * | handler returns / resolves   | XACK                                                    |
 * | handler throws / consumer closes without ack | entry stays pending; XAUTOCLAIM hands it to another consumer |
 * | `maxDeliveries` exceeded, or a failure no retry cures (FrameError, KernelInputError) | XADD to `<stream>:dlq`, then XACK |
 * | `backlog()`                  | XINFO GROUPS lag + pending                              |
 *
 * Delivery is at least once: a handler may see an entry again (`deliveries > 1`); entry ids let it
 * skip what it already processed. Within a group, entries of one key are delivered one at a time and
 * in publish order, redeliveries included; while a key's entry waits for a retry, the other keys go on.
 * `deliveries` counts the times the entry was handed to a handler of the group.
 */

/** An entry to append: the frame bytes, its key and how many messages it holds. */
export interface OutgoingEntry {
  key: string;
  /** Messages in the frame (rows of a trade batch, else 1): the unit of backlog and backpressure. */
  count: number;
  /** The encoded frame. The transport may keep a reference: do not modify it after publishing. */
  data: Uint8Array;
  /**
   * With `seq`: who publishes the entry (unique among publishers, e.g. a random id per bus). A publish
   * that repeats entries of the same producer and seq, right after a call that may have stored them
   * (it failed ambiguously), stores them once (the Redis transport; the in-process one needs no such care).
   */
  producer?: string;
  /** The producer's number for this entry, the same on every attempt to publish it. */
  seq?: number;
}

/** An entry as delivered to a consumer. */
export interface Entry {
  /** `"<ms>-<seq>"`, increasing within its stream (compare with compareEntryIds). */
  id: string;
  stream: string;
  key: string;
  count: number;
  data: Uint8Array;
  /** 1 on first delivery to this group; more when redelivered (handed to a handler again). */
  deliveries: number;
}

/**
 * Handles one entry. Returning (or resolving) acknowledges it for the consumer's group; throwing (or
 * rejecting) leaves it pending, to be redelivered, preferably to another consumer of the group, unless
 * no retry can cure the failure (a FrameError or KernelInputError: see isPermanentFailure), which
 * dead-letters the entry at once.
 */
export type EntryHandler = (entry: Entry) => void | Promise<void>;

/** A consumer in a group. */
export interface TransportSubscription {
  /**
   * Leaves the group. Entries delivered to this consumer and not yet acknowledged are redelivered to
   * the group's other consumers (or to the next one that joins); a late acknowledgement is ignored.
   * With `deleteGroup`, a group left without consumers is deleted (XGROUP DESTROY): what it had not
   * acknowledged is counted as `discarded` and no longer awaited.
   */
  close(options?: { deleteGroup?: boolean }): Promise<void>;
  readonly closed: boolean;
}

/** Called when an entry no longer awaits any group: acknowledged by all of them, or dead-lettered. */
export type SettleListener = (stream: string, key: string, count: number) => void;

/** Counters of a transport, in messages (rows), summed over groups. */
export interface TransportMetrics {
  entries: number;
  messages: number;
  delivered: number;
  acknowledged: number;
  redelivered: number;
  failed: number;
  deadLettered: number;
  /** Entries left in a deleted group, or trimmed from a stream that had no group. */
  discarded: number;
  backlog: number;
  /**
   * True once entries may have been lost outside the transport's control (RedisTransport: a Redis that
   * restarted empty, entries trimmed or gone before every group had them); absent where that cannot happen.
   */
  possibleLoss?: boolean;
}

/** Carries frames between publishers and consumer groups. */
export interface Transport {
  /** For messages and metrics, e.g. 'memory'. */
  readonly name: string;
  /** False while the transport cannot accept entries (closed, disconnected): routers avoid it. */
  readonly healthy: boolean;
  /**
   * Optional: keeps `healthy` current by an active check (RedisTransport: a PING every healthIntervalMs)
   * until the returned function is called. A bus calls it when its routing consults health; a transport
   * that needs no check (in-process) does not implement it.
   */
  watchHealth?(): () => void;
  /**
   * Optional: resolves once every subscription made so far reads its stream (RedisTransport: holds its
   * lease, or another consumer of its group does). A transport that delivers at once (in-process) does
   * not implement it.
   */
  reading?(timeoutMs?: number): Promise<void>;
  /** Optional: whether a subscription of `group` here reads `stream` now (a transport whose streams move between consumers). */
  holds?(stream: string, group: string): boolean;
  /**
   * Appends entries to a stream, in order, and resolves with their ids once they are stored. An entry
   * appended while the stream has no group awaits nobody (it settles at once) but is retained, up to
   * a bound (MAXLEN ~), for the first group created on the stream.
   */
  publish(stream: string, entries: readonly OutgoingEntry[]): Promise<string[]>;
  /** Joins `consumer` to `group` on `stream` (creating the group), delivering entries to `handler`. */
  subscribe(stream: string, group: string, consumer: string, handler: EntryHandler): TransportSubscription;
  /**
   * Messages awaiting acknowledgement, summed over groups, on one stream or (without `stream`) on every
   * stream but dead-letter ones.
   */
  backlog(stream?: string): number;
  /** Registers a settle listener; returns a function that removes it. */
  onSettle(listener: SettleListener): () => void;
  /** Resolves once no entry is queued for, or in flight to, a group that has a consumer. */
  idle(): Promise<void>;
  metrics(): TransportMetrics;
  /** Stops accepting entries and detaches every consumer. */
  close(): Promise<void>;
}

/** Suffix of the stream that receives a stream's dead letters. */
export const DEAD_LETTER_SUFFIX = ':dlq';

/** The decimal number in `id` between `from` and `to` (digits only: ids are made by transports). */
function digits(id: string, from: number, to: number): number {
  let x = 0;
  for (let i = from; i < to; i++) x = x * 10 + (id.charCodeAt(i) - 48);
  return x;
}

/** Orders two entry ids `"<ms>-<seq>"` numerically: negative, 0 or positive. */
export function compareEntryIds(a: string, b: string): number {
  if (a === b) return 0;
  const da = a.indexOf('-');
  const db = b.indexOf('-');
  const ms = digits(a, 0, da) - digits(b, 0, db);
  return ms !== 0 ? ms : digits(a, da + 1, a.length) - digits(b, db + 1, b.length);
}
