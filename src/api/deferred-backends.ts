/**
 * The reference and tfjs backends' providers as the built package installs them: scripts/bundle.mjs
 * puts this module in place of their modules where src/api/every-backend.ts imports them, so that an
 * entry point (`kernelbus`, `kernelbus/kernels`, the engines) does not compile their 285 KB of code
 * when it is imported (docs/architecture.md, Starting). Each backend's module is required on the
 * provider's first load(), synchronously: Node >= 20.19 (the package's engines) loads an ES module with
 * require(), and an ES module required and imported is one module. The sources keep the static imports:
 * vitest cannot require a .ts file, and the tests of the built package check this module
 * (test/package/exports.test.ts).
 */
import { createRequire } from 'node:module';
import type * as ReferenceModule from '../backends/reference/index.js';
import type * as TfjsModule from '../backends/tfjs/index.js';
import { registerTfjsInit } from '../backends/tfjs/public.js';
import type { BackendProvider } from '../backends/types.js';

const require = createRequire(import.meta.url);

/**
 * The backends' modules as the bundle lays them out: paths from a file one folder below dist/ (the
 * bundle holds this module's code in dist/chunks/, which scripts/bundle.mjs checks).
 */
const referenceModule = () => require('../backends/reference/index.js') as typeof ReferenceModule;
const tfjsModule = () => require('../backends/tfjs/index.js') as typeof TfjsModule;

/** A provider with the backend's name and `expected` whose load() requires the backend's module first. */
function deferred(name: string, expected: boolean, real: () => BackendProvider): BackendProvider {
  let provider: BackendProvider | undefined;
  return { name, expected, load: () => (provider ??= real()).load() };
}

export const referenceProvider = deferred('reference', true, () => referenceModule().referenceProvider);
export const tfjsProvider = deferred('tfjs', false, () => tfjsModule().tfjsProvider);

// initTfjs() before the tfjs backend's first load requires its module too
registerTfjsInit((options) => tfjsModule().initBackend(options));
