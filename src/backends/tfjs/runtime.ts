/**
 * The one place that loads TensorFlow.js, lazily: nothing here runs until the tfjs backend is first
 * asked for (`kernels({ backend: 'tfjs' })`, `backends()`), so `kernelbus/kernels` loads no tfjs code
 * otherwise. The packages are optional for users (peer dependencies, devDependencies here):
 *
 * 1. `@tensorflow/tfjs-node` when it is installed and its native binding loads: the 'tensorflow'
 *    backend (libtensorflow), synchronous.
 * 2. Else `@tensorflow/tfjs-core` with `@tensorflow/tfjs-backend-cpu`: the 'cpu' backend (plain JS),
 *    synchronous, so the kernels can stay synchronous.
 * 3. `initTfjs({ backend: 'wasm' })` switches to `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD), whose
 *    initialisation is asynchronous: kernels called while it is pending throw BackendUnavailableError;
 *    once the promise resolved they run on wasm.
 *
 * A tfjs backend the application already made active is left as it is (tfjs has one global engine).
 * Every tfjs backend computes in float32.
 */
import { createRequire } from 'node:module';
import { BackendUnavailableError } from '../../errors.js';

/** The tfjs API (tfjs-core's exports; tfjs-node re-exports them). */
export type Tf = typeof import('@tensorflow/tfjs-core');

/** Loads a module by name (node's require; tests inject one that hides packages). */
export type Require = (id: string) => unknown;

import type { TfjsBackendName } from './public.js';

export type { TfjsBackendName };

/** Loaded TensorFlow.js. */
export interface TfjsRuntime {
  readonly tf: Tf;
  /** The package that provided the API: '@tensorflow/tfjs-node' or '@tensorflow/tfjs-core'. */
  readonly source: string;
  /** Why tfjs-node, though installed, was not used (its native binding did not load). */
  readonly nodeError?: string;
  readonly require: Require;
}

export type TfjsLoadResult = { runtime: TfjsRuntime; reason?: undefined } | { runtime?: undefined; reason: string };

/** Why the backend is unavailable where no TensorFlow.js package is installed, with the fix. */
export const TFJS_NOT_INSTALLED =
  'TensorFlow.js is not installed (npm install @tensorflow/tfjs-core @tensorflow/tfjs-backend-cpu, and @tensorflow/tfjs-backend-wasm for its wasm backend; or @tensorflow/tfjs-node)';

/** True when `error` says that module `id` itself (not something it requires) is missing. */
function isMissing(error: unknown, id: string): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${id}'`);
}

/** The first line of an error's message. */
function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}

/**
 * Loads TensorFlow.js (never throws): tfjs-node when it loads, else tfjs-core with the cpu backend; the
 * reason with the fix when neither is installed, or `disabled by KERNELBUS_TFJS=0` when hidden.
 */
export function loadTfjs(require: Require = createRequire(import.meta.url), env: NodeJS.ProcessEnv = process.env): TfjsLoadResult {
  if (env.KERNELBUS_TFJS === '0') return { reason: 'disabled by KERNELBUS_TFJS=0' };
  let nodeError: string | undefined;
  try {
    const tf = require('@tensorflow/tfjs-node') as Tf;
    activate(tf, 'tensorflow');
    return { runtime: { tf, source: '@tensorflow/tfjs-node', require } };
  } catch (error) {
    // installed but unusable (its install downloads libtensorflow, which fails offline): the fallback
    if (!isMissing(error, '@tensorflow/tfjs-node')) nodeError = firstLine(error);
  }
  try {
    const tf = require('@tensorflow/tfjs-core') as Tf;
    require('@tensorflow/tfjs-backend-cpu');
    activate(tf, 'cpu');
    return { runtime: { tf, source: '@tensorflow/tfjs-core', require, ...(nodeError === undefined ? {} : { nodeError }) } };
  } catch (error) {
    if (isMissing(error, '@tensorflow/tfjs-core') || isMissing(error, '@tensorflow/tfjs-backend-cpu')) {
      return { reason: nodeError ? `${TFJS_NOT_INSTALLED}; @tensorflow/tfjs-node did not load: ${nodeError}` : TFJS_NOT_INSTALLED };
    }
    return { reason: `TensorFlow.js did not load: ${firstLine(error)}` };
  }
}

/**
 * Makes `name` the active tfjs backend unless the application already chose one. Both are synchronous
 * backends, so setBackend() has switched before it returns (its promise is already settled).
 */
function activate(tf: Tf, name: TfjsBackendName): void {
  if (tf.getBackend()) return;
  void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new Error(`tfjs could not start its '${name}' backend`);
  // the cpu backend prints advice to install tfjs-node on its first tensor: the user chose this
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

let pending: Promise<string> | undefined;

/**
 * Switches the runtime to tfjs backend `name` (its package loaded on demand): 'wasm' initialises
 * asynchronously; resolves to the active backend's name. Rejects with BackendUnavailableError when the
 * package is not installed or the backend fails to start (the previous one stays active).
 */
export async function switchBackend(runtime: TfjsRuntime, name: TfjsBackendName): Promise<string> {
  const { tf } = runtime;
  // (not tf.findBackend('wasm'): it would start the asynchronous initialisation)
  if (name === 'wasm' && !registered(tf, 'wasm')) {
    try {
      runtime.require('@tensorflow/tfjs-backend-wasm');
    } catch (error) {
      throw new BackendUnavailableError(
        'tfjs',
        isMissing(error, '@tensorflow/tfjs-backend-wasm')
          ? 'the wasm backend is not installed (npm install @tensorflow/tfjs-backend-wasm)'
          : `the wasm backend did not load: ${firstLine(error)}`,
      );
    }
  }
  if (name === 'tensorflow' && runtime.source !== '@tensorflow/tfjs-node') {
    throw new BackendUnavailableError(
      'tfjs',
      runtime.nodeError ? `@tensorflow/tfjs-node did not load: ${runtime.nodeError}` : '@tensorflow/tfjs-node is not installed',
    );
  }
  const previous = tf.getBackend();
  const started = (async () => {
    const ok = await tf.setBackend(name);
    if (!ok) {
      if (previous) await tf.setBackend(previous);
      throw new BackendUnavailableError('tfjs', `the tfjs '${name}' backend failed to start`);
    }
    return tf.getBackend();
  })();
  pending = started;
  try {
    return await started;
  } finally {
    if (pending === started) pending = undefined;
  }
}

/** True when tfjs has a factory registered for backend `name` (registered but not started). */
function registered(tf: Tf, name: string): boolean {
  return (tf.engine() as unknown as { registryFactory?: Record<string, unknown> }).registryFactory?.[name] !== undefined;
}

/**
 * `f()` inside tf.tidy (every tensor it makes is disposed), returning what it read with dataSync().
 * Not tf.tidy's own return value: tidy walks a returned object for tensors to keep, element by element
 * for a typed array (seconds for 10^6 values).
 */
export function tidyRead<T>(tf: Tf, f: () => T): T {
  let out: T | undefined;
  tf.tidy(() => {
    out = f();
  });
  return out as T;
}

/** Throws BackendUnavailableError while a backend switch is pending (tfjs cannot run kernels then). */
export function requireReady(): void {
  if (pending)
    throw new BackendUnavailableError('tfjs', 'a tfjs backend is still initialising: await initTfjs() before calling the tfjs kernels');
}
