/**
 * Every backend's module, imported statically, and the call that installs them in the registry:
 * made by the entry points whose kernels run synchronously from their first call (`kernelbus`,
 * `kernelbus/kernels`, the engines) before they use a kernel. The command imports only the backends
 * its choice uses instead (src/cli/kernels.ts, through src/backends/registry.ts importBackends). In the
 * built package the reference and tfjs providers come from ./deferred-backends.ts (scripts/bundle.mjs):
 * their modules load at the backend's first use.
 *
 * A call, not an import for its side effect: the bundle (scripts/bundle.mjs, esbuild with code
 * splitting) does not keep the order of side-effect imports across its chunks, and
 * `import 'kernelbus'` built its default kernels before the backends were installed
 * (KERNELBUS_BACKEND=native threw at import).
 */
import { blasProvider } from '../backends/blas/index.js';
import { metalProvider } from '../backends/metal/index.js';
import { nativeProvider } from '../backends/native/index.js';
import { referenceProvider } from '../backends/reference/index.js';
import { installBackends } from '../backends/registry.js';
import { tfjsProvider } from '../backends/tfjs/index.js';

/** Installs every backend in the registry (idempotent: a backend installed again is the same provider). */
export function installEveryBackend(): void {
  installBackends([referenceProvider, nativeProvider, blasProvider, tfjsProvider, metalProvider]);
}
