/**
 * `kernelbus/bus`: messages, frames, batcher, router, the in-process transport and the bus facade.
 * The Redis transport's own names are in `kernelbus/redis`.
 */
export {
  Bus,
  createBus,
  type BusOptions,
  type MessageHandler,
  type SubscribeOptions,
  type Subscription,
} from './bus.js';
export { Batcher, type BatcherOptions, type BatchFrame, type FrameSink, type HoldRule } from './batcher.js';
export { BackpressureError, BusClosedError, FrameError } from './errors.js';
export {
  decodeFrame,
  encodeMessageFrame,
  encodeTradesFrame,
  validateFrame,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  FRAME_VERSION,
  KIND_MESSAGE,
  KIND_TRADES,
  MAX_FRAME_ROWS,
  MAX_KEY_BYTES,
  MAX_TYPE_BYTES,
  type Frame,
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
export {
  Histogram,
  prometheusRegistry,
  serveMetrics,
  type BusLaneMetrics,
  type BusMetrics,
  type EngineMetrics,
  type HistogramSnapshot,
  type MetricsServer,
  type MetricsSources,
} from './metrics.js';
export { Router, ROUTING_STRATEGIES, type BusStats, type RouterOptions, type RoutingStrategy } from './router.js';
export { MemoryTransport, type MemoryTransportOptions } from './transports/memory.js';
export {
  capabilitiesOf,
  compareEntryIds,
  replayGap,
  UNSTATED_CAPABILITIES,
  type CheckpointStore,
  type Entry,
  type EntryHandler,
  type OutgoingEntry,
  type SettleListener,
  type KeyRecord,
  type ReplayEntry,
  type StreamCheckpoint,
  type Transport,
  type TransportCapabilities,
  type TransportMetrics,
  type TransportSubscription,
} from './transports/types.js';
