/**
 * `kernelbus/bus`: messages, frames, batcher, router, the in-process transport and the bus facade.
 * Loads neither ioredis nor prom-client: the Redis transport registers `createBus({ redis: {...} })`
 * here and loads ioredis with its first connection (its own names are in `kernelbus/redis`),
 * the Prometheus exposition of the metrics is in `kernelbus/engines`.
 */
// registers transport 'redis' (no ioredis until a connection opens): one module, however it is run
import './transports/redis/transport.js';
export {
  Bus,
  createBus,
  type BusOptions,
  type MessageHandler,
  type RedisBusOptions,
  type SubscribeFrom,
  type SubscribeOptions,
  type Subscription,
} from './bus.js';
export { Batcher, type BatcherOptions, type BatchFrame, type FrameSink, type HoldRule } from './batcher.js';
export { BackpressureError, BusClosedError, FrameError, FrameTooLargeError, TransportError, type TransportErrorCode } from './errors.js';
export {
  decodeFrame,
  encodeMessageFrame,
  encodeTradesFrame,
  parseFrameHead,
  validateFrame,
  FRAME_HEADER_BYTES,
  MAX_FRAME_ROWS,
  MAX_KEY_BYTES,
  MAX_TYPE_BYTES,
  type Frame,
  type FrameHead,
  type FrameHeader,
  type MessageFrame,
  type MessageFrameInput,
  type TradesFrame,
  type TradesFrameInput,
} from './frames.js';
export {
  BUS_NAMES,
  DEFAULT_ROUTES,
  MESSAGE_TYPES,
  nowMs,
  shardOf,
  streamName,
  type BusMessage,
  type BusName,
  type Envelope,
  type KnownMessageType,
  type MessageType,
  type Priority,
  type Trade,
  type TradeBatch,
} from './messages.js';
export { Histogram, type HistogramBuckets, type HistogramSnapshot } from './histogram.js';
export type { BusHistograms, BusLaneMetrics, BusMetrics, EngineMetrics } from './metrics.js';
export { Router, ROUTING_STRATEGIES, type BusStats, type RouterOptions, type RoutingStrategy } from './router.js';
export { MemoryTransport, type MemoryTransportOptions } from './transports/memory.js';
export {
  capabilitiesOf,
  UNSTATED_CAPABILITIES,
  type CheckpointStore,
  type Entry,
  type EntryHandler,
  type OutgoingEntry,
  type SettleListener,
  type KeyRecord,
  type RecordWrite,
  type ReplayEntry,
  type StreamCheckpoint,
  type Transport,
  type TransportCapabilities,
  type TransportMetrics,
  type TransportSubscription,
} from './transports/types.js';
