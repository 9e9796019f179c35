/**
 * Transports by kind: how `createBus({ transport })` gets transports it does not know. The bus core
 * knows transports only through the Transport interface (./transports/types.ts); a transport module
 * registers a planner for its kind when it is loaded: from the kind's own options (for `'redis'`,
 * BusOptions.redis, which only the Redis transport reads) and the bus names, it gives the buses, their
 * failover table and each bus's transport. The Redis transport registers `'redis'`; the
 * package's entry points (`kernelbus`, `kernelbus/bus`, `kernelbus/redis`) import it, statically, so
 * that it registers under node, tsx, vitest and bundlers alike (ioredis itself loads with the first
 * connection). The in-process transport needs no registration: it is the bus's default.
 */
import { KernelInputError } from '../errors.js';
import type { BusName } from './messages.js';
import type { RedisBusOptions } from './transports/redis/options.js';
import type { Transport } from './transports/types.js';

/** The transport kinds a module can register, with the options (a field of BusOptions) their planner takes. */
export interface TransportKinds {
  /** The Redis Streams transport (`kernelbus/redis`): BusOptions.redis. */
  redis: RedisBusOptions;
}

/** The buses of a bus system, their default failover table, and how to create each bus's transport. */
export interface TransportPlan {
  names: BusName[];
  secondary: Record<string, BusName>;
  create: (bus: BusName) => Transport;
}

/**
 * Plans the buses of a kind from its options (checked: KernelInputError naming the option) and the
 * bus names of BusOptions.buses (checked; undefined when not given).
 */
export type TransportFactory<K extends keyof TransportKinds> = (
  options: TransportKinds[K],
  buses: readonly BusName[] | undefined,
) => TransportPlan;

const factories: { [K in keyof TransportKinds]?: TransportFactory<K> } = {};

/** Makes `kind` available to createBus(): called by a transport's module when it is loaded. */
export function registerTransport<K extends keyof TransportKinds>(kind: K, factory: TransportFactory<K>): void {
  factories[kind] = factory as (typeof factories)[K];
}

/**
 * The factory registered for `kind`; KernelInputError naming `options.transport` when no module has
 * registered it (for `'redis'`: src/bus/transports/redis/transport.ts was not loaded).
 */
export function transportFactory<K extends keyof TransportKinds>(kind: K): TransportFactory<K> {
  const factory = factories[kind] as TransportFactory<K> | undefined;
  if (!factory) {
    const expected = `a registered transport kind ('${kind}' is registered by importing kernelbus/${kind})`;
    throw new KernelInputError('options.transport', expected, `'${kind}'`);
  }
  return factory;
}
