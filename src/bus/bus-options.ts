/**
 * What createBus() and bus.subscribe() take: the options, their checks (KernelInputError naming the
 * option), and planBuses(), which turns the bus and transport options into the bus names, the failover
 * table and how to create each bus's transport (in-process, or one of a registered kind per bus: a
 * RedisTransport from the `redis` option, whose type and checks are the Redis transport's:
 * ./transports/redis/options.ts, ./transports/redis/bus-plan.ts; ./transport-registry.ts).
 */
import { KernelInputError, describeValue } from '../errors.js';
import { BUS_NAMES, type BusMessage, type BusName } from './messages.js';
import type { RoutingStrategy } from './router.js';
import { transportFactory, type TransportPlan } from './transport-registry.js';
import { MemoryTransport } from './transports/memory.js';
import type { RedisBusOptions } from './transports/redis/options.js';
import type { Transport } from './transports/types.js';

export type { RedisBusOptions } from './transports/redis/options.js';

/** Options of createBus(). */
export interface BusOptions {
  /**
   * Bus names. Default `['marketdata', 'logic', 'compute']`, or, with `redis.targets`, its keys.
   */
  buses?: readonly BusName[];
  /**
   * What carries buses that `transports` does not give: `'memory'` (in-process; the default without
   * `redis`) or `'redis'` (the default with `redis`: a RedisTransport per bus, as `redis` says;
   * available once `kernelbus/redis` is imported, or loaded when first asked for: ioredis is loaded only then).
   */
  transport?: 'memory' | 'redis';
  /**
   * The buses on Redis Streams: where (`url`, `cluster`, or each bus's server in `targets`) and the
   * RedisTransport options of every bus (prefix, claimIdleMs, ...). Implies `transport: 'redis'`.
   * `{ url: 'redis://127.0.0.1:6379', claimIdleMs: 500 }`; see RedisBusOptions and docs/redis.md.
   */
  redis?: RedisBusOptions;
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
  /**
   * Stamp each trade frame with a watermark: no later trade of its type on its stream has a ts below it
   * (docs/wire-format.md), so a consumer that merges symbols by time (StrategyEngine) need not wait
   * for a quiet symbol. Set it only where this bus publishes each columnar type's trades in time order
   * (across keys) and is the only publisher of them on their streams, as `kernelbus feed --file` does.
   * Default false.
   */
  watermarks?: boolean;
  /**
   * With watermarks: a stream of a columnar type that had no frame for this long (ms) while the type's
   * other streams moved on gets a watermark-only frame (no rows) at the next flush, so a consumer merging
   * streams by time need not wait for a stream whose symbols are all quiet. 0: never. Default 10.
   * Subscribers receive these frames only with SubscribeOptions.watermarks.
   */
  idleWatermarkMs?: number;
  /**
   * Message bodies as msgpack records kept in this process (docs/wire-format.md, flags bit 2): faster to
   * write and read, decoded to the same payloads. Taken only where every transport keeps its entries in
   * the process (`capabilities.processLocal`: the in-process transport); false writes plain msgpack
   * everywhere, e.g. for code that reads the in-process transport's raw frames. Default true.
   */
  localBodies?: boolean;
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
  /**
   * Where a group this subscription creates starts reading (transports that keep history, e.g. Redis:
   * a replay): `{ id }` from that entry id on, `{ ts }` from the entries appended at or after that time
   * (epoch ms), `'last'` only entries appended from now on. Default: the stream's first entry. A group
   * that already exists keeps its position. Refused (KernelInputError) on a transport without history.
   */
  from?: SubscribeFrom;
  /**
   * Delete the group when the subscription closes (as the default group is): a reader of its own, such
   * as the gateway's, leaves nothing behind. Default: true for the default group, false for a named one.
   */
  temporary?: boolean;
  /**
   * Called with the stream's name each time this subscription starts reading one of its streams, on a
   * transport that hands streams out by lease (Redis: at start, and when it takes a stream over from a
   * consumer that left or died), before that stream's first delivery. An engine restores the stream's
   * checkpointed state then, whether or not an entry follows.
   */
  onLease?: (stream: string) => void;
  /**
   * Also deliver the publisher's watermark-only frames (a trade batch of no rows whose `watermark` says
   * no later trade on its stream is older: BusOptions.idleWatermarkMs). Default false: they are
   * acknowledged without calling the handler.
   */
  watermarks?: boolean;
}

/** SubscribeOptions.from. */
export type SubscribeFrom = { id: string } | { ts: number } | 'last';

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

/** An integer >= min, else KernelInputError naming the option. */
export function positiveInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new KernelInputError(name, `an integer >= ${min}`, describeValue(value));
  }
  return value;
}

/** A number in [min, max], else KernelInputError naming the option. */
export function numberIn(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw new KernelInputError(name, `a number in [${min}, ${max}]`, describeValue(value));
  }
  return value;
}

/** Settings that moved into `redis` (KernelInputError naming where they went). */
const MOVED = ['url', 'cluster'] as const;

/** The bus names, the default failover table and how to create a missing transport, from the options. */
export function planBuses(options: BusOptions): TransportPlan {
  const { buses, transport, redis } = options;
  const kind = transport ?? (redis !== undefined ? 'redis' : 'memory');
  if (kind !== 'memory' && kind !== 'redis')
    throw new KernelInputError('options.transport', "'memory' or 'redis'", describeValue(transport));
  for (const name of MOVED) {
    if ((options as Record<string, unknown>)[name] !== undefined)
      // Credentials may be in a URL: never echo one.
      throw new KernelInputError(
        `options.${name}`,
        `nothing (Redis settings are under options.redis: options.redis.${name})`,
        'a value (not shown: it may hold credentials)',
      );
  }
  const validName = (b: unknown) => typeof b === 'string' && b.length > 0 && !b.includes(':');
  if (buses !== undefined && (!Array.isArray(buses) || buses.length === 0 || !buses.every(validName))) {
    const map = typeof buses === 'object' && buses !== null && !Array.isArray(buses);
    throw new KernelInputError(
      'options.buses',
      `a non-empty array of names without ":"${map ? " (each bus's Redis goes in options.redis.targets)" : ''}`,
      map ? 'a map' : describeValue(buses),
    );
  }
  if (kind === 'memory') {
    if (redis !== undefined)
      throw new KernelInputError(
        'options.redis',
        "nothing unless options.transport is 'redis'",
        typeof redis === 'string' ? 'a string (not shown: it may hold credentials)' : describeValue(redis),
      );
    return { names: [...(buses ?? BUS_NAMES)], secondary: {}, create: () => new MemoryTransport() };
  }
  if (typeof options.transports === 'function') {
    throw new KernelInputError('options.transports', "a map of bus to transport when options.transport is 'redis'", 'a function');
  }
  return transportFactory('redis')(redis ?? {}, buses);
}
