/**
 * Backends under test. Locally a backend that did not build is skipped; with CI=true it fails the run
 * (the suite registers a failing test with the load error instead of skipping).
 */
import { describe, it } from 'vitest';
import { backends, kernels, type BackendName, type Kernels } from '../../src/index.js';

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/** Runs `body` once per backend other than the reference, with that backend's kernels. */
export function describeEachBackend(title: string, body: (k: Kernels, name: BackendName) => void): void {
  for (const info of backends()) {
    if (info.name === 'reference') continue;
    if (info.available) {
      describe(`${title} [${info.name}]`, () => body(kernels({ backend: info.name }), info.name));
    } else if (inCI) {
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

/** The reference kernels, the oracle. */
export const ref = kernels({ backend: 'reference' });
