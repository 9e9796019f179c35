/** What every backend implements, after the public API has validated shapes and resolved options. */
import type { TimeBars, VpinBuckets, VpinParams } from '../kernels/vpin.js';

export type ClassifyParams = Pick<VpinParams, 'priceChange' | 'sigmaKind' | 'sigmaParam' | 'distribution' | 'nu'>;

/** A backend's streaming VPIN state machine. */
export interface VpinStreamCore {
  update(ts: Float64Array, price: Float64Array, volume: Float64Array): VpinBuckets;
  flush(): VpinBuckets;
  /** State vector, identical layout on every backend (see exportVpinState in reference/vpin.ts). */
  exportState(): Float64Array;
  importState(state: Float64Array): void;
  readonly bucketCount: number;
}

/** The VPIN family of one backend. Data faults throw KernelInputError from inside the kernel. */
export interface VpinBackend {
  timeBars(ts: Float64Array, price: Float64Array, volume: Float64Array, barMs: number): TimeBars;
  tickRule(price: Float64Array): Int8Array;
  bulkClassify(open: Float64Array, close: Float64Array, volume: Float64Array, params: ClassifyParams): Float64Array;
  vpin(ts: Float64Array, price: Float64Array, volume: Float64Array, params: VpinParams): VpinBuckets;
  createVpinStream(params: VpinParams): VpinStreamCore;
}

export type BackendName = 'reference' | 'native';

export interface Backend {
  name: BackendName;
  vpin: VpinBackend;
}
