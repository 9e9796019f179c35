/**
 * The backend registry: every backend kernelbus knows, how each loads, and what each implements.
 * Adding a backend is one provider in PROVIDERS; nothing else names backends.
 */
import { FAMILY_KERNELS, type FamilyName, type KernelName, KERNEL_FAMILY } from '../kernels/families.js';
import { blasProvider } from './blas/index.js';
import { metalProvider } from './metal/index.js';
import { nativeProvider } from './native/index.js';
import { referenceProvider } from './reference/index.js';
import { tfjsProvider } from './tfjs/index.js';
import type { Backend, BackendFeatures, BackendProvider, LoadedBackend } from './types.js';

/** The backends, the reference first (the fallback of 'auto'). */
const PROVIDERS = [referenceProvider, nativeProvider, blasProvider, tfjsProvider, metalProvider] as const;

/** A registered backend's name. */
export type BackendName = (typeof PROVIDERS)[number]['name'];

/** One row of `backends()`. */
export interface BackendInfo {
  name: BackendName;
  /** Loaded and usable on this machine. */
  available: boolean;
  /** Why not, with the fixes (when unavailable). */
  reason?: string;
  /** The families it implements (entirely or in part; `kernels` lists which kernels). */
  families: FamilyName[];
  /** The kernels it implements. */
  kernels: KernelName[];
  /** Where the binary came from (native backends). */
  path?: string;
  /** What it was built with or runs on: threads, BLAS vendor, GPU device... */
  features?: BackendFeatures;
}

const providers: BackendProvider[] = [...PROVIDERS];
const loaded = new Map<string, LoadedBackend>();

/** The registered backend names, in registry order. */
export function backendNames(): string[] {
  return providers.map((p) => p.name);
}

/** The provider of `name`, or undefined. */
export function provider(name: string): BackendProvider | undefined {
  return providers.find((p) => p.name === name);
}

/** Loads a registered backend once; later calls return the same result. */
export function loadBackend(name: string): LoadedBackend {
  let result = loaded.get(name);
  if (!result) {
    const p = provider(name);
    result = p ? p.load() : { reason: `unknown backend (registered: ${backendNames().join(', ')})` };
    loaded.set(name, result);
  }
  return result;
}

/** True when `backend` implements `kernel`. */
export function implementsKernel(backend: Backend, kernel: KernelName): boolean {
  const family = backend.families[KERNEL_FAMILY[kernel]] as Record<string, unknown> | undefined;
  return typeof family?.[kernel] === 'function';
}

/** The kernels a backend implements, in catalogue order. */
function kernelsOf(backend: Backend): KernelName[] {
  return (Object.values(FAMILY_KERNELS).flat() as KernelName[]).filter((k) => implementsKernel(backend, k));
}

/** Reports every registered backend: available here or not (and why), its families, kernels and features. */
export function backends(): BackendInfo[] {
  return providers.map((p) => {
    const name = p.name as BackendName;
    const result = loadBackend(name);
    if (!result.backend) return { name, available: false, reason: result.reason, families: [], kernels: [] };
    const kernels = kernelsOf(result.backend);
    const families = [...new Set(kernels.map((k) => KERNEL_FAMILY[k]))];
    return {
      name,
      available: true,
      families,
      kernels,
      ...(result.path === undefined ? {} : { path: result.path }),
      ...(result.features === undefined ? {} : { features: result.features }),
    };
  });
}

/**
 * Adds a backend to the registry (tests, and backends defined outside this package); returns a
 * function that removes it again.
 */
export function registerBackend(p: BackendProvider): () => void {
  if (provider(p.name)) throw new Error(`backend '${p.name}' is already registered`);
  providers.push(p);
  return () => {
    providers.splice(providers.indexOf(p), 1);
    loaded.delete(p.name);
  };
}
