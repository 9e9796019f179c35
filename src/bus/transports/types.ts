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
import type { FrameHead } from '../frames.js';

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
  /** `data`'s header as the transport parsed it (parseFrameHead(data)), when it did: the bus does not parse it again. */
  head?: FrameHead;
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
  /** Messages of the entries moved to a dead-letter stream whose frame decoded (a malformed entry's claimed count is not counted). */
  deadLettered: number;
  /** Entries moved to a dead-letter stream, decoded or not. */
  deadLetteredEntries: number;
  /** Entries left in a deleted group, or trimmed from a stream that had no group. */
  discarded: number;
  backlog: number;
  /**
   * True once entries may have been lost outside the transport's control (RedisTransport: a Redis that
   * restarted empty, entries trimmed or gone before every group had them); absent where that cannot happen.
   */
  possibleLoss?: boolean;
}

/**
 * What a transport can do beyond the contract above: what a bus and an engine ask instead of testing
 * which class a transport is.
 */
export interface TransportCapabilities {
  /**
   * publish() stores asynchronously, so a publish to a stream may fail after a later one succeeded: a
   * caller that keeps per-key order (the bus) sends one publish per stream at a time, and tags entries
   * with a producer and seq so that a retry is stored once. False when publish() stores at once, in
   * call order (in-process).
   */
  readonly serialPublish: boolean;
  /**
   * Entry ids are offsets in a log that outlives this process: a stream can be read back by id range,
   * and a group's progress (acknowledged, pending) is kept with it.
   */
  readonly durableOffsets: boolean;
  /**
   * A group's streams move between consumers by lease (across processes): holds() says which streams
   * this transport reads, and leaseCount moves whenever a consumer here starts reading one.
   */
  readonly leases: boolean;
  /** checkpointStore() keeps engine checkpoints next to the streams (it needs durableOffsets and leases). */
  readonly checkpoints: boolean;
  /**
   * Entries never leave this process: no other process reads them, and they are not kept beyond it. A
   * bus whose every transport says so writes message bodies in a form only this process reads (msgpack
   * records, frames.ts FLAG_LOCAL: faster to write and read). Absent: false.
   */
  readonly processLocal?: boolean;
}

/** What a transport that states no capabilities is taken to do: store asynchronously, nothing more. */
export const UNSTATED_CAPABILITIES: TransportCapabilities = Object.freeze({
  serialPublish: true,
  durableOffsets: false,
  leases: false,
  checkpoints: false,
});

/** The capabilities of `transport` (UNSTATED_CAPABILITIES when it states none). */
export function capabilitiesOf(transport: Transport): TransportCapabilities {
  return transport.capabilities ?? UNSTATED_CAPABILITIES;
}

/** Carries frames between publishers and consumer groups. */
export interface Transport {
  /** For messages and metrics, e.g. 'memory'. */
  readonly name: string;
  /**
   * What this transport can do (see TransportCapabilities; read it with capabilitiesOf()). A transport
   * that does not say is taken to store asynchronously and to offer nothing else (UNSTATED_CAPABILITIES).
   */
  readonly capabilities?: TransportCapabilities;
  /** False while the transport cannot accept entries (closed, disconnected): routers avoid it. */
  readonly healthy: boolean;
  /** Optional: where the entries live, for messages, without credentials (RedisTransport: `redis://host:port/db`). */
  readonly target?: string;
  /**
   * Optional: keeps `healthy` current by an active check (RedisTransport: a PING every healthIntervalMs)
   * until the returned function is called. A bus calls it when its routing consults health; a transport
   * that needs no check (in-process) does not implement it.
   */
  watchHealth?(): () => void;
  /**
   * Optional: whether the store takes a write now, within `timeoutMs` (RedisTransport: a small SET of a
   * key of its own): true, or why not (not connected, no reply in time, a refusal such as OOM, which a
   * PING does not see). For readiness checks; a transport that stores in process does not implement it.
   */
  probe?(timeoutMs: number): Promise<true | string>;
  /**
   * Optional: resolves once connected and every subscription made so far exists where the entries live
   * (RedisTransport: its group is in Redis); rejects when that takes longer than `timeoutMs`. A
   * transport that is ready at once (in-process) does not implement it.
   */
  ready?(timeoutMs?: number): Promise<void>;
  /**
   * Optional: resolves once every subscription made so far reads its stream (RedisTransport: holds its
   * lease, or another consumer of its group does). A transport that delivers at once (in-process) does
   * not implement it.
   */
  reading?(timeoutMs?: number): Promise<void>;
  /** Optional: whether a subscription of `group` here reads `stream` now (a transport whose streams move between consumers). */
  holds?(stream: string, group: string): boolean;
  /**
   * With capabilities.leases: stream leases acquired so far. It moves whenever a consumer here starts
   * reading a stream, which is when an engine must resume that stream from its checkpoint.
   */
  readonly leaseCount?: number;
  /**
   * With capabilities.checkpoints: a store for the checkpoints of consumer group `group` (an engine's)
   * next to the streams, on a connection of its own (close() it).
   */
  checkpointStore?(group: string): CheckpointStore;
  /**
   * Appends entries to a stream, in order, and resolves with their ids once they are stored. An entry
   * appended while the stream has no group awaits nobody (it settles at once) but is retained, up to
   * a bound (MAXLEN ~), for the first group created on the stream.
   */
  publish(stream: string, entries: readonly OutgoingEntry[]): Promise<string[]>;
  /**
   * Joins `consumer` to `group` on `stream` (creating the group), delivering entries to `handler`.
   * `options.startAfter` (transports with durableOffsets): where a group this call creates starts, the
   * entries after that id (`$`: only entries appended from now on); a group that exists keeps its
   * position. Default: the stream's first entry.
   */
  subscribe(
    stream: string,
    group: string,
    consumer: string,
    handler: EntryHandler,
    options?: TransportSubscribeOptions,
  ): TransportSubscription;
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

/** Options of Transport.subscribe(). */
export interface TransportSubscribeOptions {
  /** A new group starts after this entry id (`$`: at the stream's end). */
  startAfter?: string;
  /** With capabilities.leases: called with the stream each time this subscription takes its lease (starts reading it). */
  onLease?: (stream: string) => void;
}

/** The largest sequence number of an entry id. */
const MAX_SEQ = '18446744073709551615';

/**
 * The id a group starts after so that its first entry is the first at or after `from`: an entry id
 * (inclusive), a time in epoch ms (entries appended at or after it), or 'last' (only new entries).
 */
export function startAfterOf(from: { id: string } | { ts: number } | 'last'): string {
  if (from === 'last') return '$';
  if ('ts' in from) return from.ts <= 0 ? '0' : `${Math.floor(from.ts) - 1}-${MAX_SEQ}`;
  const [ms, seq] = from.id.split('-');
  if (seq === undefined || seq === '0') return Number(ms) <= 0 ? '0' : `${BigInt(ms) - 1n}-${MAX_SEQ}`;
  return `${ms}-${BigInt(seq) - 1n}`;
}

/**
 * A key's checkpointed state: the id of the last entry applied and the engine's bytes; with `deltas`
 * (an incremental checkpoint), the changes written since, oldest first (the last one's id is the key's).
 */
export interface KeyRecord {
  id: string;
  bytes: Uint8Array;
  deltas?: { id: string; bytes: Uint8Array }[];
}

/**
 * A key record to write: the whole state (`delta` undefined: it replaces the key's record and deletes
 * its first `drop` deltas), or change number `delta` (1, 2, ...) since the key's whole record.
 */
export interface RecordWrite {
  key: string;
  id: string;
  bytes: Uint8Array;
  delta?: number;
  drop?: number;
}

/** One stream's part of CheckpointStore.writeMany(): write()'s arguments. */
export interface StreamWrite {
  stream: string;
  maxId: string;
  holdBack: string | undefined;
  records: RecordWrite[];
}

/** What an engine needs to resume a stream: the records, the replay start and the group's position. */
export interface StreamCheckpoint {
  records: Map<string, KeyRecord>;
  /** Start of the replay: `-` (no checkpoint), `(<id>` (after id) or `<id>` (from id). */
  from: string;
  /** The group's last delivered id (the replay ends there); undefined when the group does not exist. */
  lastDelivered: string | undefined;
  /** Ids pending in the group: the transport delivers these, the replay skips them. */
  pending: Set<string>;
  /** The stream's first id ('' when empty): after `from`, entries before it were trimmed. */
  firstId: string;
}

/** An entry read back for a replay. */
export interface ReplayEntry {
  id: string;
  /** The entry's key. */
  key: string;
  /** The entry's message count (NaN when it is not a number). */
  count: number;
  data: Uint8Array;
}

/**
 * Engine checkpoints of one consumer group, kept by a transport next to the streams they describe
 * (Transport.checkpointStore(); the Redis layout is in docs/redis.md): per stream, a record per key
 * (the last entry id applied and the engine's state) and where a replay starts.
 */
export interface CheckpointStore {
  /** The consumer group whose checkpoints these are. */
  readonly group: string;
  /** Loads what resuming `stream` needs. */
  load(stream: string): Promise<StreamCheckpoint>;
  /** The entries of `stream` from `from` (a StreamCheckpoint.from) to `to` (inclusive), in order. */
  range(stream: string, from: string, to: string): AsyncIterable<ReplayEntry>;
  /**
   * Writes key records for `stream` and its replay start: after `maxId` (the highest id the engine has
   * applied), or earlier, at `holdBack` (the oldest entry that failed and has not been applied since)
   * or at the group's oldest pending entry, whichever comes first.
   */
  write(stream: string, maxId: string, holdBack: string | undefined, records: RecordWrite[]): Promise<void>;
  /**
   * write() of several streams at once, atomically (all stored or none): what an engine whose state is
   * one whole across its streams needs (Engine.wholeState). A store without it cannot checkpoint such an engine.
   */
  writeMany?(writes: readonly StreamWrite[]): Promise<void>;
  /**
   * The configuration stored with the group's checkpoints (see writeConfig()), or undefined when none
   * is (no checkpoint yet, or one from before configurations were stored).
   */
  loadConfig?(): Promise<string | undefined>;
  /** Stores the configuration that shapes the group's checkpointed state (JSON text). */
  writeConfig?(config: string): Promise<void>;
  /**
   * Forgets the group's checkpoint of `stream`: its records, and a replay start at the group's last
   * delivered entry (what was delivered is not applied again): a fresh state from the group's position.
   */
  reset?(stream: string): Promise<void>;
  /** Closes the store's connection. */
  close(): void;
}

/**
 * Whether entries a replay from `checkpoint` needs may have been trimmed: the entry at its start is
 * gone (the stream now begins after it). Reported as a possible loss.
 */
export function replayGap(checkpoint: StreamCheckpoint): boolean {
  const from = checkpoint.from === '-' ? undefined : checkpoint.from.startsWith('(') ? checkpoint.from.slice(1) : checkpoint.from;
  return from !== undefined && checkpoint.firstId !== '' && compareEntryIds(checkpoint.firstId, from) > 0;
}

/** Suffix of the stream that receives a stream's dead letters. */
export const DEAD_LETTER_SUFFIX = ':dlq';

/** The decimal number in `id` between `from` and `to` (digits only: ids are made by transports). */
function digits(id: string, from: number, to: number): number {
  let x = 0;
  for (let i = from; i < to; i++) x = x * 10 + (id.charCodeAt(i) - 48);
  return x;
}

/** Orders two entry ids `"<ms>-<seq>"` numerically: negative, 0 or positive (only the sign means anything). */
export function compareEntryIds(a: string, b: string): number {
  if (a === b) return 0;
  const da = a.indexOf('-');
  const db = b.indexOf('-');
  // digits as long on both sides (the usual case: ids of one period): the strings' order is the numbers'
  if (da === db && a.length === b.length) return a < b ? -1 : 1;
  const ms = digits(a, 0, da) - digits(b, 0, db);
  return ms !== 0 ? ms : digits(a, da + 1, a.length) - digits(b, db + 1, b.length);
}
