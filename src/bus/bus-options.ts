/**
 * What createBus() and bus.subscribe() take: the options, their checks (KernelInputError naming the
 * option), and planBuses(), which turns the bus and transport options into the bus names, the failover
 * table and how to create each bus's transport (in-process, or one of a registered kind per bus: a
 * RedisTransport once `kernelbus/redis` is loaded; ./transport-registry.ts).
 */
import { KernelInputError, describeValue } from '../errors.js';
import { BUS_NAMES, type BusMessage, type BusName } from './messages.js';
import type { RoutingStrategy } from './router.js';
import { transportFactory } from './transport-registry.js';
import { MemoryTransport } from './transports/memory.js';
import type { RedisTransportOptions } from './transports/redis/options.js';
import type { Transport } from './transports/types.js';

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
   * `'redis'` (a RedisTransport per bus, to `url` or to the bus's entry in a `buses` map; available once
   * `kernelbus/redis` is imported, or loaded when first asked for: ioredis is loaded only then).
   */
  transport?: 'memory' | 'redis';
  /**
   * With `transport: 'redis'` and buses given by name: the server of every bus. Default
   * `redis://127.0.0.1:6379`. A Redis Cluster: `redis+cluster://host:port,host:port,...`, or `cluster`.
   */
  url?: string;
  /**
   * With `transport: 'redis'` and buses given by name: a Redis Cluster that carries every bus, by the
   * `redis://` URLs of some of its nodes (see RedisTransportOptions.cluster; docs/redis.md).
   */
  cluster?: readonly string[];
  /**
   * With `transport: 'redis'`: RedisTransport options for every bus the bus creates (prefix,
   * maxLenMessages, claimIdleMs, health check, ioredis options under `redis`, ...). The URL comes from
   * `url` or `buses`; the name defaults to `redis:<bus>`.
   */
  redis?: Omit<RedisTransportOptions, 'url' | 'cluster'>;
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

/** The bus names, the default failover table and how to create a missing transport, from the options. */
export function planBuses(options: BusOptions): {
  names: BusName[];
  secondary: Record<string, BusName>;
  create: (bus: BusName) => Transport;
} {
  const { buses, transport, url, cluster, redis } = options;
  const isMap = typeof buses === 'object' && buses !== null && !Array.isArray(buses);
  const kind = transport ?? (isMap ? 'redis' : 'memory');
  if (kind !== 'memory' && kind !== 'redis')
    throw new KernelInputError('options.transport', "'memory' or 'redis'", describeValue(transport));
  const validName = (b: unknown) => typeof b === 'string' && b.length > 0 && !b.includes(':');
  if (!isMap) {
    const list = buses ?? BUS_NAMES;
    if (!Array.isArray(list) || list.length === 0 || !list.every(validName)) {
      throw new KernelInputError('options.buses', 'a non-empty array of names without ":"', describeValue(list));
    }
  }
  if (kind === 'memory') {
    if (isMap) throw new KernelInputError('options.transport', "'redis' (options.buses maps buses to Redis URLs)", "'memory'");
    for (const name of ['url', 'cluster', 'redis'] as const) {
      if (options[name] !== undefined)
        throw new KernelInputError(`options.${name}`, "nothing unless options.transport is 'redis'", describeValue(options[name]));
    }
    return { names: [...((buses as readonly BusName[] | undefined) ?? BUS_NAMES)], secondary: {}, create: () => new MemoryTransport() };
  }
  if (typeof options.transports === 'function') {
    throw new KernelInputError('options.transports', "a map of bus to transport when options.transport is 'redis'", 'a function');
  }
  if (redis !== undefined && (typeof redis !== 'object' || redis === null))
    throw new KernelInputError('options.redis', 'an object of RedisTransport options', describeValue(redis));
  // Credentials may be in a URL: never echo one.
  const hidden = 'a value (not shown: it may hold credentials)';
  const targets = new Map<BusName, string>();
  const secondary: Record<string, BusName> = {};
  if (isMap) {
    if (url !== undefined) throw new KernelInputError('options.url', 'nothing when options.buses maps each bus to its URL', hidden);
    if (cluster !== undefined)
      throw new KernelInputError(
        'options.cluster',
        'nothing when options.buses maps each bus to its URL (a redis+cluster:// URL there)',
        hidden,
      );
    const entries = Object.entries(buses as Readonly<Record<string, RedisBusTarget>>);
    if (entries.length === 0) throw new KernelInputError('options.buses', 'at least one bus', 'an empty map');
    const primaries: BusName[] = [];
    const secondaries: BusName[] = [];
    for (const [name, target] of entries) {
      if (!validName(name)) throw new KernelInputError('options.buses', 'bus names without ":"', JSON.stringify(name));
      if (typeof target === 'string') {
        targets.set(name, target);
      } else if (
        typeof target === 'object' &&
        target !== null &&
        typeof target.primary === 'string' &&
        typeof target.secondary === 'string'
      ) {
        targets.set(name, target.primary);
        const second = name + SECONDARY_SUFFIX;
        if (Object.hasOwn(buses as object, second))
          throw new KernelInputError(`options.buses.${name}`, `a secondary whose bus name ${second} is free`, `bus ${second} defined too`);
        targets.set(second, target.secondary);
        secondary[name] = second;
        secondary[second] = name;
        secondaries.push(second);
      } else {
        throw new KernelInputError(
          `options.buses.${name}`,
          'a redis:// URL or { primary, secondary } URLs',
          typeof target === 'object' ? hidden : describeValue(target),
        );
      }
      primaries.push(name);
    }
    // Buses without a secondary fail over to the next primary, as with a list of names.
    primaries.forEach((name, i) => {
      secondary[name] ??= primaries[(i + 1) % primaries.length];
    });
    const names = [...primaries, ...secondaries];
    const create = transportFactory('redis');
    return { names, secondary, create: (bus) => create({ name: `redis:${bus}`, ...redis, url: targets.get(bus) }) };
  }
  if (url !== undefined && typeof url !== 'string')
    throw new KernelInputError('options.url', 'a redis:// or rediss:// URL string', describeValue(url));
  if (cluster !== undefined && url !== undefined)
    throw new KernelInputError('options.url', 'nothing when options.cluster names the nodes', hidden);
  if (cluster !== undefined && !Array.isArray(cluster))
    throw new KernelInputError('options.cluster', 'an array of redis:// URLs', describeValue(cluster));
  const create = transportFactory('redis');
  return {
    names: [...((buses as readonly BusName[] | undefined) ?? BUS_NAMES)],
    secondary: {},
    create: (bus) => create({ name: `redis:${bus}`, ...redis, ...(cluster ? { cluster } : { url }) }),
  };
}
