/**
 * 'auto' picks per kernel with a picker made once (src/api/auto.ts autoPicker): a backend whose module
 * is imported after the picker was made is picked from then on, by the kernel's thresholds. This file
 * imports no backend statically (the package root would import them all).
 */
import { describe, expect, it } from 'vitest';
import { autoPicker, VOLATILITY_NATIVE_MIN_VALUES } from '../../src/api/auto.js';
import { kernels } from '../../src/api/kernels.js';
import { loadBackend, importBackends } from '../../src/backends/registry.js';
import { BackendUnavailableError } from '../../src/errors.js';
import { matrix } from '../../src/kernels/matrix.js';

describe('auto picks backends imported after its picker was made', () => {
  it('none, then the reference, then native by size', async () => {
    const pick = autoPicker('portfolioVolatility');
    const k = kernels({ backend: 'auto' });
    const cov = matrix(Float64Array.of(0.04, 0.01, 0.01, 0.09), 2, 2);
    const w = Float64Array.of(0.5, 0.5);
    expect(() => pick(100)).toThrow(BackendUnavailableError);
    expect(() => k.portfolioVolatility(cov, w)).toThrow(BackendUnavailableError);
    await importBackends(['reference']);
    expect(pick(100).name).toBe('reference');
    expect(k.portfolioVolatility(cov, w)).toBeCloseTo(Math.sqrt(0.25 * (0.04 + 0.09 + 0.02)), 15);
    await importBackends(['native']);
    if (!loadBackend('native').backend) {
      expect(process.env.CI).not.toBe('true'); // CI builds the addon (test/helpers/backends.ts imports every backend: not here)
      return;
    }
    expect(pick(VOLATILITY_NATIVE_MIN_VALUES).name).toBe('native');
    expect(pick(VOLATILITY_NATIVE_MIN_VALUES - 1).name).toBe('reference');
  });
});
