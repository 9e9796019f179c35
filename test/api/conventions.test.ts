/**
 * One input convention across families, checked from the descriptors: an option a kernel does not know
 * is a KernelInputError naming it; a Float64Array is one series where a Matrix is taken (one column of
 * returns in the risk family, one date of a panel in the factor family); every kernel has its promise
 * form; outputs are laid out by the descriptors alone.
 */
import { describe, expect, it } from 'vitest';
import { FAMILY_KERNELS, KernelInputError, kernels, matrix } from '../../src/api/index.js';
import { dimsOf, outputLength, splitOutputs } from '../../src/kernels/descriptor.js';
import { KERNEL_SPECS } from '../../src/kernels/families.js';
import { FACTOR_KERNELS } from '../../src/kernels/factor/factor-kernels.js';
import { RISK_KERNELS } from '../../src/kernels/risk/risk-kernels.js';

const ref = kernels({ backend: 'reference' });
const returns = matrix(
  Float64Array.from({ length: 40 }, (_, k) => Math.sin(k * 1.7) / 50),
  20,
  2,
);

describe('unknown options', () => {
  const cases: [string, () => unknown, string][] = [
    [
      'valueAtRisk',
      () => ref.valueAtRisk(returns, { confidense: 0.99 } as never),
      `options: expected only the options method, confidence, ddof, got unknown option "confidense"`,
    ],
    [
      'performanceStats',
      () => ref.performanceStats(returns, { periodsPerYear: 12, rf: 0 } as never),
      `options: expected only the options periodsPerYear, riskFree, requiredReturn, got unknown option "rf"`,
    ],
    ['covariance', () => ref.covariance(returns, { method: 'oas', shrinkage: 0.1, x: 1 } as never), `got unknown options "shrinkage", "x"`],
    [
      'winsorize',
      () => ref.winsorize(returns, { lower: 0.1, threads: 2 } as never),
      `options: expected only the options lower, upper, got unknown option "threads"`,
    ],
    [
      'vpin',
      () =>
        ref.vpin({ ts: new Float64Array(0), price: new Float64Array(0), volume: new Float64Array(0) }, {
          bucketVolume: 1,
          windows: 5,
        } as never),
      `got unknown option "windows"`,
    ],
    [
      'kernels()',
      () => kernels({ backend: 'reference', thread: 2 } as never),
      `options: expected only the options backend, threads, got unknown option "thread"`,
    ],
  ];
  it.each(cases)('%s', (_, call, message) => {
    expect(call).toThrow(KernelInputError);
    expect(call).toThrow(message);
  });

  it('a known option set to undefined is fine, and the async form rejects the same way', async () => {
    expect(ref.valueAtRisk(returns, { method: 'historical', confidence: undefined }).var.length).toBe(2);
    await expect(ref.valueAtRiskAsync(returns, { confidense: 0.99 } as never)).rejects.toThrow('unknown option "confidense"');
  });
});

describe('a Float64Array is one date of a factor panel', () => {
  const row = Float64Array.of(3, -1, 0.5, 8, 2, -4);
  it('winsorize and standardize of one date equal the 1 x N matrix, returned as a Float64Array', () => {
    const one = ref.winsorize(row, { lower: 0.2, upper: 0.8 });
    expect(one).toBeInstanceOf(Float64Array);
    expect(Array.from(one)).toEqual(Array.from(ref.winsorize(matrix(row, 1, row.length), { lower: 0.2, upper: 0.8 }).data));
    const z = ref.standardize(row);
    expect(z).toBeInstanceOf(Float64Array);
    expect(Array.from(z)).toEqual(Array.from(ref.standardize(matrix(row, 1, row.length)).data));
  });
  it('a risk kernel reads a Float64Array as one series: its statistics are numbers', () => {
    expect(typeof ref.performanceStats(returns.data).sharpe).toBe('number');
  });
});

describe('descriptors', () => {
  it('every kernel of the catalogue has one, and FAMILY_KERNELS is read off them', () => {
    for (const names of Object.values(FAMILY_KERNELS)) for (const name of names) expect(KERNEL_SPECS[name], name).toBeDefined();
    expect(FAMILY_KERNELS.risk).toEqual(Object.keys(RISK_KERNELS));
  });

  it('a kernel with packed parameters lists each once, with the argument its fault names', () => {
    for (const [name, spec] of Object.entries(KERNEL_SPECS)) {
      const keys = spec.params.map((p) => p.key);
      expect(new Set(keys).size, name).toBe(keys.length);
      for (const p of spec.params) expect(p.expected.length, `${name}.${p.key}`).toBeGreaterThan(0);
    }
  });

  it('outputs are split in order by their shapes: componentVar of 3 portfolios of 2 assets', () => {
    const dims = dimsOf(RISK_KERNELS.componentVar)([new Float64Array(0), 0, 2, new Float64Array(0), 3]);
    expect(outputLength(RISK_KERNELS.componentVar.outputs, dims)).toBe(3 * (2 + 2 * 2));
    const out = Float64Array.from({ length: 18 }, (_, k) => k);
    const o = splitOutputs(RISK_KERNELS.componentVar.outputs, out, dims);
    expect(Array.from(o.es as Float64Array)).toEqual([3, 4, 5]);
    expect(o.esContributions).toEqual({ data: out.subarray(12), rows: 3, cols: 2 });
    const cov = splitOutputs(RISK_KERNELS.covariance.outputs, Float64Array.of(1, 2, 2, 5, 0.25), { N: 2 });
    expect(cov.shrinkage).toBe(0.25);
    const fr = FACTOR_KERNELS.factorReturns.dims(new Float64Array(0), new Float64Array(0), 4, 5, new Float64Array(0), 0, 3, [
      new Float64Array(0),
    ]);
    expect(fr).toEqual({ T: 4, N: 5, K: 5 });
  });

  it('every synchronous kernel has its promise form (special functions and vpin included) with the same result', async () => {
    const k = ref as unknown as Record<string, unknown>;
    for (const names of Object.values(FAMILY_KERNELS)) {
      for (const name of names) if (name !== 'vpinStream') expect(typeof k[`${name}Async`], `${name}Async`).toBe('function');
    }
    const x = Float64Array.of(-1, 0, 2);
    expect(await ref.normalCdfAsync(x)).toEqual(ref.normalCdf(x));
    expect(await ref.studentTQuantileAsync(Float64Array.of(0.1, 0.9), 4)).toEqual(ref.studentTQuantile(Float64Array.of(0.1, 0.9), 4));
  });
});

describe('checks found by the errors suites', () => {
  const eye = (v: number) => matrix(Float64Array.of(1, v, 0, 1), 2, 2);
  it('a covariance with a non-finite value above the diagonal is refused (it was read as symmetric: NaN compares false)', () => {
    expect(() => ref.portfolioVolatility(eye(NaN), Float64Array.of(1, 1))).toThrow('cov.data: expected finite values, got [0][1] = NaN');
    expect(() => ref.monteCarloVar({ mean: new Float64Array(2), cov: eye(Infinity) }, Float64Array.of(1, 1))).toThrow(
      'cov.data: expected finite values, got [0][1] = Infinity',
    );
  });
  it('a Monte Carlo seed of 2^53 or more is refused on every backend (the message promised [0, 2^53))', () => {
    expect(() => ref.monteCarloScenarios({ mean: new Float64Array(1), cov: matrix(Float64Array.of(1), 1, 1) }, { seed: 2 ** 53 })).toThrow(
      'options.seed: expected an integer in [0, 2^53), got 9007199254740992',
    );
  });
});
