/**
 * The bus facade: `createBus()` gives the three named buses (marketdata, logic, compute) behind one
 * object. publish() -> batcher (columns per key) -> router (which bus) -> transport (streams, consumer
 * groups) -> subscribe() handlers, which receive decoded frames (trade columns view the frame bytes).
 * Transports are in-process by default; `transport: 'redis'` puts each bus on Redis Streams
 * (`kb:<bus>:<type>:<shard>`), one RedisTransport per bus, each bus on its own server if asked.
 */
import { randomBytes } from 'node:crypto';
import { KernelInputError } from '../errors.js';
import { describeValue } from '../kernels/validate.js';
import { requireTrades } from '../kernels/trades.js';
import { Batcher, type BatchFrame } from './batcher.js';
import { BackpressureError, BusClosedError, FrameError } from './errors.js';
import { decodeFrame, validateFrame } from './frames.js';
import {
  BUS_NAMES,
  DEFAULT_ROUTES,
  nowMs,
  shardOf,
  streamName,
  type BusMessage,
  type BusName,
  type Envelope,
  type Priority,
  type Trade,
  type TradeBatch,
} from './messages.js';
import { Histogram, type BusMetrics } from './metrics.js';
import { Router, type BusStats, type RoutingStrategy } from './router.js';
import { MemoryTransport } from './transports/memory.js';
import { FrameTooLargeError, RedisTransport, TransportError, type RedisTransportOptions } from './transports/redis/index.js';
import { capabilitiesOf, DEAD_LETTER_SUFFIX, type Entry, type OutgoingEntry, type Transport, type TransportSubscription } from './transports/types.js';

/**
 * Where a bus lives on Redis: a URL (`redis://[user:password@]host[:port][/db]`, `rediss://` for TLS),
 * or a primary and a secondary URL. A secondary becomes a bus of its own, `<bus>.secondary`, which
 * the `'failover'` routing uses while the primary is unhealthy (subscribers read both).
 */
export type RedisBusTarget = string | { primary: string; secondary: string };

/** Suffix of the bus that a `{ primary, secondary }` target adds for its secondary. */
export const SECONDARY_SUFFIX = '.secondary';

/** Options of createBus(). */
export interface BusOptions {
  /**
   * Bus names (default `['marketdata', 'logic', 'compute']`), or, with Redis, a map of bus name to
   * its server (RedisBusTarget): `{ marketdata: 'redis://10.0.0.1:6380', logic: ..., compute: ... }`.
   * A map implies `transport: 'redis'`; its keys are the buses.
   */
  buses?: readonly BusName[] | Readonly<Record<string, RedisBusTarget>>;
  /**
   * What carries buses that `transports` does not give: `'memory'` (in-process, the default) or
   * `'redis'` (a RedisTransport per bus, to `url` or to the bus's entry in a `buses` map).
   */
  transport?: 'memory' | 'redis';
  /** With `transport: 'redis'` and buses given by name: the server of every bus. Default `redis://127.0.0.1:6379`. */
  url?: string;
  /**
   * With `transport: 'redis'`: RedisTransport options for every bus the bus creates (prefix,
   * maxLenMessages, claimIdleMs, health check, ioredis options under `redis`, ...). The URL comes from
   * `url` or `buses`; the name defaults to `redis:<bus>`.
   */
  redis?: Omit<RedisTransportOptions, 'url'>;
  /**
   * The transport of each bus: a map (missing buses get one of `transport`'s kind) or a factory.
   * Transports passed in are not closed by `bus.close()`; those the bus creates are.
   */
  transports?: Partial<Record<BusName, Transport>> | ((bus: BusName) => Transport);
  /** type -> bus, merged over DEFAULT_ROUTES. Add user types here. */
  routes?: Readonly<Record<string, BusName>>;
  /** Default 'static'. */
  routing?: RoutingStrategy;
  /**
   * bus -> failover bus for 'failover'. Default: the bus's `<bus>.secondary` when its Redis target has
   * one, else the next bus in `buses`.
   */
  secondary?: Readonly<Record<string, BusName>>;
  /** Types whose messages are trades batched into columns. Default `['TRADE_EXECUTION']`. */
  columnarTypes?: readonly string[];
  /** Streams per bus and type; a key always maps to the same shard. Default 1. */
  shards?: number;
  /** Rows per trade frame at most. Default 1024. */
  maxBatch?: number;
  /** Extra wait before flushing, in ms; 0 (default) flushes at the end of the event-loop turn. */
  lingerMs?: number;
  /** Messages accepted and not yet acknowledged by every group, beyond which publish waits or rejects. Default 1,000,000. */
  maxQueue?: number;
  /** 'block' (default): publish() resolves once the queue is back under maxQueue. 'reject': it rejects with BackpressureError. */
  backpressure?: 'block' | 'reject';
  /**
   * Wait before retrying frames a transport refused (re-routed then). Default 50 ms. Frames refused
   * for good (a TransportError with `retryable: false`) are not retried: they are dropped, counted in
   * `metrics().undeliverable` and the error goes to onError.
   */
  retryMs?: number;
  /** How long a bus whose transport refused a publish counts as unhealthy to the router. Default 1000 ms. */
  cooldownMs?: number;
  /** Called with every error a handler throws (the delivery is then retried) and every undecodable frame. */
  onError?: (error: unknown, message: BusMessage | undefined) => void;
}

/** Options of bus.subscribe(). */
export interface SubscribeOptions {
  /**
   * Consumer group: each group receives every message once, shared between its consumers. Default: a
   * new group for this subscription alone, deleted when it closes.
   */
  group?: string;
  /** Consumer name within the group. Default: derived from the group. */
  consumer?: string;
  /** Subscribe to the type's dead-letter streams instead (entries that failed maxDeliveries times). */
  deadLetters?: boolean;
}

/** Receives messages; returning (or resolving) acknowledges, throwing (or rejecting) asks for redelivery. */
export type MessageHandler<P = unknown> = (message: BusMessage<P>) => void | Promise<void>;

/** A subscription of bus.subscribe(). */
export interface Subscription {
  readonly type: string;
  readonly group: string;
  readonly consumer: string;
  readonly closed: boolean;
  /** Leaves the group; unacknowledged messages go to the group's other consumers. */
  close(): Promise<void>;
}

interface Lane {
  name: BusName;
  transport: Transport;
  owned: boolean;
  frames: number;
  messages: number;
  publishErrors: number;
  /** Until this time (performance.now) the lane counts as unhealthy after a failed publish. */
  failedUntil: number;
  publishLatency: Histogram;
  p50: number;
  p50Count: number;
  /**
   * One publish in flight per stream (transports that store asynchronously, e.g. Redis): a later
   * publish cannot overtake one that fails, so per-key order holds across retries. The in-process
   * transport stores synchronously and needs no such wait.
   */
  serial: boolean;
}

/** A stream's publish in flight and the sends queued behind it (serial lanes). */
interface InFlight {
  queued: { seq: number; frames: BatchFrame[] }[];
}

function positiveInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new KernelInputError(name, `an integer >= ${min}`, describeValue(value));
  }
  return value;
}

function numberIn(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw new KernelInputError(name, `a number in [${min}, ${max}]`, describeValue(value));
  }
  return value;
}

/** The bus names, the default failover table and how to create a missing transport, from the options. */
function planBuses(options: BusOptions): { names: BusName[]; secondary: Record<string, BusName>; create: (bus: BusName) => Transport } {
  const { buses, transport, url, redis } = options;
  const isMap = typeof buses === 'object' && buses !== null && !Array.isArray(buses);
  const kind = transport ?? (isMap ? 'redis' : 'memory');
  if (kind !== 'memory' && kind !== 'redis') throw new KernelInputError('options.transport', "'memory' or 'redis'", describeValue(transport));
  const validName = (b: unknown) => typeof b === 'string' && b.length > 0 && !b.includes(':');
  if (!isMap) {
    const list = buses ?? BUS_NAMES;
    if (!Array.isArray(list) || list.length === 0 || !list.every(validName)) {
      throw new KernelInputError('options.buses', 'a non-empty array of names without ":"', describeValue(list));
    }
  }
  if (kind === 'memory') {
    if (isMap) throw new KernelInputError('options.transport', "'redis' (options.buses maps buses to Redis URLs)", "'memory'");
    for (const name of ['url', 'redis'] as const) {
      if (options[name] !== undefined) throw new KernelInputError(`options.${name}`, "nothing unless options.transport is 'redis'", describeValue(options[name]));
    }
    return { names: [...(buses as readonly BusName[] | undefined ?? BUS_NAMES)], secondary: {}, create: () => new MemoryTransport() };
  }
  if (typeof options.transports === 'function') {
    throw new KernelInputError('options.transports', "a map of bus to transport when options.transport is 'redis'", 'a function');
  }
  if (redis !== undefined && (typeof redis !== 'object' || redis === null)) throw new KernelInputError('options.redis', 'an object of RedisTransport options', describeValue(redis));
  // Credentials may be in a URL: never echo one.
  const hidden = 'a value (not shown: it may hold credentials)';
  const targets = new Map<BusName, string>();
  const secondary: Record<string, BusName> = {};
  if (isMap) {
    if (url !== undefined) throw new KernelInputError('options.url', 'nothing when options.buses maps each bus to its URL', hidden);
    const entries = Object.entries(buses as Readonly<Record<string, RedisBusTarget>>);
    if (entries.length === 0) throw new KernelInputError('options.buses', 'at least one bus', 'an empty map');
    const primaries: BusName[] = [];
    const secondaries: BusName[] = [];
    for (const [name, target] of entries) {
      if (!validName(name)) throw new KernelInputError('options.buses', 'bus names without ":"', JSON.stringify(name));
      if (typeof target === 'string') {
        targets.set(name, target);
      } else if (typeof target === 'object' && target !== null && typeof target.primary === 'string' && typeof target.secondary === 'string') {
        targets.set(name, target.primary);
        const second = name + SECONDARY_SUFFIX;
        if (Object.hasOwn(buses as object, second)) throw new KernelInputError(`options.buses.${name}`, `a secondary whose bus name ${second} is free`, `bus ${second} defined too`);
        targets.set(second, target.secondary);
        secondary[name] = second;
        secondary[second] = name;
        secondaries.push(second);
      } else {
        throw new KernelInputError(`options.buses.${name}`, 'a redis:// URL or { primary, secondary } URLs', typeof target === 'object' ? hidden : describeValue(target));
      }
      primaries.push(name);
    }
    // Buses without a secondary fail over to the next primary, as with a list of names.
    primaries.forEach((name, i) => {
      secondary[name] ??= primaries[(i + 1) % primaries.length];
    });
    const names = [...primaries, ...secondaries];
    return { names, secondary, create: (bus) => new RedisTransport({ name: `redis:${bus}`, ...redis, url: targets.get(bus) }) };
  }
  if (url !== undefined && typeof url !== 'string') throw new KernelInputError('options.url', 'a redis:// or rediss:// URL string', describeValue(url));
  return {
    names: [...((buses as readonly BusName[] | undefined) ?? BUS_NAMES)],
    secondary: {},
    create: (bus) => new RedisTransport({ name: `redis:${bus}`, ...redis, url }),
  };
}

const RESOLVED = Promise.resolve();

/** The bus system. Create it with createBus(). */
export class Bus {
  /** Bus names, in order. */
  readonly buses: readonly BusName[];
  /** The routing strategy and table in use. */
  readonly router: Router;
  private readonly lanes = new Map<BusName, Lane>();
  private readonly batcher: Batcher;
  private readonly columnar: Set<string>;
  /** Identifies this bus as the producer of its entries (OutgoingEntry.producer). */
  private readonly producer = randomBytes(8).toString('hex');
  /** The seq of each frame handed to a serial transport: a retry sends the very frame with the same seq (stored once). */
  private readonly seqs = new WeakMap<BatchFrame, number>();
  private nextSeq = 0;
  private readonly routable = new Set<string>();
  private readonly shards: number;
  private readonly maxQueue: number;
  private readonly blocking: boolean;
  private readonly retryMs: number;
  private readonly cooldownMs: number;
  private readonly onError: BusOptions['onError'];
  /** stream -> its lane and type (for settle events). */
  private readonly streamLanes = new Map<string, { lane: Lane; type: string }>();
  /** bus -> type -> stream names by shard. */
  private readonly streamNames = new Map<BusName, Map<string, string[]>>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly stopListening: (() => void)[] = [];
  private readonly publishing = new Set<Promise<unknown>>();
  /** The stream whose publish just ended: its held rows flush now, behind what queued (see held()). */
  private releasing: string | undefined;
  /** Streams of serial lanes with a publish in flight. */
  private readonly inFlight = new Map<string, InFlight>();
  /** Frames a transport refused, with the sequence number of their send, waiting for a retry (later frames queue behind them). */
  private retryFrames: { seq: number; frames: BatchFrame[] }[] = [];
  /** Sequence number of the last send (and of frames queued behind a retry). */
  private sendSeq = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryPending = 0;
  /** Messages handed to transports and not yet settled. */
  private unsettled = 0;
  private waiters: (() => void)[] = [];
  private closing = false;
  private closed: Promise<void> | undefined;
  private subscriptionCount = 0;
  private readonly counters = {
    published: 0, rejected: 0, undeliverable: 0, frames: 0, delivered: 0, acknowledged: 0, redelivered: 0, failed: 0, copies: 0, maxQueueDepth: 0,
  };
  private readonly batchSize = new Histogram(1);
  private readonly latency = new Histogram(0.001);

  /** Use createBus(). */
  constructor(options: BusOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new KernelInputError('options', 'an object', describeValue(options));
    const plan = planBuses(options);
    const buses = plan.names;
    this.buses = buses;
    this.shards = positiveInteger(options.shards ?? 1, 'options.shards', 1);
    const maxBatch = positiveInteger(options.maxBatch ?? 1024, 'options.maxBatch', 1);
    const lingerMs = numberIn(options.lingerMs ?? 0, 'options.lingerMs', 0, 60_000);
    this.maxQueue = positiveInteger(options.maxQueue ?? 1_000_000, 'options.maxQueue', 1);
    const mode = options.backpressure ?? 'block';
    if (mode !== 'block' && mode !== 'reject') throw new KernelInputError('options.backpressure', "'block' or 'reject'", describeValue(mode));
    this.blocking = mode === 'block';
    this.retryMs = numberIn(options.retryMs ?? 50, 'options.retryMs', 0, 3_600_000);
    this.cooldownMs = numberIn(options.cooldownMs ?? 1000, 'options.cooldownMs', 0, 3_600_000);
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new KernelInputError('options.onError', 'a function', describeValue(options.onError));
    }
    this.onError = options.onError;
    const routes: Record<string, BusName> = {};
    for (const [type, bus] of Object.entries(DEFAULT_ROUTES)) if (buses.includes(bus)) routes[type] = bus;
    Object.assign(routes, options.routes);
    const secondary = Object.keys(plan.secondary).length > 0 ? { ...plan.secondary, ...options.secondary } : options.secondary;
    this.router = new Router({ strategy: options.routing ?? 'static', buses: this.buses, routes, secondary });
    this.columnar = new Set(options.columnarTypes ?? ['TRADE_EXECUTION']);
    for (const type of this.columnar) this.router.home(type);
    // Transports last, once every option has been checked; if one fails to construct, close the others.
    const created: Transport[] = [];
    try {
      for (const name of this.buses) {
        const given = typeof options.transports === 'function' ? options.transports(name) : options.transports?.[name];
        const transport = given ?? plan.create(name);
        if (given === undefined) created.push(transport);
        const lane: Lane = {
          name, transport, owned: given === undefined || typeof options.transports === 'function',
          frames: 0, messages: 0, publishErrors: 0, failedUntil: 0, publishLatency: new Histogram(0.001), p50: 0, p50Count: 0,
          serial: capabilitiesOf(transport).serialPublish,
        };
        this.lanes.set(name, lane);
        this.stopListening.push(lane.transport.onSettle((stream, key, count) => this.onSettle(stream, key, count)));
        // Routing that consults health needs it current (a Redis transport then PINGs; otherwise it does not).
        const unwatch = this.router.strategy === 'static' ? undefined : transport.watchHealth?.();
        if (unwatch) this.stopListening.push(unwatch);
      }
    } catch (error) {
      for (const t of created) void t.close();
      throw error;
    }
    this.batcher = new Batcher({ maxBatch, lingerMs }, (frames) => this.dispatch(frames), (type, key) => this.held(type, key));
  }

  /** Messages accepted and not yet acknowledged by every group (what maxQueue bounds). */
  get depth(): number {
    return this.batcher.pending + this.unsettled + this.retryPending;
  }

  /** The transport carrying `bus`. */
  transport(bus: BusName): Transport {
    return this.lane(bus).transport;
  }

  private lane(bus: BusName): Lane {
    const lane = this.lanes.get(bus);
    if (!lane) throw new KernelInputError('bus', `one of ${this.buses.join(', ')}`, describeValue(bus));
    return lane;
  }

  private checkType(type: string): void {
    if (this.routable.has(type)) return;
    if (typeof type !== 'string' || type.length === 0) throw new KernelInputError('type', 'a non-empty string', describeValue(type));
    this.router.home(type);
    this.routable.add(type);
  }

  /**
   * Publishes a message. On a columnar type (TRADE_EXECUTION by default) `message` is one trade
   * `{ key, ts, price, volume }` or a batch `{ key, ts, price, volume }` of Float64Arrays; on any other
   * type it is an envelope `{ key, ts?, payload, priority? }`. Resolves once accepted; past maxQueue it
   * waits for room ('block', the message is held meanwhile) or rejects with BackpressureError
   * ('reject', the message is not taken). Bad input throws KernelInputError naming the field.
   */
  publish(type: string, message: Trade | TradeBatch | Envelope): Promise<void> {
    if (this.closing) return Promise.reject(new BusClosedError('bus'));
    if (!this.blocking && this.depth >= this.maxQueue) return this.refuse();
    let count: number;
    try {
      count = this.take(type, message);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.accepted(count);
  }

  /**
   * publish() without a promise, for producers of single messages at millions per second (an `await`
   * per message costs about as much as the publish itself). Takes the message and returns true while
   * the queue is within maxQueue; false once it is past it ('block': the message is taken, wait for
   * `room()` before the next), like a stream's `write()`. Throws what publish() would reject with:
   * KernelInputError on bad input, BusClosedError, BackpressureError ('reject', the message not taken).
   */
  publishSync(type: string, message: Trade | TradeBatch | Envelope): boolean {
    if (this.closing) throw new BusClosedError('bus');
    if (!this.blocking && this.depth >= this.maxQueue) {
      this.counters.rejected++;
      throw new BackpressureError(this.depth, this.maxQueue);
    }
    this.count(this.take(type, message));
    return this.depth <= this.maxQueue;
  }

  /** Resolves once the queue is within maxQueue (at once if it is): what publishSync()'s false asks for. */
  room(): Promise<void> {
    if (this.depth <= this.maxQueue || this.closing) return RESOLVED;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Validates a message and hands it to the batcher; returns the message count. */
  private take(type: string, message: Trade | TradeBatch | Envelope): number {
    return this.columnar.has(type) ? this.addTrades(type, message as Trade | TradeBatch) : this.addEnvelope(type, message as Envelope);
  }

  /** Checks the common fields of a published message and returns its priority. */
  private static priorityOf(message: { priority?: unknown }): Priority | undefined {
    if (typeof message !== 'object' || message === null) throw new KernelInputError('message', 'an object', describeValue(message));
    const priority = message.priority;
    if (priority !== undefined && priority !== 'normal' && priority !== 'high') {
      throw new KernelInputError('message.priority', "'normal' or 'high'", describeValue(priority));
    }
    return priority;
  }

  /** Adds one trade or a batch of a columnar type to the batcher; returns the message count. */
  private addTrades(type: string, trade: Trade | TradeBatch): number {
    const priority = Bus.priorityOf(trade);
    if (typeof trade.key !== 'string') throw new KernelInputError('message.key', 'a string', describeValue(trade.key));
    if (typeof trade.ts === 'number') {
      const { price, volume } = trade as Trade;
      if (typeof price !== 'number') throw new KernelInputError('message.price', 'a number', describeValue(price));
      if (typeof volume !== 'number') throw new KernelInputError('message.volume', 'a number', describeValue(volume));
      this.batcher.addTrade(type, trade.key, trade.ts, price, volume, priority);
      return 1;
    }
    const batch = trade as TradeBatch;
    requireTrades(batch, 'message');
    this.batcher.addRows(type, batch.key, batch.ts, batch.price, batch.volume, priority);
    return batch.ts.length;
  }

  /** Adds a message of a non-columnar type to the batcher; returns 1. */
  private addEnvelope(type: string, envelope: Envelope): number {
    const priority = Bus.priorityOf(envelope);
    this.checkType(type);
    if (typeof envelope.key !== 'string') throw new KernelInputError('message.key', 'a string', describeValue(envelope.key));
    const ts = envelope.ts ?? Date.now();
    if (typeof ts !== 'number') throw new KernelInputError('message.ts', 'a number (epoch ms)', describeValue(ts));
    this.batcher.addMessage(type, envelope.key, ts, envelope.payload, priority);
    return 1;
  }

  /**
   * Publishes an encoded frame as is (e.g. received from another process): it is validated (FrameError
   * when malformed) and routed by its header's type and key. The bus keeps a reference to `bytes`.
   */
  publishFrame(bytes: Uint8Array): Promise<void> {
    if (this.closing) return Promise.reject(new BusClosedError('bus'));
    if (!this.blocking && this.depth >= this.maxQueue) return this.refuse();
    let count: number;
    try {
      const header = validateFrame(bytes);
      this.checkType(header.type);
      count = header.count;
      this.batcher.addFrame({ type: header.type, key: header.key, count, data: bytes }, header.priority);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.accepted(count);
  }

  private refuse(): Promise<void> {
    this.counters.rejected++;
    return Promise.reject(new BackpressureError(this.depth, this.maxQueue));
  }

  private accepted(count: number): Promise<void> {
    this.count(count);
    return this.room();
  }

  private count(accepted: number): void {
    this.counters.published += accepted;
    const depth = this.depth;
    if (depth > this.counters.maxQueueDepth) this.counters.maxQueueDepth = depth;
  }

  /**
   * The streams that carry `type` on `bus`, one per shard: `"<bus>:<type>:<shard>"` (a Redis transport
   * prefixes them: `kb:<bus>:<type>:<shard>`).
   */
  streams(bus: BusName, type: string): readonly string[] {
    this.lane(bus);
    this.checkType(type);
    return this.streamsOf(bus, type);
  }

  /** The streams of (bus, type), one per shard: `"<bus>:<type>:<shard>"`. */
  private streamsOf(bus: BusName, type: string): string[] {
    let byType = this.streamNames.get(bus);
    if (!byType) {
      byType = new Map();
      this.streamNames.set(bus, byType);
    }
    let names = byType.get(type);
    if (!names) {
      names = Array.from({ length: this.shards }, (_, shard) => streamName(bus, type, shard));
      byType.set(type, names);
      for (const name of names) this.streamLanes.set(name, { lane: this.lane(bus), type });
    }
    return names;
  }

  private streamName(bus: BusName, type: string, key: string): string {
    return this.streamsOf(bus, type)[this.shards === 1 ? 0 : shardOf(key, this.shards)];
  }

  private stats = (bus: BusName): BusStats => {
    const lane = this.lane(bus);
    if (lane.publishLatency.count !== lane.p50Count) {
      lane.p50Count = lane.publishLatency.count;
      lane.p50 = lane.publishLatency.percentile(50);
    }
    return {
      healthy: lane.transport.healthy && performance.now() >= lane.failedUntil,
      backlog: lane.transport.backlog(),
      p50: lane.p50,
    };
  };

  /** Routes frames and hands them to transports, one publish call per stream, in order. */
  private dispatch(frames: BatchFrame[]): void {
    if (this.retryFrames.length > 0) {
      this.retryFrames.push({ seq: ++this.sendSeq, frames });
      for (const f of frames) this.retryPending += f.count;
      return;
    }
    const byStream = new Map<string, { lane: Lane; frames: BatchFrame[] }>();
    for (const f of frames) {
      const bus = this.router.route(f.type, f.key, this.stats);
      const stream = this.streamName(bus, f.type, f.key);
      let group = byStream.get(stream);
      if (!group) {
        group = { lane: this.lane(bus), frames: [] };
        byStream.set(stream, group);
      }
      group.frames.push(f);
      this.router.sent(f.type, f.key, bus, f.count);
      this.unsettled += f.count;
      this.counters.frames++;
      group.lane.frames++;
      group.lane.messages += f.count;
      if (this.columnar.has(f.type)) this.batchSize.record(f.count);
    }
    for (const [stream, { lane, frames: batch }] of byStream) this.send(lane, stream, batch);
  }

  private send(lane: Lane, stream: string, frames: BatchFrame[]): void {
    const seq = ++this.sendSeq;
    const busy = this.inFlight.get(stream);
    if (busy) busy.queued.push({ seq, frames });
    else this.publishNow(lane, stream, [{ seq, frames }]);
  }

  private publishNow(lane: Lane, stream: string, sends: { seq: number; frames: BatchFrame[] }[]): void {
    // Sends that queued behind a publish in flight go as one.
    const frames = sends.length === 1 ? sends[0].frames : sends.flatMap((x) => x.frames);
    const entries: OutgoingEntry[] = frames.map((f) => {
      if (!lane.serial) return { key: f.key, count: f.count, data: f.data };
      let seq = this.seqs.get(f);
      if (seq === undefined) this.seqs.set(f, (seq = ++this.nextSeq));
      return { key: f.key, count: f.count, data: f.data, producer: this.producer, seq };
    });
    const flight: InFlight | undefined = lane.serial ? { queued: [] } : undefined;
    if (flight) this.inFlight.set(stream, flight);
    const started = performance.now();
    let promise: Promise<unknown>;
    try {
      promise = lane.transport.publish(stream, entries);
    } catch (error) {
      promise = Promise.reject(error);
    }
    const tracked = promise.then(
      () => {
        lane.publishLatency.record(performance.now() - started);
        if (!flight) return;
        // The rows held back meanwhile (see held()) join what queued behind this publish, as one publish.
        this.releasing = stream;
        this.batcher.flushHeld();
        this.releasing = undefined;
        this.inFlight.delete(stream);
        if (flight.queued.length > 0) this.publishNow(lane, stream, flight.queued);
      },
      (error: unknown) => {
        if (flight) this.inFlight.delete(stream);
        this.refused(lane, error);
        // A refusal for good drops the frames it concerns (all of them, or those over a size limit).
        const permanent = error instanceof TransportError && !error.retryable;
        const bad = (f: BatchFrame) => permanent && (!(error instanceof FrameTooLargeError) || f.data.byteLength > error.limit);
        // The frames as sent (a retry after an ambiguous failure must store the same frames, which
        // engines recognise as stored twice), then what waited behind them, in order.
        for (const x of [{ seq: sends[0].seq, frames }, ...(flight?.queued ?? [])]) {
          const [dropped, retried] = x.frames.some(bad) ? partition(x.frames, bad) : [[], x.frames];
          if (dropped.length > 0) this.drop(lane, dropped);
          if (retried.length > 0) this.requeue(lane, x.seq, retried);
        }
        if (flight) this.batcher.flushHeld(); // held rows, behind what waits for the retry
      },
    );
    this.publishing.add(tracked);
    void tracked.finally(() => this.publishing.delete(tracked));
  }

  /**
   * The batcher's hold rule: a key whose stream has a publish in flight keeps its trade rows open at
   * the end of the turn; they flush when the publish ends, as one frame rather than many small ones.
   */
  private held(type: string, key: string): boolean {
    if (this.inFlight.size === 0) return false;
    const stream = this.streamName(this.router.route(type, key, this.stats), type, key);
    return stream !== this.releasing && this.inFlight.has(stream);
  }

  /** A transport refused a publish: the lane counts as unhealthy for cooldownMs. */
  private refused(lane: Lane, error: unknown): void {
    lane.publishErrors++;
    lane.failedUntil = performance.now() + this.cooldownMs;
    this.onError?.(error, undefined);
  }

  /** Frames a transport refused for good: counted as undeliverable, no longer in the depth. */
  private drop(lane: Lane, frames: BatchFrame[]): void {
    let count = 0;
    for (const f of frames) {
      this.router.settled(f.type, f.key, lane.name, f.count);
      count += f.count;
    }
    this.counters.undeliverable += count;
    this.unsettled -= count;
    this.wakeWaiters();
  }

  /**
   * Frames a transport refused (or that waited behind a refused publish) wait for a retry (re-routed
   * then, in the order they were first sent), counted in the depth meanwhile.
   */
  private requeue(lane: Lane, seq: number, frames: BatchFrame[]): void {
    for (const f of frames) {
      this.router.settled(f.type, f.key, lane.name, f.count);
      this.unsettled -= f.count;
      this.retryPending += f.count;
    }
    this.retryFrames.push({ seq, frames });
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      const retry = this.retryFrames.sort((a, b) => a.seq - b.seq).flatMap((r) => r.frames);
      this.retryFrames = [];
      this.retryPending = 0;
      this.dispatch(retry);
    }, this.retryMs);
  }

  private onSettle(stream: string, key: string, count: number): void {
    const info = this.streamLanes.get(stream);
    if (!info) return;
    this.router.settled(info.type, key, info.lane.name, count);
    this.unsettled -= count;
    this.wakeWaiters();
  }

  /** Resolves the publishers waiting for room once the depth is back under maxQueue. */
  private wakeWaiters(): void {
    if (this.waiters.length > 0 && this.depth <= this.maxQueue) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /**
   * Subscribes to a type on every bus it may be routed to (and every shard). Handlers receive decoded
   * messages; a trade batch's payload is `{ ts, price, volume }` viewing the frame bytes. At least once:
   * use `message.id` (per stream) to skip redeliveries already processed.
   */
  subscribe<P = unknown>(type: string, handler: MessageHandler<P>, options: SubscribeOptions = {}): Subscription {
    if (this.closing) throw new BusClosedError('bus');
    this.checkType(type);
    if (typeof handler !== 'function') throw new KernelInputError('handler', 'a function', describeValue(handler));
    const n = ++this.subscriptionCount;
    const { group = `${type}.auto-${n}`, consumer = `${group}.consumer-${n}`, deadLetters = false } = options;
    if (typeof group !== 'string' || group.length === 0) throw new KernelInputError('options.group', 'a non-empty string', describeValue(group));
    if (typeof consumer !== 'string' || consumer.length === 0) throw new KernelInputError('options.consumer', 'a non-empty string', describeValue(consumer));
    const parts: TransportSubscription[] = [];
    for (const bus of this.router.candidates(type)) {
      for (const stream of this.streamsOf(bus, type)) {
        const name = deadLetters ? stream + DEAD_LETTER_SUFFIX : stream;
        parts.push(this.lane(bus).transport.subscribe(name, group, consumer, (entry) => this.deliver(bus, deadLetters ? undefined : type, entry, handler as MessageHandler)));
      }
    }
    let closed = false;
    const subscriptions = this.subscriptions;
    const subscription: Subscription = {
      type, group, consumer,
      get closed() {
        return closed;
      },
      async close() {
        if (closed) return;
        closed = true;
        subscriptions.delete(subscription);
        await Promise.all(parts.map((p) => p.close({ deleteGroup: options.group === undefined })));
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Counts a frame whose columns were copied (unaligned bytes read as Float64Arrays: see FrameTrades). */
  private readonly countCopy = (): void => {
    this.counters.copies++;
  };

  /**
   * Decodes an entry of a stream of `type`, calls the handler and counts the outcome (rethrowing failures
   * for redelivery). A frame that does not belong where it came in (another type than the stream's, a
   * message frame on a columnar type or trades on another, another key than the entry's) is malformed:
   * FrameError, which the transport dead-letters at once. Dead letters (`type` undefined) are not checked.
   */
  private deliver(bus: BusName, type: string | undefined, entry: Entry, handler: MessageHandler): void | Promise<void> {
    let message: BusMessage;
    try {
      const frame = decodeFrame(entry.data, this.countCopy);
      const misplaced = type === undefined ? undefined : this.misplaced(frame.type, frame.kind, frame.key, type, entry.key);
      if (misplaced) throw new FrameError(misplaced);
      const trades = frame.kind === 'trades';
      message = {
        id: entry.id, bus, stream: entry.stream, type: frame.type, key: frame.key,
        ts: trades ? frame.lastTs : frame.ts,
        payload: trades ? frame.columns : frame.payload,
        priority: frame.priority, count: frame.count, sentAt: frame.sentAt, deliveries: entry.deliveries,
      };
    } catch (error) {
      this.counters.failed += entry.count;
      this.onError?.(error, undefined);
      throw error;
    }
    const count = message.count;
    this.counters.delivered += count;
    if (entry.deliveries > 1) this.counters.redelivered += count;
    this.latency.record(nowMs() - message.sentAt, count);
    let result: void | Promise<void>;
    try {
      result = handler(message);
    } catch (error) {
      return this.handlerFailed(error, message);
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      return (result as Promise<void>).then(
        () => {
          this.counters.acknowledged += count;
        },
        (error: unknown) => this.handlerFailed(error, message),
      );
    }
    this.counters.acknowledged += count;
  }

  /**
   * Why a frame (its type, kind and key) does not belong on a stream of `type` in an entry of `key`, or
   * undefined when it does.
   */
  private misplaced(frameType: string, kind: 'trades' | 'message', frameKey: string, type: string, key: string): string | undefined {
    if (frameType !== type) return `type ${JSON.stringify(frameType)} on a stream of ${JSON.stringify(type)}`;
    const columnar = this.columnar.has(type);
    if (columnar !== (kind === 'trades')) return `a ${kind} frame on a stream of ${JSON.stringify(type)}, whose messages are ${columnar ? 'trades' : 'not trades'}`;
    if (frameKey !== key) return `key ${JSON.stringify(frameKey)} in an entry of key ${JSON.stringify(key)}`;
    return undefined;
  }

  /** Counts a failed delivery, reports it and rethrows it (the transport then redelivers). */
  private handlerFailed(error: unknown, message: BusMessage): never {
    this.counters.failed += message.count;
    this.onError?.(error, message);
    throw error;
  }

  /** Messages awaiting acknowledgement on a type's streams (all buses it may use), or on every bus. */
  backlog(type?: string): number {
    let total = 0;
    if (type === undefined) {
      for (const lane of this.lanes.values()) total += lane.transport.backlog();
      return total;
    }
    this.checkType(type);
    for (const bus of this.router.candidates(type)) {
      for (const stream of this.streamsOf(bus, type)) total += this.lane(bus).transport.backlog(stream);
    }
    return total;
  }

  /**
   * Hands everything pending in the batcher to the transports and resolves once they stored it (or
   * refused it: refused frames wait for a retry, see drain()). Messages published meanwhile are not
   * waited for, so a busy bus cannot keep it waiting.
   */
  async flush(): Promise<void> {
    this.batcher.flush();
    // The publishes in flight now, then those they release: sends queued behind them (serial lanes).
    for (let round = 0; round < 2 && this.publishing.size > 0; round++) await Promise.allSettled([...this.publishing]);
  }

  /**
   * Resolves once everything published so far (and everything handlers publish meanwhile) has been
   * delivered and acknowledged by every group that has a consumer. Frames a transport refused are
   * retried until it takes them (unless refused for good: see `retryMs`).
   */
  async drain(): Promise<void> {
    for (;;) {
      await this.flush();
      await Promise.all([...this.lanes.values()].map((lane) => lane.transport.idle()));
      if (this.retryFrames.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, this.retryMs));
        continue;
      }
      if (this.batcher.pending === 0 && this.publishing.size === 0) return;
    }
  }

  /**
   * Stops accepting messages, drains (see drain()), closes every subscription and the transports the
   * bus created. Nothing accepted is lost.
   */
  close(): Promise<void> {
    this.closing = true;
    this.closed ??= (async () => {
      await this.drain();
      await Promise.all([...this.subscriptions].map((s) => s.close()));
      for (const stop of this.stopListening) stop();
      for (const lane of this.lanes.values()) if (lane.owned) await lane.transport.close();
    })();
    return this.closed;
  }

  /** Counters, depth and latency histograms (see BusMetrics). */
  metrics(): BusMetrics {
    const buses: BusMetrics['buses'] = {};
    let deadLettered = 0;
    for (const lane of this.lanes.values()) {
      const t = lane.transport.metrics();
      deadLettered += t.deadLettered;
      buses[lane.name] = {
        frames: lane.frames, messages: lane.messages, backlog: t.backlog, healthy: this.stats(lane.name).healthy,
        possibleLoss: t.possibleLoss === true, publishErrors: lane.publishErrors, publishLatencyMs: lane.publishLatency.snapshot(),
      };
    }
    const possibleLoss = Object.values(buses).some((b) => b.possibleLoss);
    return {
      ...this.counters, deadLettered, possibleLoss, queueDepth: this.depth, waiting: this.waiters.length,
      batchSize: this.batchSize.snapshot(), latencyMs: this.latency.snapshot(), buses,
    };
  }
}

/** Creates a bus system (in-process memory transports unless others are given). See BusOptions. */
export function createBus(options: BusOptions = {}): Bus {
  return new Bus(options);
}

/** The items of `list` for which `test` holds, and the others, in order. */
function partition<T>(list: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of list) (test(item) ? yes : no).push(item);
  return [yes, no];
}
