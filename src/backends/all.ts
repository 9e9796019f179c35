/**
 * Every backend's module, imported statically and installed in the registry: imported by the entry
 * points whose kernels run synchronously from their first call (`kernelbus`, `kernelbus/kernels`, the
 * engines). The command imports only the backends its choice uses instead (registry.ts importBackends,
 * src/cli/kernels.ts).
 */
import { blasProvider } from './blas/index.js';
import { metalProvider } from './metal/index.js';
import { nativeProvider } from './native/index.js';
import { referenceProvider } from './reference/index.js';
import { installBackends } from './registry.js';
import { tfjsProvider } from './tfjs/index.js';

installBackends([referenceProvider, nativeProvider, blasProvider, tfjsProvider, metalProvider]);
