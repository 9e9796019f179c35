/** Backend registry: what is built and loadable here, and how names resolve to implementations. */
import { BackendUnavailableError } from '../errors.js';
import { loadNative } from './native/binding.js';
import { nativeBackend } from './native/index.js';
import { referenceBackend } from './reference/index.js';
import type { Backend, BackendName } from './types.js';

export type { Backend, BackendName } from './types.js';
/** What `kernels({ backend })` accepts. */
export type BackendChoice = 'auto' | BackendName;

/** One row of `backends()`. */
export interface BackendInfo {
  name: BackendName;
  /** Loaded and usable on this machine. */
  available: boolean;
  /** Why not, with the fixes (when unavailable). */
  reason?: string;
  /** Native only: where the binary came from and what it was built with. */
  path?: string;
  features?: { napiVersion: number; platform: string; threads: boolean; blas: boolean; accelerate: boolean; metal: boolean };
}

let native: Backend | undefined;

/** The native backend, or BackendUnavailableError saying why it is not here. */
export function nativeOrThrow(): Backend {
  const loaded = loadNative();
  if (!loaded.binding) throw new BackendUnavailableError('native', loaded.error.message);
  native ??= nativeBackend(loaded.binding);
  return native;
}

/** A backend by name; BackendUnavailableError when it is not built or cannot load. */
export function getBackend(name: BackendName): Backend {
  if (name === 'reference') return referenceBackend;
  if (name === 'native') return nativeOrThrow();
  throw new BackendUnavailableError(String(name), "unknown backend (expected 'auto', 'native' or 'reference')");
}

/** Reports every backend and whether it loads on this machine. */
export function backends(): BackendInfo[] {
  const loaded = loadNative();
  const nativeInfo: BackendInfo = loaded.binding
    ? { name: 'native', available: true, path: loaded.path, features: loaded.binding.features() }
    : { name: 'native', available: false, reason: loaded.error.message };
  return [{ name: 'reference', available: true }, nativeInfo];
}

let warned = false;

/**
 * The backend 'auto' uses for large inputs: native when it loads, else the reference with a
 * one-time warning (none when KERNELBUS_BACKEND=reference asked for exactly that).
 */
export function autoBackend(): Backend {
  const loaded = loadNative();
  if (loaded.binding) return nativeOrThrow();
  if (!warned && process.env.KERNELBUS_BACKEND !== 'reference') {
    warned = true;
    process.emitWarning(`kernelbus: using the reference backend: ${loaded.error.message}`, { code: 'KERNELBUS_NO_NATIVE' });
  }
  return referenceBackend;
}

export { referenceBackend };
