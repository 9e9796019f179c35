/**
 * Transports by kind: how `createBus({ transport })` gets a transport it does not know. The bus core
 * knows transports only through the Transport interface (./transports/types.ts); a transport module
 * registers a factory for its kind when it is loaded. The Redis transport registers `'redis'`; the
 * package's entry points (`kernelbus`, `kernelbus/bus`, `kernelbus/redis`) import it, statically, so
 * that it registers under node, tsx, vitest and bundlers alike (ioredis itself loads with the first
 * connection). The in-process transport needs no registration: it is the bus's default.
 */
import { KernelInputError } from '../errors.js';
import type { RedisTransportOptions } from './transports/redis/options.js';
import type { Transport } from './transports/types.js';

/** The transport kinds a module can register, with the options their factory takes. */
export interface TransportKinds {
  /** The Redis Streams transport (`kernelbus/redis`). */
  redis: RedisTransportOptions;
}

/** Creates the transport of one bus from its options. */
export type TransportFactory<K extends keyof TransportKinds> = (options: TransportKinds[K]) => Transport;

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
