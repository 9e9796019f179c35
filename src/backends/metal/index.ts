/**
 * The Metal backend: the data-parallel parts of five kernels as compute shaders (shaders/*.metal) in
 * float on an Apple GPU, around host code in double precision (native/metal/; docs/metal.md):
 * bulkClassify (the buy fractions), portfolioVolatility (the quadratic forms w'Sw), monteCarloVar and
 * monteCarloScenarios (Philox normals and their dot products) and factorReturns (the styles' normal
 * equations of every date). The other kernels throw BackendUnavailableError naming it.
 *
 * `metal` is offered only on macOS with a real GPU of the Apple7 family (A14, M1) or later: not on a
 * paravirtual device (a virtual machine, such as a hosted CI runner), not when the embedded shaders do
 * not compile there, not when `KERNELBUS_GPU=0`. The same builder makes `metal-cpu`, the same kernels
 * over the shaders compiled as C++ and run on the CPU (native/metal/shader_harness.cpp): what the parity
 * suite tests the shaders' arithmetic with on every platform. It is not in the registry (its speed says
 * nothing about a GPU's): test/helpers/backends.ts registers it.
 *
 * Results are the reference's to the float tolerances docs/metal.md states, not its bits.
 */
import { CLASSIFY_PARAMS, packParams, type VpinFamily } from '../../kernels/vpin/vpin.js';
import type { FactorFamily } from '../../kernels/factor/factor.js';
import { FACTOR_KERNELS } from '../../kernels/factor/factor-kernels.js';
import type { RiskFamily } from '../../kernels/risk/risk.js';
import { RISK_KERNELS } from '../../kernels/risk/risk-kernels.js';
import { fixedKernels, pick } from '../native/index.js';
import { loadNative, useThreads, type LoadResult, type MetalBinding, type NativeBinding } from '../native/binding.js';
import type { AsyncFamily, Backend, BackendProvider, LoadedBackend } from '../types.js';

/** The kernels the Metal backend implements. */
export const METAL_KERNELS = ['bulkClassify', 'portfolioVolatility', 'monteCarloVar', 'monteCarloScenarios', 'factorReturns'] as const;

/** Why the backend is unavailable off macOS. */
export const METAL_NEEDS_MACOS = 'Metal needs macOS on Apple silicon';

/** Why it is unavailable in an addon built without the GPU runner (on macOS). */
export const METAL_NOT_BUILT =
  'the addon was built without the Metal GPU runner (rebuild on macOS without KERNELBUS_BUILD_METAL=OFF: npm run build:native)';

/**
 * The backend `name` over the addon's `<prefix><Kernel>` functions: 'metal' (the GPU) or 'shader' (the
 * CPU harness). Outputs are allocated here; the promise variants of the risk and factor kernels run on
 * the addon's thread pool.
 */
export function metalBackend(b: NativeBinding & MetalBinding, name: string, prefix: 'metal' | 'shader'): Backend {
  const entry = (kernel: string) => `${prefix}${kernel[0].toUpperCase()}${kernel.slice(1)}`;
  const risk = fixedKernels(b, pick(RISK_KERNELS, ['portfolioVolatility', 'monteCarloVar', 'monteCarloScenarios']), entry);
  const factor = fixedKernels(b, pick(FACTOR_KERNELS, ['factorReturns']), entry);
  const classify = b[entry('bulkClassify')] as NativeBinding['bulkClassify'];
  const vpin: Partial<VpinFamily> = {
    bulkClassify(open, close, volume, params, out = new Float64Array(open.length)) {
      classify(open, close, volume, packParams(CLASSIFY_PARAMS, params), out);
      return out;
    },
  };
  return {
    name,
    families: { vpin, risk: risk.sync as Partial<RiskFamily>, factor: factor.sync as Partial<FactorFamily> },
    async: { risk: risk.async as AsyncFamily<RiskFamily>, factor: factor.async as AsyncFamily<FactorFamily> },
    // the host code and the CPU harness share their loops between the addon's threads
    configure: (settings) => useThreads(b, settings.threads),
  };
}

/** Where the backend runs, for `backends()`. */
function features(device: string) {
  return { device, family: 'apple7+', precision: 'float32' } as const;
}

/**
 * The GPU backend from the addon's load result, or why not: `env.KERNELBUS_GPU` '0' (turned off), not
 * macOS, the addon did not load or has no GPU runner, no device, a paravirtual device, a GPU below the
 * Apple7 family, the shaders did not compile. `platform` and `arch` default to this process's.
 */
export function loadMetal(
  loaded: LoadResult,
  env: NodeJS.ProcessEnv = process.env,
  platform: string = process.platform,
  arch: string = process.arch,
): LoadedBackend {
  if (env.KERNELBUS_GPU === '0') return { reason: 'disabled by KERNELBUS_GPU=0' };
  if (platform !== 'darwin') return { reason: `${METAL_NEEDS_MACOS} (this is ${platform}-${arch})` };
  if (!loaded.binding) return { reason: loaded.error.message };
  const binding = loaded.binding as NativeBinding & MetalBinding;
  const device = typeof binding.metalDevice === 'function' ? binding.metalDevice() : undefined;
  if (!device?.built) return { reason: METAL_NOT_BUILT };
  if (device.name === '') return { reason: device.reason ?? 'no Metal device' };
  if (/paravirtual/i.test(device.name)) {
    return {
      reason: `the Metal device '${device.name}' is paravirtual (a virtual machine, such as a hosted CI runner): ${METAL_NEEDS_MACOS}`,
    };
  }
  if (!device.apple7) return { reason: `the GPU '${device.name}' is below the Apple7 family (A14, M1): ${METAL_NEEDS_MACOS}` };
  if (!device.ready) return { reason: `the Metal shaders cannot run on '${device.name}': ${device.reason ?? 'unknown error'}` };
  return { backend: metalBackend(binding, 'metal', 'metal'), features: features(device.name), path: loaded.path };
}

/** The same kernels on the CPU harness, wherever the addon loaded (`KERNELBUS_GPU` does not apply). */
export function loadMetalCpu(loaded: LoadResult): LoadedBackend {
  if (!loaded.binding) return { reason: loaded.error.message };
  const binding = loaded.binding as NativeBinding & MetalBinding;
  if (typeof binding.shaderBulkClassify !== 'function')
    return { reason: 'the addon has no shader harness (rebuild: npm run build:native)' };
  return {
    backend: metalBackend(binding, 'metal-cpu', 'shader'),
    features: { device: 'cpu (shaders compiled as C++)', precision: 'float32' },
    path: loaded.path,
  };
}

export const metalProvider = {
  name: 'metal',
  // only on Apple GPUs: 'auto' skips it silently elsewhere
  expected: false,
  load: () => loadMetal(loadNative()),
} as const satisfies BackendProvider;

/** 'metal-cpu': not in the registry; the parity suite registers it (registerBackend). */
export const metalCpuProvider = {
  name: 'metal-cpu',
  expected: false,
  load: () => loadMetalCpu(loadNative()),
} as const satisfies BackendProvider;
