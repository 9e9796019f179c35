/**
 * The BLAS backend: the kernels whose core is dense linear algebra (covariance's cross-products,
 * portfolioVolatility's batched w'Sw, the Monte Carlo kernels' Cholesky factor, factorReturns' style
 * regressions: normal equations by dsyrk, solved by Cholesky (dpotrf, dpotrs) where dsyev's eigenvalues
 * show them well-conditioned, else by the native solve) computed by a BLAS/LAPACK
 * library (Accelerate on macOS, OpenBLAS elsewhere) inside the native addon (native/blas/), around the
 * native kernels' own code. It is in the addon when CMake found the library at build time (features().blas
 * names it); one prebuilt binary per platform: the Linux one is built without BLAS (it would need
 * libopenblas on every machine), a build from source picks OpenBLAS up where it is installed.
 *
 * Results match the reference to stated tolerances rather than bit for bit: the library sums in its own
 * order (test/risk/parity.test.ts). `KERNELBUS_BLAS=0` hides the backend (reported unavailable);
 * nothing else depends on it.
 */
import { fixedKernels, pick } from '../native/index.js';
import { loadNative, useThreads, type LoadResult, type NativeBinding } from '../native/binding.js';
import type { FactorFamily } from '../../kernels/factor/factor.js';
import { FACTOR_KERNELS } from '../../kernels/factor/factor-kernels.js';
import type { RiskFamily } from '../../kernels/risk/risk.js';
import { RISK_KERNELS } from '../../kernels/risk/risk-kernels.js';
import type { AsyncFamily, Backend, BackendProvider, LoadedBackend } from '../types.js';

/** The risk kernels the BLAS backend implements (the others throw BackendUnavailableError naming it). */
export const BLAS_KERNELS = [
  'covariance',
  'portfolioVolatility',
  'monteCarloVar',
  'monteCarloScenarios',
] as const satisfies readonly (keyof RiskFamily)[];

/** The factor kernels the BLAS backend implements. */
export const BLAS_FACTOR_KERNELS = ['factorReturns'] as const satisfies readonly (keyof FactorFamily)[];

/** The addon's entry point of a BLAS kernel: blas<Name>. */
const entry = (name: string) => `blas${name[0].toUpperCase()}${name.slice(1)}`;

/** Why the backend is unavailable in an addon built without a BLAS/LAPACK library (Windows: the prebuild has none). */
export const BLAS_NOT_BUILT =
  process.platform === 'win32'
    ? 'the win32-x64 addon is built without BLAS/LAPACK (the native backend serves its kernels)'
    : 'the addon was built without BLAS/LAPACK (install libopenblas-dev liblapack-dev and rebuild: npm run build:native)';

/** The BLAS backend over an addon built with BLAS. */
export function blasBackend(b: NativeBinding): Backend {
  const risk = fixedKernels(b, pick(RISK_KERNELS, BLAS_KERNELS), entry);
  const factor = fixedKernels(b, pick(FACTOR_KERNELS, BLAS_FACTOR_KERNELS), entry);
  return {
    name: 'blas',
    families: { risk: risk.sync as Partial<RiskFamily>, factor: factor.sync as Partial<FactorFamily> },
    async: { risk: risk.async as AsyncFamily<RiskFamily>, factor: factor.async as AsyncFamily<FactorFamily> },
    configure: (settings) => useThreads(b, settings.threads),
  };
}

/**
 * The backend from the addon's load result: unavailable when the addon did not load, when it was built
 * without BLAS (or its library cannot be called on this machine), or when `env.KERNELBUS_BLAS` is '0'
 * (hidden); else the backend, its library and threads.
 */
export function loadBlas(loaded: LoadResult, env: NodeJS.ProcessEnv = process.env): LoadedBackend {
  if (env.KERNELBUS_BLAS === '0') return { reason: 'disabled by KERNELBUS_BLAS=0' };
  if (!loaded.binding) return { reason: loaded.error.message };
  const { blas, blasThreads, blasUnavailable } = loaded.binding.features();
  if (blas === false) return { reason: blasUnavailable ?? BLAS_NOT_BUILT };
  return {
    backend: blasBackend(loaded.binding),
    features: { vendor: blas, threads: blasThreads ?? 1 },
    path: loaded.path,
  };
}

export const blasProvider = {
  name: 'blas',
  // built where the library was found: 'auto' skips it silently elsewhere
  expected: false,
  load: () => loadBlas(loadNative()),
} as const satisfies BackendProvider;
