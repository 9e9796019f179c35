/**
 * kernelbus: VPIN, portfolio-risk and factor-model kernels for Node.js trading engines,
 * with a pure TypeScript reference and a native C++ backend, and the message bus that feeds them. The root
 * re-exports the common names (the kernels, kernels(), backends(), matrix(), the errors and their
 * types; the defaults and thresholds are in `kernelbus/kernels`); the subpaths hold the rest:
 * - `kernelbus/kernels`: every kernel, backend and special function (loads no bus or Redis code);
 * - `kernelbus/bus`: messages, frames, batcher, router, transports, metrics (no ioredis, no prom-client);
 * - `kernelbus/redis`: the Redis Streams transport;
 * - `kernelbus/engines`: the engines and the Prometheus exposition of their metrics.
 * The root loads neither ioredis nor prom-client until they are used: `createBus({ redis: { url } })`
 * works from here (src/bus/index.ts registers the Redis transport, which loads ioredis with its first
 * connection), and the Prometheus exposition is in `kernelbus/engines`.
 */
export {
  backends,
  BackendUnavailableError,
  bulkClassify,
  classifyTrades,
  covariance,
  KernelbusError,
  KernelInputError,
  kernels,
  logReturns,
  componentVar,
  factorReturns,
  matrix,
  series,
  toRecords,
  byName,
  type Vector,
  monteCarloVar,
  normalCdf,
  performanceStats,
  portfolioReturns,
  portfolioVolatility,
  simpleReturns,
  tickRule,
  timeBars,
  valueAtRisk,
  vpin,
  vpinStream,
  type BackendChoice,
  type BackendInfo,
  type BackendName,
  type ClassifyOptions,
  type ComponentVarOptions,
  type ComponentVarResult,
  type FactorInputs,
  type FactorReturnsResult,
  type CovarianceOptions,
  type CovarianceResult,
  type Kernels,
  type Matrix,
  type MonteCarloOptions,
  type ReturnModel,
  type PerformanceOptions,
  type PerformanceStats,
  type Series,
  type TimeBarOptions,
  type TimeBars,
  type Trades,
  type VarOptions,
  type VarResult,
  type VpinBuckets,
  type VpinOptions,
  type VpinStream,
} from './api/index.js';
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
  type RedisBusOptions,
  type SubscribeOptions,
  type Subscription,
  type Trade,
  type TradeBatch,
} from './bus/index.js';
export { FactorEngine, type FactorEngineOptions } from './engines/factor.js';
export type { FactorInput, FactorResult } from './engines/factor-messages.js';
export { RiskEngine, type RiskEngineOptions } from './engines/risk.js';
export type { PortfolioUpdate, ReturnsUpdate, RiskAlert, RiskResult } from './engines/risk-messages.js';
export { VpinEngine, type VpinAlert, type VpinCalculation, type VpinEngineOptions } from './engines/vpin.js';
