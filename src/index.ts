/**
 * kernelbus: VPIN (and later risk and factor-model) kernels for Node.js trading engines, with a pure
 * TypeScript reference and a native C++ backend. The functions exported here use the backend chosen by
 * KERNELBUS_BACKEND, 'auto' by default; `kernels({ backend })` binds them to another.
 */
import { defaultBackendChoice, kernels } from './kernels/index.js';

export { kernels, VPIN_NATIVE_MIN_TRADES, type Kernels } from './kernels/index.js';
export { backends, type BackendChoice, type BackendInfo, type BackendName } from './backends/index.js';
export { KernelbusError, KernelInputError, BackendUnavailableError } from './errors.js';
export {
  MAX_BUCKETS_PER_CALL,
  VPIN_DEFAULTS,
  type ClassifyOptions,
  type DistributionOption,
  type SigmaOption,
  type TimeBarOptions,
  type TimeBars,
  type Trades,
  type VpinBuckets,
  type VpinOptions,
  type VpinStream,
} from './kernels/vpin.js';

const defaults = kernels({ backend: defaultBackendChoice() });

/** Non-empty time bars of trades: `{ start, open, close, volume, count }`. */
export const timeBars = defaults.timeBars;
/** Tick rule signs per trade (Int8Array of +1/-1, 0 before the first price change). */
export const tickRule = defaults.tickRule;
/** Bulk volume classification: buy volume per bar. */
export const bulkClassify = defaults.bulkClassify;
/** VPIN per completed volume bucket: `{ endTs, buyVolume, sellVolume, vpin, cdf }`. */
export const vpin = defaults.vpin;
/** Streaming VPIN with snapshot/restore. */
export const vpinStream = defaults.vpinStream;

// The bus (messages, frames, batcher, router, transports, createBus) and the engines built on it.
export * from './bus/index.js';
export * from './engines/index.js';
