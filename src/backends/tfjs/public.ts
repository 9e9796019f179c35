/**
 * What `kernelbus/kernels` exports of the tfjs backend. No declaration here names a type of the
 * optional TensorFlow.js packages, so that a project without them (and with `skipLibCheck: false`)
 * type-checks against the package: the backend itself (./index.ts, ./runtime.ts) types its tfjs calls
 * with `@tensorflow/tfjs-core`'s declarations, which the public declarations never reach.
 */

/** The tfjs backends kernelbus can run on: tfjs-node's, the wasm one and the plain-JS one. */
export type TfjsBackendName = 'tensorflow' | 'wasm' | 'cpu';

/**
 * Loads TensorFlow.js if needed and makes `backend` the active tfjs backend (default: tfjs-node's
 * 'tensorflow' where it loaded, else 'wasm'); resolves to the active backend's name ('tensorflow',
 * 'wasm' or 'cpu'). The tfjs kernels are synchronous: until this settles they run on the backend
 * active before (tfjs-node's, else cpu), and calls made while a switch is pending throw
 * BackendUnavailableError. Rejects with BackendUnavailableError when tfjs or that backend is not
 * installed (the previous backend stays active).
 */
export function initTfjs(options: { backend?: TfjsBackendName } = {}): Promise<string> {
  if (!init) return Promise.reject(new Error('kernelbus: the tfjs backend module (src/backends/tfjs/index.ts) is not loaded'));
  return init(options);
}

let init: typeof initTfjs | undefined;

/** Called by the backend's module (./index.ts, loaded by the registry) with its initTfjs(). */
export function registerTfjsInit(f: typeof initTfjs): void {
  init = f;
}
