/**
 * Transports by kind: how `createBus({ transport })` gets a transport it does not know. The bus core
 * knows transports only through the Transport interface (./transports/types.ts); a transport module
 * registers a factory for its kind when it is loaded (the Redis transport registers `'redis'`: importing
 * `kernelbus/redis` makes `transport: 'redis'` available, and so does asking for it, which loads the
 * module then). The in-process transport needs no registration: it is the bus's default.
 */
import { createRequire } from 'node:module';
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

/** The module of each transport kind this package has, loaded on first use by loadTransport(). */
const MODULES: { readonly [K in keyof TransportKinds]: string } = { redis: './transports/redis/transport.js' };

/**
 * Loads the module of `kind`, which registers it: synchronously (createBus is), with require() of the
 * ES module (Node >= 20.19 and 22.12, the versions package.json supports), so that ioredis is loaded
 * only by a program that asks for a Redis bus. Where that fails, transportFactory() says to import
 * `kernelbus/<kind>` first.
 */
function loadTransport(kind: keyof TransportKinds): void {
  try {
    createRequire(import.meta.url)(MODULES[kind]);
  } catch {
    // not loadable this way here (a runtime without require(esm), a bundler): the import is the user's
  }
}

/** Makes `kind` available to createBus(): called by a transport's module when it is loaded. */
export function registerTransport<K extends keyof TransportKinds>(kind: K, factory: TransportFactory<K>): void {
  factories[kind] = factory as (typeof factories)[K];
}

/**
 * The factory registered for `kind`; KernelInputError naming `options.transport` when no module has
 * registered it (for `'redis'`: `kernelbus/redis` was not imported).
 */
export function transportFactory<K extends keyof TransportKinds>(kind: K): TransportFactory<K> {
  if (!factories[kind]) loadTransport(kind);
  const factory = factories[kind] as TransportFactory<K> | undefined;
  if (!factory) {
    const expected = `a registered transport kind ('${kind}' is registered by importing kernelbus/${kind})`;
    throw new KernelInputError('options.transport', expected, `'${kind}'`);
  }
  return factory;
}
