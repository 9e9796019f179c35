/**
 * Backends under test. Locally a backend that did not build is skipped; with CI=true it fails the run
 * (the suite registers a failing test with the load error instead of skipping). A backend implements
 * some kernels: a suite of one family skips the backends with none of its kernels, and a test of a
 * kernel a backend lacks is skipped for it (`it.runIf(supports('covariance'))`), never failed.
 */
import { describe, it } from 'vitest';
import { FAMILY_KERNELS, type FamilyName, type KernelName } from '../../src/api/index.js';
import { PIN_KERNEL_NAMES } from '../../src/kernels/vpin/pin-kernels.js';
import { metalCpuProvider } from '../../src/backends/metal/index.js';
import { registerBackend } from '../../src/backends/registry.js';
import { backends, kernels, type BackendName, type Kernels } from '../../src/index.js';

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

// The Metal backend's shaders compiled as C++ and run on the CPU ('metal-cpu', src/backends/metal/): not
// in the registry (its speed says nothing about a GPU's), registered here so that every parity suite
// tests the shaders' arithmetic, wherever the addon builds.
registerBackend(metalCpuProvider);

/**
 * A backend that may be missing even in CI: 'metal' needs an Apple GPU of the Apple7 family, which
 * hosted runners lack; METAL_REQUIRED=1 (a self-hosted Apple-silicon runner) makes it required.
 */
function optionalInCI(name: string): boolean {
  return name === 'metal' && process.env.METAL_REQUIRED !== '1';
}

/** True when the backend implements every kernel named. */
export type Supports = (...kernels: KernelName[]) => boolean;

/**
 * Runs `body` once per backend other than the reference, with that backend's kernels, its name and
 * `supports`; with `family`, only for the backends that implement some kernel of that family.
 */
export function describeEachBackend(
  title: string,
  body: (k: Kernels, name: BackendName, supports: Supports) => void,
  family?: FamilyName,
): void {
  for (const info of backends()) {
    if (info.name === 'reference') continue;
    if (info.available) {
      const has = new Set<string>(info.kernels);
      const supports: Supports = (...names) => names.every((n) => has.has(n));
      if (family && !(FAMILY_KERNELS[family] as readonly KernelName[]).some((n) => has.has(n))) {
        describe.skip(`${title} [${info.name}] (implements no ${family} kernel)`, () => {});
      } else {
        describe(`${title} [${info.name}]`, () => body(kernels({ backend: info.name }), info.name, supports));
      }
    } else if (inCI && !optionalInCI(info.name)) {
      describe(`${title} [${info.name}]`, () => {
        it('backend is available (required in CI)', () => {
          throw new Error(`backend '${info.name}' did not load: ${info.reason}`);
        });
      });
    } else {
      describe.skip(`${title} [${info.name}] (not built: ${info.reason})`, () => {});
    }
  }
}

/** Kernels no engine calls (PIN's; aggregateTrades is reference-only), not needed to run a family's engine. */
const NOT_IN_ENGINES: readonly string[] = PIN_KERNEL_NAMES;

/** The available backends that implement every kernel of `family` an engine of that family needs. */
export function completeBackends(family: FamilyName): BackendName[] {
  return backends()
    .filter((b) => b.available && FAMILY_KERNELS[family].every((k: KernelName) => NOT_IN_ENGINES.includes(k) || b.kernels.includes(k)))
    .map((b) => b.name);
}

/** The reference kernels, the oracle. */
export const ref = kernels({ backend: 'reference' });
