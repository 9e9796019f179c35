/**
 * `kernelbus/redis`: the Redis Streams transport and what only it uses. Importing it registers the
 * `'redis'` transport kind, so that `createBus({ redis: { url } })` (or `redis: { targets }`, a server per
 * bus) builds a RedisTransport per bus. TransportError and FrameTooLargeError are the bus's (`kernelbus/bus`),
 * re-exported here.
 */
export { SECONDARY_SUFFIX } from '../bus/transports/redis/bus-plan.js';
export {
  DEFAULT_PREFIX,
  ENTRY_FIELDS,
  entryFrames,
  FrameTooLargeError,
  RedisKeys,
  RedisTransport,
  streamTag,
  TransportError,
  type RedisClient,
  type RedisTransportMetrics,
  type RedisBusOptions,
  type RedisBusTarget,
  type RedisTransportOptions,
  type StreamKeys,
  type TransportErrorCode,
} from '../bus/transports/redis/index.js';
export { DEAD_LETTER_SUFFIX } from '../bus/transports/types.js';
