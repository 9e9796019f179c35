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
import { autoBackend } from './auto.js';

/** A kernel's result: the value, or a promise of it (the `<name>Async` functions). */
export type Result<Async extends boolean, T> = Async extends true ? Promise<T> : T;

/**
 * Runs `kernel` (of `family`) over `size` elements on the backend the choice picks: `call` gets the
 * backend's implementation of the family and calls it, `shape` turns what it returned into the API's
 * result. The asynchronous run hands `call` the promise variants where the backend has them (its
 * calls then return promises: `shape` gets what they resolve to).
 */
export type Run<Async extends boolean> = <F extends FamilyName, R, T>(
  family: F,
  kernel: KernelName,
  size: number,
  call: (impl: Families[F]) => R,
  shape: (out: R) => T,
) => Result<Async, T>;

/** Picks the backend of one call: `fixed` when named, else 'auto' by size; configures its threads. */
export function backendPicker(fixed: Backend | undefined, threads: number | undefined): (kernel: KernelName, size: number) => Backend {
  const settings = { threads };
  return (kernel, size) => {
    const backend = fixed ?? autoBackend(kernel, size);
    if (!implementsKernel(backend, kernel)) {
      throw new BackendUnavailableError(
        backend.name,
        `it does not implement kernel '${kernel}' (family '${KERNEL_FAMILY[kernel]}')`,
        kernel,
      );
    }
    backend.configure?.(settings);
    return backend;
  };
}

/** The synchronous run: the backend's kernel, its output shaped at once. */
export function syncRun(pick: (kernel: KernelName, size: number) => Backend): Run<false> {
  return (family, kernel, size, call, shape) => shape(call(pick(kernel, size).families[family] as Families[typeof family]));
}

/**
 * The promised run: the backend's promise variant of the kernel where it has one, else its synchronous
 * kernel; settles with the shaped output, and rejects with any error, validation included.
 */
export function promisedRun(pick: (kernel: KernelName, size: number) => Backend): Run<true> {
  return (family, kernel, size, call, shape) =>
    new Promise((resolve) => {
      const backend = pick(kernel, size);
      const promised = (backend.async?.[family] as Record<string, unknown> | undefined)?.[kernel];
      // The family as `call` sees it: this kernel replaced by its promise variant (the others untouched).
      const impl = promised ? { ...backend.families[family], [kernel]: promised } : backend.families[family];
      resolve(call(impl as Families[typeof family]));
    }).then((out) => shape(out as Parameters<typeof shape>[0]));
}
