/**
 * Every backend's module, imported statically and installed in the registry: imported by the entry
 * points whose kernels run synchronously from their first call (`kernelbus`, `kernelbus/kernels`, the
 * engines). The command imports only the backends its choice uses instead (src/cli/kernels.ts, through
 * src/backends/registry.ts importBackends).
 */
import { blasProvider } from '../backends/blas/index.js';
import { metalProvider } from '../backends/metal/index.js';
import { nativeProvider } from '../backends/native/index.js';
import { referenceProvider } from '../backends/reference/index.js';
import { installBackends } from '../backends/registry.js';
import { tfjsProvider } from '../backends/tfjs/index.js';

installBackends([referenceProvider, nativeProvider, blasProvider, tfjsProvider, metalProvider]);
