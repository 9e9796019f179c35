/**
 * kernelbus: VPIN and portfolio-risk (and soon factor-model) kernels for Node.js trading engines, with a pure
 * TypeScript reference and a native C++ backend, and the message bus that feeds them. The root
 * re-exports the common names; the subpaths hold the rest:
 * - `kernelbus/kernels`: every kernel, backend and special function (loads no bus or Redis code);
 * - `kernelbus/bus`: messages, frames, batcher, router, transports, metrics;
 * - `kernelbus/redis`: the Redis Streams transport;
 * - `kernelbus/engines`: the engines and the synthetic market.
 */
export * from './api/index.js';
export {
  BackpressureError,
  Bus,
  BusClosedError,
  createBus,
  type BusMessage,
  type BusMetrics,
  type BusName,
  type BusOptions,
  type MessageHandler,
  type MessageType,
  type Priority,
  type RoutingStrategy,
  type SubscribeOptions,
  type Subscription,
  type Trade,
  type TradeBatch,
} from './bus/index.js';
export { VpinEngine, type EngineHealth, type VpinAlert, type VpinCalculation, type VpinEngineOptions } from './engines/index.js';
