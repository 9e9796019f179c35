/**
 * The tfjs backend (`backend: 'tfjs'`): VPIN's bulk classification, covariance, batched portfolio
 * volatility, Monte Carlo VaR and scenarios, and the factor regressions written with TensorFlow.js ops,
 * what a Node user would otherwise reach for: it is in the bench beside the other backends and in the
 * parity suite at its float32 tolerances (test/helpers/compare.ts BACKEND_RTOL). It implements those
 * kernels only: the others throw BackendUnavailableError naming the kernel. 'auto' never picks it
 * (the bench never measured it ahead of native; docs/tfjs.md).
 *
 * TensorFlow.js is loaded on first use (runtime.ts): tfjs-node when installed, else tfjs-core with its
 * cpu backend; `initTfjs({ backend: 'wasm' })` switches to the wasm backend. `backends()` reports which
 * tfjs backend is active. `KERNELBUS_TFJS=0` hides the backend.
 */
import { BackendUnavailableError } from '../../errors.js';
import { registerTfjsInit } from './public.js';
import { loadTfjs, switchBackend, type Require, type TfjsBackendName, type TfjsLoadResult, type TfjsRuntime } from './runtime.js';
import { TFJS_FACTOR_KERNELS, tfjsFactor } from './factor.js';
import { TFJS_RISK_KERNELS, tfjsRisk } from './risk.js';
import { TFJS_VPIN_KERNELS, tfjsVpin } from './vpin.js';
import type { Backend, BackendFeatures, BackendProvider, LoadedBackend } from '../types.js';

export { TFJS_NOT_INSTALLED, type TfjsBackendName } from './runtime.js';

/** The kernels the tfjs backend implements. */
export const TFJS_KERNELS = [...TFJS_VPIN_KERNELS, ...TFJS_RISK_KERNELS, ...TFJS_FACTOR_KERNELS] as const;

/** The tfjs backend over a loaded runtime. */
export function tfjsBackend(runtime: TfjsRuntime): Backend {
  return { name: 'tfjs', families: { vpin: tfjsVpin(runtime), risk: tfjsRisk(runtime), factor: tfjsFactor(runtime) } };
}

/**
 * What backends() reports: the package, tfjs's version, the active tfjs backend (read when asked: it
 * changes after initTfjs()), float32, and why tfjs-node was not used where it is installed but broken.
 */
function features(runtime: TfjsRuntime): BackendFeatures {
  const { tf } = runtime;
  const f: Record<string, string | number | boolean> = {
    package: runtime.source,
    version: tf.version_core,
    precision: 'float32',
    ...(runtime.nodeError === undefined ? {} : { tfjsNodeError: runtime.nodeError }),
  };
  Object.defineProperty(f, 'backend', { enumerable: true, get: () => tf.getBackend() });
  return f;
}

/** The backend from a load result (or the reason it is unavailable). */
export function tfjsLoaded(result: TfjsLoadResult): LoadedBackend {
  if (!result.runtime) return { reason: result.reason };
  return { backend: tfjsBackend(result.runtime), features: features(result.runtime) };
}

let runtime: TfjsLoadResult | undefined;

/** Loads TensorFlow.js once (the registry calls this when the backend is first asked for). */
function load(require?: Require): TfjsLoadResult {
  runtime ??= loadTfjs(require);
  return runtime;
}

export const tfjsProvider = {
  name: 'tfjs',
  // optional packages: 'auto' never uses it, and its absence is no warning
  expected: false,
  load: () => tfjsLoaded(load()),
} as const satisfies BackendProvider;

/** initTfjs() (./public.ts, where it is documented): loads TensorFlow.js if needed and switches its backend. */
export async function initBackend(options: { backend?: TfjsBackendName } = {}): Promise<string> {
  const loaded = load();
  if (!loaded.runtime) throw new BackendUnavailableError('tfjs', loaded.reason);
  const name = options.backend ?? (loaded.runtime.source === '@tensorflow/tfjs-node' ? 'tensorflow' : 'wasm');
  return switchBackend(loaded.runtime, name);
}

registerTfjsInit(initBackend);
