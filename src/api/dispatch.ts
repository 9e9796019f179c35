/**
 * How an API kernel reaches a backend: the backend choice picks one per call (a named backend, or
 * 'auto' by input size), and a `Run` calls the kernel on it and shapes the output. The API's kernels
 * are the descriptors' `api` over a Run (src/api/kernels.ts); `kernels()` instantiates them with the
 * synchronous run (the plain functions) and with the promised one (`<name>Async`: the
 * backend's promise variant where it has one, the native addon's thread pool, else the synchronous
 * kernel; validation errors reject).
 */
import { implementsKernel } from '../backends/registry.js';
import type { Backend } from '../backends/types.js';
import { BackendUnavailableError } from '../errors.js';
import { KERNEL_FAMILY, type Families, type FamilyName, type KernelName } from '../kernels/families.js';
import { autoPicker } from './auto.js';

/** A kernel's result: the value, or a promise of it (the `<name>Async` functions). */
export type Result<Async extends boolean, T> = Async extends true ? Promise<T> : T;

/** One kernel as the API calls it: its family, its name, and the backend of a call of `size` elements. */
export interface Site {
  readonly family: FamilyName;
  readonly kernel: KernelName;
  pick(size: number): Backend;
}

/**
 * Runs the kernel of `site` over `size` elements on the backend it picks: `call` gets the backend's
 * implementation of the family and calls it, `shape` turns what it returned into the API's result.
 * The asynchronous run hands `call` the promise variants where the backend has them (its calls then
 * return promises: `shape` gets what they resolve to).
 */
export type Run<Async extends boolean> = <R, T>(
  site: Site,
  size: number,
  call: (impl: Families[FamilyName]) => R,
  shape: (out: R) => T,
) => Result<Async, T>;

/**
 * The sites of one backend choice: `fixed` when named (BackendUnavailableError at the call of a kernel
 * it lacks), else 'auto' by size (src/api/auto.ts autoPicker); each call configures the backend's threads.
 */
export function siteMaker(fixed: Backend | undefined, threads: number | undefined): (family: FamilyName, kernel: KernelName) => Site {
  const settings = { threads };
  return (family, kernel) => {
    const choose = fixed ? fixedPicker(fixed, kernel) : autoPicker(kernel);
    return {
      family,
      kernel,
      pick(size) {
        const backend = choose(size);
        backend.configure?.(settings);
        return backend;
      },
    };
  };
}

/** A named backend for `kernel`: itself, or BackendUnavailableError at each call when it lacks it. */
function fixedPicker(backend: Backend, kernel: KernelName): (size: number) => Backend {
  if (implementsKernel(backend, kernel)) return () => backend;
  return () => {
    throw new BackendUnavailableError(backend.name, `it does not implement kernel '${kernel}' (family '${KERNEL_FAMILY[kernel]}')`, kernel);
  };
}

/** The synchronous run: the backend's kernel, its output shaped at once. */
export const syncRun: Run<false> = (site, size, call, shape) => shape(call(site.pick(size).families[site.family] as Families[FamilyName]));

/**
 * The promised run: the backend's promise variant of the kernel where it has one, else its synchronous
 * kernel; settles with the shaped output, and rejects with any error, validation included.
 */
export const promisedRun: Run<true> = (site, size, call, shape) =>
  new Promise((resolve) => {
    const backend = site.pick(size);
    const promised = (backend.async?.[site.family] as Record<string, unknown> | undefined)?.[site.kernel];
    // The family as `call` sees it: this kernel replaced by its promise variant (the others untouched).
    const impl = promised ? { ...backend.families[site.family], [site.kernel]: promised } : backend.families[site.family];
    resolve(call(impl as Families[FamilyName]));
  }).then((out) => shape(out as Parameters<typeof shape>[0]));
