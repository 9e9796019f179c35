/**
 * What a backend is: a name and the kernel families it implements (all of a family, or some of its
 * kernels). The families' interfaces are the specs in src/kernels/; the registry (registry.ts) lists
 * the backends and loads them; the dispatching API (src/api/) picks one per call.
 */
import type { Families, FamilyName } from '../kernels/families.js';

export interface Backend {
  readonly name: string;
  /** The families this backend implements; a partial family lacks the kernels it leaves out. */
  readonly families: { readonly [F in FamilyName]?: Partial<Families[F]> };
  /**
   * Promise variants of some kernels that run off the JS thread (the native addon's thread pool); a
   * kernel without one runs synchronously when called through the API's `<name>Async`.
   */
  readonly async?: { readonly [F in FamilyName]?: AsyncFamily<Families[F]> };
  /** Applies per-call settings before a kernel runs (threads: undefined for the backend's default). */
  configure?(settings: { threads?: number }): void;
}

/** A family's kernels as promises (some of them). */
export type AsyncFamily<T> = {
  readonly [K in keyof T]?: NonNullable<T[K]> extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
};

/** What a backend reports about itself in `backends()` (threads, BLAS vendor, GPU device...). */
export type BackendFeatures = Readonly<Record<string, string | number | boolean>>;

/** A loaded backend, or why it cannot load here (with the fixes). */
export type LoadedBackend =
  | { backend: Backend; features?: BackendFeatures; path?: string; reason?: undefined }
  | { backend?: undefined; reason: string };

/** One entry of the registry. */
export interface BackendProvider {
  readonly name: string;
  /**
   * True when the backend is meant to load on every supported platform: 'auto' then warns once when
   * it does not (a platform-specific backend such as Metal is silently skipped elsewhere).
   */
  readonly expected: boolean;
  /** Loads the backend (called at most once). Never throws: a failure is a `reason`. */
  load(): LoadedBackend;
}
