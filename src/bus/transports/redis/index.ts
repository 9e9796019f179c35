/** The Redis Streams transport (./transport.ts) and the names its users need. */
export { FrameTooLargeError, TransportError, type TransportErrorCode } from './errors.js';
export type { RedisTransportMetrics } from './context.js';
export { ENTRY_FIELDS } from './fields.js';
export { DEFAULT_PREFIX, type RedisTransportOptions } from './options.js';
export { RedisTransport } from './transport.js';
