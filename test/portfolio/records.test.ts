/**
 * The optimizers' native entries as the native backend calls them: the problems and the constraints
 * as two records (src/kernels/portfolio/portfolio.ts ProblemStack and ResolvedConstraints) spread into
 * consecutive arguments in the order the entry's `records` layout names (native/binding/entry.h,
 * src/backends/native/binding.ts spreadRecords). The layout names the records' fields; the API's results
 * from a direct call; each field's faults under its name (`stack.cov`); random arguments without a crash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadNative, type RecordLayout, spreadRecords } from '../../src/backends/native/binding.js';
import { KernelInputError } from '../../src/errors.js';
import { kernels, matrix } from '../../src/index.js';
import { type ProblemStack, type ResolvedConstraints, resolveConstraints } from '../../src/kernels/portfolio/portfolio.js';
import { inCI } from '../helpers/backends.js';
import { randomCov, rng } from './kkt.js';

const loaded = loadNative();
const suite = loaded.binding ? describe : inCI ? describe : describe.skip;
type Entry = ((...args: unknown[]) => void) & RecordLayout;
const raw = (name: string) => (loaded.binding as Record<string, unknown>)[name] as Entry;
/** The entry `name` called with `args`, its records spread as the native backend spreads them. */
const entry =
  (name: string) =>
  (...args: unknown[]) =>
    raw(name)(...spreadRecords(raw(name).records ?? [], args));
const entryAsync =
  (name: string) =>
  (...args: unknown[]) =>
    (raw(`${name}Async`) as unknown as (...a: unknown[]) => Promise<void>)(...spreadRecords(raw(`${name}Async`).records ?? [], args));

const N = 4;
const COV = randomCov(N, 40, rng(7)).data;
const MEAN = Float64Array.of(0.001, 0.002, 0.0015, 0.0005);
const NO_MEANS = new Float64Array(0);

/** The two records of one problem (bounds [0, 0.6]) and the optimizer's output array. */
function records(): { stack: ProblemStack; constraints: ResolvedConstraints } {
  const stack = { mean: MEAN, meanCount: 1, cov: COV.slice(), covCount: 1, n: N, problems: 1 };
  return { stack, constraints: resolveConstraints({ bounds: { lower: 0, upper: 0.6 } }, N).constraints };
}
const minVarianceOut = () => new Float64Array(N + 2);

/** The KernelInputError message a call throws. */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(KernelInputError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

suite('the optimizers’ native entries take two records', () => {
  it('a direct call gives the API’s results (sync and async)', async () => {
    const native = kernels({ backend: 'native' });
    const { stack, constraints } = records();
    const out = minVarianceOut();
    // params: l2Gamma 0, psdTest 1 (the API's, as it tests a covariance it has not seen twice)
    entry('minVariance')({ ...stack, mean: NO_MEANS, meanCount: 0 }, constraints, Float64Array.of(0, 1), out);
    const api = native.minVariance(matrix(COV, N, N), { bounds: { lower: 0, upper: 0.6 } });
    expect(Array.from(out.subarray(0, N))).toEqual(Array.from(api.weights));
    expect(out[N]).toBe(api.volatility);
    const sharpe = new Float64Array(N + 4);
    await entryAsync('maxSharpe')(stack, constraints, Float64Array.of(0, 0, 0), sharpe);
    const apiSharpe = native.maxSharpe(MEAN, matrix(COV, N, N), { bounds: { lower: 0, upper: 0.6 } });
    expect(Array.from(sharpe.subarray(0, N))).toEqual(Array.from(apiSharpe.weights));
    const frontier = native.efficientFrontier(MEAN, matrix(COV, N, N), { points: 3 });
    const C = 4 * N + 4;
    const fout = new Float64Array(1 + C * (3 + N) + 3 * (2 + N));
    entry('efficientFrontier')(stack, resolveConstraints(undefined, N).constraints, 3, fout);
    expect(fout[0]).toBe(frontier.turningPoints.lambdas.length);
  });

  it('lays out both records by the fields TS makes them with', () => {
    const { stack, constraints } = records();
    for (const name of ['minVariance', 'maxSharpe', 'maxUtility', 'efficientReturn', 'efficientRisk', 'efficientFrontier']) {
      const [s, c, ...rest] = raw(name).records ?? [];
      expect(s).toEqual(Object.keys(stack));
      expect([...(c ?? [])].sort()).toEqual(Object.keys(constraints).sort());
      expect(rest.every((r) => r === null)).toBe(true);
      expect(raw(`${name}Async`).records).toEqual(raw(name).records);
    }
    expect(raw('portfolioVolatility').records).toBeUndefined();
  });

  it('names a field that is wrong: its kind, count or length', () => {
    const { stack, constraints } = records();
    const call = (s: unknown, c: unknown) => () => entry('maxSharpe')(s, c, Float64Array.of(0, 0, 0), new Float64Array(N + 4));
    expect(thrown(() => raw('maxSharpe')(stack, constraints, Float64Array.of(0, 0, 0), new Float64Array(N + 4)))).toBe(
      'arguments: expected 16 arguments, got 4',
    );
    expect(thrown(call({ ...stack, cov: undefined }, constraints))).toBe('stack.cov: expected a Float64Array, got undefined');
    expect(thrown(call({ ...stack, n: 1.5 }, constraints))).toBe('stack.n: expected an integer >= 0, got 1.5');
    expect(thrown(call({ ...stack, problems: '1' }, constraints))).toBe('stack.problems: expected an integer >= 0, got a string');
    expect(thrown(call(stack, { ...constraints, tags: new Float32Array(1) }))).toBe(
      'constraints.tags: expected a Float64Array, got Float32Array',
    );
    expect(thrown(call({ ...stack, cov: COV.subarray(1) }, constraints))).toBe(
      'stack.cov: expected length 16 (covCount x n x n), got length 15',
    );
    expect(thrown(call({ ...stack, covCount: 2 }, constraints))).toBe('stack.covCount: expected 1 or 1 (the problems), got 2');
    expect(thrown(call(stack, { ...constraints, m: 2 }))).toBe('constraints.rows: expected length 8 (m x n), got length 4');
    expect(thrown(call(stack, { ...constraints, lower: Float64Array.of(0, 0, 0, 1) }))).toBe(
      'constraints.lower: expected lower <= upper, lower < Infinity, upper > -Infinity, got lower[3] = 1.000000, upper = 0.600000',
    );
    expect(thrown(call(stack, { ...constraints, rlo: Float64Array.of(0) }))).toBe(
      'constraints.rlo: expected row 0 the budget, > 0, got rlo[0] = 0.000000',
    );
  });

  it('refuses a field whose buffer is detached', () => {
    const { stack, constraints } = records();
    structuredClone(stack.cov.buffer, { transfer: [stack.cov.buffer as ArrayBuffer] });
    expect(thrown(() => entry('maxSharpe')(stack, constraints, Float64Array.of(0, 0, 0), new Float64Array(N + 4)))).toBe(
      'stack.cov: expected a Float64Array with an attached buffer, got a detached buffer',
    );
  });

  it('survives random arguments', () => {
    const value = fc.oneof(
      fc.float64Array({ maxLength: 20 }),
      fc.constantFrom(new Float32Array(2), new Float64Array(0), new Float64Array(16)),
      fc.integer({ min: -1, max: 20 }),
      fc.double(),
      fc.anything(),
    );
    const names = ['minVariance', 'maxSharpe', 'maxUtility', 'efficientReturn', 'efficientRisk', 'efficientFrontier'];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.array(value, { minLength: 14, maxLength: 18 }), (name, args) => {
        try {
          raw(name)(...args);
        } catch (e) {
          // a refusal, never a crash: KernelInputError (a count, a kind, a length) or the parameters' fault
          expect(e).toBeInstanceOf(Error);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
