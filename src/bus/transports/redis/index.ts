/** The Redis Streams transport (./transport.ts) and the names its users need. */
export { FrameTooLargeError, TransportError, type TransportErrorCode } from '../../errors.js';
export type { RedisTransportMetrics } from './counters.js';
export type { RedisClient } from './client.js';
export { ENTRY_FIELDS } from './fields.js';
export { entryFrames } from './pack.js';
export { RedisKeys, streamTag, type StreamKeys } from './keys.js';
export { DEFAULT_PREFIX, type RedisBusOptions, type RedisBusTarget, type RedisTransportOptions } from './options.js';
export { RedisTransport } from './transport.js';
