/**
 * garchForecast by simulation (EGARCH beyond one step; any model on request): its first step is the
 * analytic one (1e-12), its later steps agree with arch 8.0.0's own simulation (EGARCH, 20,000 paths
 * each, arch's draws and ours: 2% relative, a few of the two Monte Carlo errors) and with the analytic
 * forecast where there is one (GARCH, GJR: 1.5%). The draws are Philox's, so a seed gives the same
 * paths on every backend (bit for bit) and another seed other ones.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, type Kernels } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { aparchFixture, type Case, fixture, returnsOf } from './cases.js';

type Simulated = Case & { simulationAtFix?: { horizon: number; simulations: number; residualVariance: number[] } };
const cases = fixture.cases as Simulated[];
/** APARCH's simulations at fixed parameters: arch's paths from RandomState(12345), 20,000 of them. */
const aparch = aparchFixture.cases as Simulated[];
const source = (c: Case) => ({ returns: returnsOf(c), ...c.spec, params: Float64Array.from(c.fix.params) });
const SIM = { horizon: 10, method: 'simulation', simulations: 20000, seed: 7 } as const;

describe('garchForecast by simulation [reference]', () => {
  it.each([...cases, ...aparch].filter((c) => c.simulationAtFix))("$name: arch's simulation", (c) => {
    const ours = ref.garchForecast(source(c), SIM).residualVariance;
    const theirs = c.simulationAtFix!.residualVariance;
    const first = ref.garchForecast(source(c), { horizon: 1 }).residualVariance[0];
    expect(Math.abs(ours[0] - first)).toBeLessThanOrEqual(1e-12 * first);
    for (let h = 0; h < 10; h++) expect(Math.abs(ours[h] / theirs[h] - 1)).toBeLessThan(0.02);
  });

  it.each(cases.filter((c) => c.spec.vol !== 'egarch').slice(0, 3))('$name: the analytic forecast', (c) => {
    const sim = ref.garchForecast(source(c), SIM);
    const analytic = ref.garchForecast(source(c), { horizon: 10 });
    expect(Math.abs(sim.residualVariance[0] / analytic.residualVariance[0] - 1)).toBeLessThan(1e-12);
    for (let h = 1; h < 10; h++) expect(Math.abs(sim.residualVariance[h] / analytic.residualVariance[h] - 1)).toBeLessThan(0.015);
    expect(sim.mean).toEqual(analytic.mean); // the mean stays analytic, as arch's
  });

  it('a seed gives the same paths, another seed other ones', () => {
    const c = cases.find((x) => x.spec.vol === 'egarch')!;
    const small = { ...SIM, simulations: 200 };
    expect(ref.garchForecast(source(c), small)).toEqual(ref.garchForecast(source(c), small));
    expect(ref.garchForecast(source(c), { ...small, seed: 8 }).variance).not.toEqual(ref.garchForecast(source(c), small).variance);
  });

  it.each([
    [{ method: 'bootstrap' }, "options.method: expected one of 'analytic', 'simulation'"],
    [{ method: 'simulation', simulations: 0 }, 'options.simulations: expected an integer in [1, 1000000], got 0'],
    [{ method: 'simulation', seed: -1 }, 'options.seed: expected an integer in [0, 2^53), got -1'],
  ])('bad options %o', (options, message) => {
    const c = cases[0];
    expect(() => ref.garchForecast(source(c), options as never)).toThrow(KernelInputError);
    expect(() => ref.garchForecast(source(c), options as never)).toThrow(message);
  });
});

describeEachBackend(
  'garchForecast by simulation',
  (k: Kernels) => {
    it.each(cases)('$name equals the reference bit for bit', (c) => {
      const o = { ...SIM, simulations: 300 };
      expect(k.garchForecast(source(c), o)).toEqual(ref.garchForecast(source(c), o));
    });
  },
  'volatility',
);

describe('garchForecast of a Matrix fit [reference]', () => {
  it("a column's fit forecasts from that column's returns, as of the fit", () => {
    const a = returnsOf(cases[0]);
    const b = a.map((v) => -v);
    const T = a.length;
    const data = new Float64Array(2 * T);
    for (let t = 0; t < T; t++) {
      data[2 * t] = a[t];
      data[2 * t + 1] = b[t];
    }
    const fits = ref.garch({ data, rows: T, cols: 2 });
    const expected = ref.garchForecast(ref.garch(b), { horizon: 5 });
    data.fill(0); // the fit keeps its own copy of the returns
    expect(ref.garchForecast(fits[1], { horizon: 5 })).toEqual(expected);
  });
});
