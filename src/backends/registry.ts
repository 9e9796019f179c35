/**
 * The backend registry: every backend kernelbus knows, how each loads, and what each implements.
 * Adding a backend is one entry in MODULES and one in src/api/every-backend.ts; nothing else names backends.
 *
 * A backend's module is imported when it is first needed, not with the registry: the reference alone
 * is 200 KB of code, and `kernelbus vpin` on the native backend needs none of it. `importBackends()`
 * imports modules (all of them, or the ones named); the sync API (`loadBackend`, `backends()`,
 * `kernels()`) sees the imported ones. The entry points whose kernels run synchronously from their
 * first call (`kernelbus`, `kernelbus/kernels`, the engines) import them all statically (src/api/every-backend.ts;
 * the built package requires the reference's and tfjs's at their first load: src/api/deferred-backends.ts);
 * the command imports the ones its backend choice uses (src/cli/kernels.ts).
 */
import { FAMILY_KERNELS, type FamilyName, type KernelName, KERNEL_FAMILY } from '../kernels/families.js';
import type { Backend, BackendFeatures, BackendProvider, LoadedBackend } from './types.js';

/** The backends' modules, in registry order, the reference first (the fallback of 'auto'). */
const MODULES = {
  reference: async () => (await import('./reference/index.js')).referenceProvider,
  native: async () => (await import('./native/index.js')).nativeProvider,
  blas: async () => (await import('./blas/index.js')).blasProvider,
  tfjs: async () => (await import('./tfjs/index.js')).tfjsProvider,
  metal: async () => (await import('./metal/index.js')).metalProvider,
} as const satisfies Record<string, () => Promise<BackendProvider>>;

/** A registered backend's name. */
export type BackendName = keyof typeof MODULES;

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

/** The providers whose modules are imported (and those registerBackend added), by name. */
const providers = new Map<string, BackendProvider>();
const loaded = new Map<string, LoadedBackend>();

const isModule = (name: string): name is BackendName => Object.hasOwn(MODULES, name);

/** Makes providers whose modules were imported (statically: src/api/every-backend.ts) known to the sync API. */
export function installBackends(list: readonly BackendProvider[]): void {
  for (const p of list) if (isModule(p.name)) providers.set(p.name, p);
}

/**
 * Imports the modules of the backends named (default: all); names that are not registered backends
 * are left to the sync API to refuse. Resolves once `loadBackend` can load each of them.
 */
export async function importBackends(names: readonly string[] = Object.keys(MODULES)): Promise<void> {
  const missing = names.filter((n) => isModule(n) && !providers.has(n)) as BackendName[];
  installBackends(await Promise.all(missing.map((n) => MODULES[n]())));
}

/** The registered backend names, in registry order (imported or not). */
export function backendNames(): string[] {
  const extra = [...providers.keys()].filter((n) => !isModule(n));
  return [...Object.keys(MODULES), ...extra];
}

/** The provider of `name` when its module is imported, else undefined. */
export function provider(name: string): BackendProvider | undefined {
  return providers.get(name);
}

/**
 * Loads a registered backend once; later calls return the same result. A backend whose module is not
 * imported yet is unavailable, saying so (not remembered: importBackends makes it loadable).
 */
export function loadBackend(name: string): LoadedBackend {
  let result = loaded.get(name);
  if (!result) {
    const p = provider(name);
    if (!p && isModule(name)) return { reason: `its module is not imported (importBackends(['${name}']) first)` };
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
  return backendNames().map((key) => {
    const name = key as BackendName;
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
  if (providers.has(p.name) || isModule(p.name)) throw new Error(`backend '${p.name}' is already registered`);
  providers.set(p.name, p);
  return () => {
    providers.delete(p.name);
    loaded.delete(p.name);
  };
}
