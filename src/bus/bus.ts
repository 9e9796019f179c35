/**
 * The bus facade: `createBus()` gives the three named buses (marketdata, logic, compute) behind one
 * object. publish() -> batcher (columns per key) -> router (which bus) -> transport (streams, consumer
 * groups) -> subscribe() handlers, which receive decoded frames (trade columns view the frame bytes).
 * Transports are in-process by default; the `redis` option puts each bus on Redis Streams
 * (`kb:{<bus>:<shard>}:<type>`), one RedisTransport per bus, each bus on its own server if asked.
 */
import { KernelInputError, describeValue } from '../errors.js';
import { requireTrades } from '../kernels/trades.js';
import { Batcher } from './batcher.js';
import {
  numberIn,
  planBuses,
  positiveInteger,
  type BusOptions,
  type MessageHandler,
  type SubscribeFrom,
  type SubscribeOptions,
  type Subscription,
} from './bus-options.js';
import { Delivery } from './delivery.js';
import { BackpressureError, BusClosedError } from './errors.js';
import { validateFrame } from './frames.js';
import {
  DEFAULT_ROUTES,
  shardOf,
  streamName,
  type BusName,
  type Envelope,
  type Priority,
  type Trade,
  type TradeBatch,
} from './messages.js';
import { Histogram, type HistogramBuckets, SIZE_BUCKETS } from './histogram.js';
import type { BusHistograms, BusMetrics } from './metrics.js';
import { Outbound, type Lane } from './outbound.js';
import { Router, type BusStats } from './router.js';
import { capabilitiesOf, DEAD_LETTER_SUFFIX, startAfterOf, type Transport, type TransportSubscription } from './transports/types.js';

export type {
  BusOptions,
  MessageHandler,
  RedisBusOptions,
  SubscribeFrom,
  SubscribeOptions,
  Subscription,
} from './bus-options.js';

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
  private readonly outbound: Outbound;
  private readonly delivery: Delivery;
  private readonly routable = new Set<string>();
  private readonly shards: number;
  private readonly maxQueue: number;
  private readonly blocking: boolean;
  private readonly retryMs: number;
  /** stream -> its lane and type (for settle events). */
  private readonly streamLanes = new Map<string, { lane: Lane; type: string }>();
  /** bus -> type -> stream names by shard. */
  private readonly streamNames = new Map<BusName, Map<string, string[]>>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly stopListening: (() => void)[] = [];
  private waiters: (() => void)[] = [];
  private closing = false;
  private closed: Promise<void> | undefined;
  private subscriptionCount = 0;
  private readonly counters = {
    published: 0,
    rejected: 0,
    undeliverable: 0,
    frames: 0,
    watermarkFrames: 0,
    delivered: 0,
    acknowledged: 0,
    redelivered: 0,
    failed: 0,
    copies: 0,
    maxQueueDepth: 0,
  };
  private readonly batchSize = new Histogram(1, SIZE_BUCKETS);
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
    const watermarks = options.watermarks ?? false;
    if (typeof watermarks !== 'boolean') throw new KernelInputError('options.watermarks', 'a boolean', describeValue(watermarks));
    const wantLocal = options.localBodies ?? true;
    if (typeof wantLocal !== 'boolean') throw new KernelInputError('options.localBodies', 'a boolean', describeValue(wantLocal));
    const idleWatermarkMs = numberIn(options.idleWatermarkMs ?? 10, 'options.idleWatermarkMs', 0, 60_000);
    this.maxQueue = positiveInteger(options.maxQueue ?? 1_000_000, 'options.maxQueue', 1);
    const mode = options.backpressure ?? 'block';
    if (mode !== 'block' && mode !== 'reject')
      throw new KernelInputError('options.backpressure', "'block' or 'reject'", describeValue(mode));
    this.blocking = mode === 'block';
    this.retryMs = numberIn(options.retryMs ?? 50, 'options.retryMs', 0, 3_600_000);
    const cooldownMs = numberIn(options.cooldownMs ?? 1000, 'options.cooldownMs', 0, 3_600_000);
    const onError = options.onError;
    if (onError !== undefined && typeof onError !== 'function')
      throw new KernelInputError('options.onError', 'a function', describeValue(onError));
    const routes: Record<string, BusName> = {};
    for (const [type, bus] of Object.entries(DEFAULT_ROUTES)) if (buses.includes(bus)) routes[type] = bus;
    Object.assign(routes, options.routes);
    const secondary = Object.keys(plan.secondary).length > 0 ? { ...plan.secondary, ...options.secondary } : options.secondary;
    this.router = new Router({ strategy: options.routing ?? 'static', buses: this.buses, routes, secondary });
    this.columnar = new Set(options.columnarTypes ?? ['TRADE_EXECUTION']);
    for (const type of this.columnar) this.router.home(type);
    this.delivery = new Delivery(this.counters, this.latency, this.columnar, onError, (bus) => this.lanes.get(bus)?.deliveryLatency);
    this.outbound = new Outbound({
      router: this.router,
      columnar: this.columnar,
      counters: this.counters,
      batchSize: this.batchSize,
      retryMs: this.retryMs,
      cooldownMs,
      onError,
      lane: (bus) => this.lane(bus),
      streamName: (bus, type, key) => this.streamName(bus, type, key),
      stats: this.stats,
      flushHeld: () => this.batcher.flushHeld(),
      wake: () => this.wakeWaiters(),
    });
    // Transports last, once every option has been checked; if one fails to construct, close the others.
    const created: Transport[] = [];
    try {
      for (const name of this.buses) {
        const given = typeof options.transports === 'function' ? options.transports(name) : options.transports?.[name];
        const transport = given ?? plan.create(name);
        if (given === undefined) created.push(transport);
        const lane: Lane = {
          name,
          transport,
          owned: given === undefined || typeof options.transports === 'function',
          frames: 0,
          messages: 0,
          publishErrors: 0,
          failedUntil: 0,
          publishLatency: new Histogram(0.001),
          deliveryLatency: new Histogram(0.001),
          p50: 0,
          p50Count: 0,
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
    const outbound = this.outbound;
    // process-local message bodies only where no frame can reach a transport that lets it out of the process
    const localBodies = wantLocal && [...this.lanes.values()].every((lane) => capabilitiesOf(lane.transport).processLocal === true);
    this.batcher = new Batcher(
      { maxBatch, lingerMs, watermarks, idleWatermarkMs, streamMarks: this.router.strategy === 'static', localBodies },
      (frames) => outbound.dispatch(frames),
      (type, key) => outbound.held(type, key),
      (type, key) => outbound.streamOf(type, key),
    );
  }

  /** Messages accepted and not yet acknowledged by every group (what maxQueue bounds). */
  get depth(): number {
    return this.batcher.pending + this.outbound.unsettled + this.outbound.retryPending;
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
      const { bid, ask } = trade as Trade;
      if (bid !== undefined || ask !== undefined) {
        if (typeof bid !== 'number') throw new KernelInputError('message.bid', 'a number (with ask)', describeValue(bid));
        if (typeof ask !== 'number') throw new KernelInputError('message.ask', 'a number (with bid)', describeValue(ask));
      }
      this.batcher.addTrade(type, trade.key, trade.ts, price, volume, priority, bid, ask);
      return 1;
    }
    const batch = trade as TradeBatch;
    requireTrades(batch, 'message');
    this.batcher.addRows(type, batch.key, batch.ts, batch.price, batch.volume, priority, batch.bid, batch.ask);
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
      this.batcher.addFrame({ type: header.type, key: header.key, count, data: bytes, seq: 0 }, header.priority);
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

  /** A transport settled `count` messages of `key` on `stream`: every group acknowledged them. */
  private onSettle(stream: string, key: string, count: number): void {
    const info = this.streamLanes.get(stream);
    if (info) this.outbound.settled(info.lane, info.type, key, count);
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
    const { group = `${type}.auto-${n}`, consumer = `${group}.consumer-${n}`, deadLetters = false, watermarks = false } = options;
    if (typeof group !== 'string' || group.length === 0)
      throw new KernelInputError('options.group', 'a non-empty string', describeValue(group));
    if (typeof consumer !== 'string' || consumer.length === 0)
      throw new KernelInputError('options.consumer', 'a non-empty string', describeValue(consumer));
    if (typeof watermarks !== 'boolean') throw new KernelInputError('options.watermarks', 'a boolean', describeValue(watermarks));
    const from = options.from;
    const startAfter = from === undefined ? undefined : startAfterOf(checkFrom(from));
    const buses = this.router.candidates(type);
    if (startAfter !== undefined) {
      for (const bus of buses) {
        const t = this.lane(bus).transport;
        if (!capabilitiesOf(t).durableOffsets)
          throw new KernelInputError('options.from', 'a transport that keeps history (e.g. redis)', t.name);
      }
    }
    const parts: TransportSubscription[] = [];
    for (const bus of buses) {
      for (const stream of this.streamsOf(bus, type)) {
        const name = deadLetters ? stream + DEAD_LETTER_SUFFIX : stream;
        const handle = (entry: Parameters<Parameters<Transport['subscribe']>[3]>[0]) =>
          this.delivery.deliver(bus, deadLetters ? undefined : type, entry, handler as MessageHandler, watermarks);
        const transport = this.lane(bus).transport;
        const onLease = options.onLease;
        parts.push(
          startAfter === undefined && onLease === undefined
            ? transport.subscribe(name, group, consumer, handle)
            : transport.subscribe(name, group, consumer, handle, {
                ...(startAfter === undefined ? {} : { startAfter }),
                ...(onLease === undefined || deadLetters ? {} : { onLease }),
              }),
        );
      }
    }
    let closed = false;
    const subscriptions = this.subscriptions;
    const subscription: Subscription = {
      type,
      group,
      consumer,
      get closed() {
        return closed;
      },
      async close() {
        if (closed) return;
        closed = true;
        subscriptions.delete(subscription);
        await Promise.all(parts.map((p) => p.close({ deleteGroup: options.temporary ?? options.group === undefined })));
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
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
    for (let round = 0; round < 2 && this.outbound.publishing.size > 0; round++) await Promise.allSettled([...this.outbound.publishing]);
  }

  /**
   * Resolves once everything published so far (and everything handlers publish meanwhile) has been
   * delivered and acknowledged by every group that has a consumer. Frames a transport refused are
   * retried until it takes them (unless refused for good: see `retryMs`).
   */
  async drain(): Promise<void> {
    for (;;) {
      await this.flush();
      const calls = this.outbound.calls;
      await Promise.all([...this.lanes.values()].map((lane) => lane.transport.idle()));
      // A retry sent meanwhile may have been stored after the transports last looked: look again.
      if (this.outbound.calls !== calls) continue;
      if (this.outbound.retrying) {
        await new Promise((resolve) => setTimeout(resolve, this.retryMs));
        continue;
      }
      if (this.batcher.pending === 0 && this.outbound.publishing.size === 0) return;
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

  /**
   * The histograms behind metrics(), as Prometheus buckets (ms and rows): publish-to-delivery latency
   * and publish latency per bus, rows per trade frame. Read by the Prometheus exposition.
   */
  histograms(): BusHistograms {
    const deliveryLatencyMs: Record<string, HistogramBuckets> = {};
    const publishLatencyMs: Record<string, HistogramBuckets> = {};
    for (const lane of this.lanes.values()) {
      deliveryLatencyMs[lane.name] = lane.deliveryLatency.buckets();
      publishLatencyMs[lane.name] = lane.publishLatency.buckets();
    }
    return { deliveryLatencyMs, publishLatencyMs, batchSize: this.batchSize.buckets() };
  }

  /** The publish-to-delivery latency of every bus: the sum of the buses' histograms (Delivery records each delivery in its bus's). */
  private deliveryLatency(): Histogram {
    const total = new Histogram(0.001).add(this.latency);
    for (const lane of this.lanes.values()) total.add(lane.deliveryLatency);
    return total;
  }

  /** Counters, depth and latency histograms (see BusMetrics). */
  metrics(): BusMetrics {
    const buses: BusMetrics['buses'] = {};
    let deadLettered = 0;
    let deadLetteredEntries = 0;
    for (const lane of this.lanes.values()) {
      const t = lane.transport.metrics();
      deadLettered += t.deadLettered;
      deadLetteredEntries += t.deadLetteredEntries;
      buses[lane.name] = {
        frames: lane.frames,
        messages: lane.messages,
        backlog: t.backlog,
        healthy: this.stats(lane.name).healthy,
        possibleLoss: t.possibleLoss === true,
        publishErrors: lane.publishErrors,
        publishLatencyMs: lane.publishLatency.snapshot(),
      };
    }
    const possibleLoss = Object.values(buses).some((b) => b.possibleLoss);
    return {
      ...this.counters,
      deadLettered,
      deadLetteredEntries,
      possibleLoss,
      queueDepth: this.depth,
      waiting: this.waiters.length,
      batchSize: this.batchSize.snapshot(),
      latencyMs: this.deliveryLatency().snapshot(),
      buses,
    };
  }
}

/** SubscribeOptions.from, checked. */
function checkFrom(from: SubscribeFrom): SubscribeFrom {
  if (from === 'last') return from;
  if (typeof from === 'object' && from !== null) {
    if ('id' in from && typeof from.id === 'string' && /^\d+(-\d+)?$/.test(from.id)) return from;
    if ('ts' in from && typeof from.ts === 'number' && Number.isFinite(from.ts) && from.ts >= 0) return from;
  }
  throw new KernelInputError('options.from', "{ id: '<ms>-<seq>' }, { ts: <epoch ms> } or 'last'", describeValue(from));
}

/** Creates a bus system (in-process memory transports unless others are given). See BusOptions. */
export function createBus(options: BusOptions = {}): Bus {
  return new Bus(options);
}
