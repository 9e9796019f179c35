/**
 * The kernels of a command (`vpin`, `risk`, `bars`...): kernels() for its --backend, after importing the
 * modules of the backends that choice can use and no others (src/backends/registry.ts). A named backend
 * imports its own; 'auto' imports the backends its table names (native, and BLAS and Metal over the
 * addon), and the reference only where the addon does not load: 'auto' then runs the calls it would
 * give the reference (a few trades or values) on native, whose results are the reference's (the one
 * kernel native lacks, aggregateTrades, no command calls). test/cli/startup.test.ts holds what each
 * command imports.
 */
import { AUTO_THRESHOLDS } from '../api/auto.js';
import { type BackendChoice, type Kernels, kernels } from '../api/kernels.js';
import { importBackends, loadBackend } from '../backends/registry.js';

/** The backends 'auto' picks from (the reference aside): every name of its table. */
const AUTO_BACKENDS = [...new Set(Object.values(AUTO_THRESHOLDS).flatMap((row) => row.map(([name]) => name)))];

/** kernels({ backend: choice }) with the modules of the backends `choice` uses imported. */
export async function commandKernels(choice: BackendChoice | undefined): Promise<Kernels> {
  const backend = choice ?? 'auto';
  await importBackends(backend === 'auto' ? AUTO_BACKENDS : [backend]);
  if (backend === 'auto' && !loadBackend('native').backend) await importBackends(['reference']);
  return kernels({ backend });
}
