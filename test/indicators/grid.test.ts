/**
 * Parameter grids (src/kernels/indicators/grid.ts): every indicator with a period option over arrays
 * of periods, each column equal bit for bit to the single call (a series and a panel with leading
 * NaNs, zipped options, every output), hand-derived values, the layout (period-major, p x N + n),
 * labels, `out`, the promise variant, and on native 1 and 2 threads and both of its paths (sets
 * shared between threads; few sets of a wide panel, each on every thread) the same bits, on every
 * backend implementing the indicators.
 */
import { describe, expect, it } from 'vitest';
import { type Kernels, kernels, type Matrix, matrix } from '../../src/index.js';
import { indicatorStream } from '../../src/api/index.js';
import { INDICATORS_KERNELS } from '../../src/kernels/indicators/indicators-kernels.js';
import { INDICATOR_NAMES, type IndicatorName } from '../../src/kernels/indicators/indicators.js';
import { Sampler } from '../../src/kernels/sample.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { expectBits } from './fixtures.js';

const f64 = (...xs: number[]) => Float64Array.from(xs);
const N = NaN;

type Call = (input: unknown, options?: object) => unknown;
const callOf = (k: Kernels, name: string) => (k as unknown as Record<string, Call>)[name];

/** The indicators with a period option, and their period options (integer rules), in packed order. */
const PERIODIC = INDICATOR_NAMES.map(
  (name) => [name, INDICATORS_KERNELS[name].params.filter((p) => p.rule.kind === 'int')] as const,
).filter(([, periods]) => periods.length > 0);

/** Bars of `cols` symbols (a series when cols is 0), high >= close >= low, symbol 1 listed at bar 5. */
function barsOf(rows: number, cols: number, seed: number) {
  const s = new Sampler(seed);
  const n = Math.max(cols, 1);
  const close = new Float64Array(rows * n);
  for (let c = 0; c < n; c++) {
    let x = 100;
    for (let t = 0; t < rows; t++) close[t * n + c] = c === 1 && t < 5 ? N : (x *= 1 + 0.02 * s.normal());
  }
  const high = close.map((x) => x * (1 + 0.01 * s.random()));
  const low = close.map((x) => x * (1 - 0.01 * s.random()));
  const volume = close.map(() => Math.round(1000 * s.random()));
  const shaped = (x: Float64Array) =>
    cols === 0 ? x : matrix(x, rows, cols, { columns: Array.from({ length: cols }, (_, c) => `S${c}`) });
  return { high: shaped(high), low: shaped(low), close: shaped(close), volume: shaped(volume) };
}

const inputOf = (name: IndicatorName, bars: ReturnType<typeof barsOf>) =>
  INDICATORS_KERNELS[name].fields.length === 1 ? bars.close : Object.fromEntries(INDICATORS_KERNELS[name].fields.map((f) => [f, bars[f]]));

/** The outputs of a result by name: { value } for an indicator of one output. */
const outputsOf = (name: IndicatorName, result: unknown) =>
  (Object.keys(INDICATORS_KERNELS[name].outputs).length === 1 ? { value: result } : result) as Record<string, Float64Array | Matrix>;

const dataOf = (v: Float64Array | Matrix) => (v instanceof Float64Array ? v : v.data);

/** Column `c` of a rows x cols row-major array. */
const column = (data: Float64Array, rows: number, cols: number, c: number) =>
  Float64Array.from({ length: rows }, (_, t) => data[t * cols + c]);

/**
 * Every column of `name`'s grid over `sets` (options per set: the arrays zipped) on `bars` (cols
 * symbols) against the single call of its set on the same bars, bit for bit.
 */
function expectGridEqualsCalls(
  k: Kernels,
  name: IndicatorName,
  bars: ReturnType<typeof barsOf>,
  cols: number,
  sets: Record<string, number>[],
) {
  const keys = Object.keys(sets[0]);
  const options = Object.fromEntries(keys.map((key) => [key, sets.map((set) => set[key])]));
  const grid = outputsOf(name, callOf(k, name)(inputOf(name, bars), options));
  const n = Math.max(cols, 1);
  const rows = (bars.close instanceof Float64Array ? bars.close : bars.close.data).length / n;
  sets.forEach((set, p) => {
    const single = outputsOf(name, callOf(k, name)(inputOf(name, bars), set));
    for (const [output, m] of Object.entries(grid)) {
      const g = m as Matrix;
      expect([g.rows, g.cols], `${name}.${output} shape`).toEqual([rows, sets.length * n]);
      for (let c = 0; c < n; c++) {
        const want = column(dataOf(single[output]), rows, n, c);
        expectBits(
          column(g.data, rows, sets.length * n, p * n + c),
          want,
          `${name}.${output} set ${p} (${JSON.stringify(set)}) symbol ${c}`,
        );
      }
    }
  });
}

function gridRules(k: Kernels) {
  it('sma over periods 2 and 3 by hand: a column a period, row-major T x P', () => {
    const g = k.sma(f64(1, 2, 3, 4, 5), { timePeriod: [2, 3] });
    expect([g.rows, g.cols]).toEqual([5, 2]);
    // (1 + 2) / 2 = 1.5 ...; (1 + 2 + 3) / 3 = 2, (2 + 3 + 4) / 3 = 3, (3 + 4 + 5) / 3 = 4
    expectBits(g.data, f64(N, N, 1.5, N, 2.5, 2, 3.5, 3, 4.5, 4), 'sma grid');
    expect(g.columns).toEqual(['sma(timePeriod=2)', 'sma(timePeriod=3)']);
  });

  it('every indicator with a period option: each column of its grid is the single call, series and panel, every output', () => {
    const series = barsOf(80, 0, 11);
    const panel = barsOf(80, 3, 12);
    for (const [name, periods] of PERIODIC) {
      // the first period option over three sets (lo, lo + 1, lo + 5); a second one zipped with it
      const sets = [0, 1, 5].map((d, i) => {
        const set: Record<string, number> = {};
        periods.forEach((p, j) => {
          const lo = p.rule.kind === 'int' ? p.rule.lo : 1;
          if (j === 0) set[p.key] = lo + d;
          if (j === 1) set[p.key] = lo + 3 - i;
        });
        return set;
      });
      expectGridEqualsCalls(k, name, series, 0, sets);
      expectGridEqualsCalls(k, name, panel, 3, sets);
    }
  });

  it('a panel is period-major (column p x N + n), labelled <name>(<options>)/<symbol>, its index kept', () => {
    const index = f64(10, 20, 30, 40);
    const panel = matrix(f64(1, 8, 2, 6, 3, 4, 4, 2), 4, 2, { columns: ['AAA', 'BBB'], index });
    const g = k.sma(panel, { timePeriod: [2, 3] });
    expect(g.columns).toEqual(['sma(timePeriod=2)/AAA', 'sma(timePeriod=2)/BBB', 'sma(timePeriod=3)/AAA', 'sma(timePeriod=3)/BBB']);
    expect(g.index).toBe(index);
    // AAA 1 2 3 4, BBB 8 6 4 2: period 2 then period 3 on each row
    expectBits(g.data, f64(N, N, N, N, 1.5, 7, N, N, 2.5, 5, 2, 6, 3.5, 3, 3, 4), 'panel grid');
    const bare = k.sma(matrix(panel.data, 4, 2), { timePeriod: [2] });
    expect(bare.columns).toEqual(['sma(timePeriod=2)/0', 'sma(timePeriod=2)/1']);
    const named = Object.assign(f64(1, 2, 3), { name: 'close' });
    expect(k.sma(named, { timePeriod: [2] }).columns).toEqual(['sma(timePeriod=2)/close']);
  });

  it('zips several arrays (vectorbt param_product=False); the scalar options repeat; labels name the arrays', () => {
    const close = barsOf(60, 0, 3).close as Float64Array;
    const g = k.macd(close, { fastPeriod: [3, 5], slowPeriod: [10, 12], signalPeriod: 4 });
    expect(g.macd.columns).toEqual(['macd(fastPeriod=3,slowPeriod=10)', 'macd(fastPeriod=5,slowPeriod=12)']);
    const one = k.macd(close, { fastPeriod: 5, slowPeriod: 12, signalPeriod: 4 });
    expectBits(column(g.hist.data, 60, 2, 1), one.hist, 'macd set 1 hist');
    // Int32Array periods, and bbands' other options beside the grid
    const b = k.bbands(close, { timePeriod: Int32Array.of(5, 9), nbDevUp: 1.5, maType: 'ema' });
    expectBits(column(b.upper.data, 60, 2, 1), k.bbands(close, { timePeriod: 9, nbDevUp: 1.5, maType: 'ema' }).upper, 'bbands 9');
  });

  it('a grid of one period is a T x 1 Matrix; an empty series a 0 x P one', () => {
    const g = k.ema(f64(1, 2, 3, 4), { timePeriod: [2] });
    expect([g.rows, g.cols]).toEqual([4, 1]);
    expectBits(g.data, k.ema(f64(1, 2, 3, 4), { timePeriod: 2 }), 'one period');
    const e = k.rsi(f64(), { timePeriod: [2, 3, 4] });
    expect([e.rows, e.cols, e.data.length]).toEqual([0, 3, 0]);
  });

  it('fills a grid again in place (options.out): the same arrays, the bits of a fresh call', () => {
    const x = barsOf(50, 0, 4).close as Float64Array;
    const y = barsOf(50, 0, 5).close as Float64Array;
    const first = k.sma(x, { timePeriod: [2, 3, 4] });
    const again = k.sma(y, { timePeriod: [2, 3, 4], out: first });
    expect(again).toBe(first);
    expectBits(again.data, k.sma(y, { timePeriod: [2, 3, 4] }).data, 'sma grid into out');
    const lines = k.stoch(barsOf(50, 2, 6) as never, { fastKPeriod: [3, 5] }) as unknown as Record<'k' | 'd', Matrix>;
    const refilled = k.stoch(barsOf(50, 2, 7) as never, { fastKPeriod: [3, 5], out: lines as never }) as unknown as Record<
      'k' | 'd',
      Matrix
    >;
    expect(refilled.d.data).toBe(lines.d.data);
    expectBits(
      refilled.d.data,
      (k.stoch(barsOf(50, 2, 7) as never, { fastKPeriod: [3, 5] }) as unknown as Record<'d', Matrix>).d.data,
      'stoch d into out',
    );
    expect(() => k.sma(x, { timePeriod: [2, 3], out: first })).toThrow(
      'options.out: expected a result of sma() of the same shape, its arrays as returned (views of one buffer of 100 values), got value: 50 x 3',
    );
  });

  it('the promise variant gives the same bits', async () => {
    const x = barsOf(70, 2, 8).close;
    const sync = k.rsi(x, { timePeriod: [2, 7, 14] });
    const promised = await k.rsiAsync(x, { timePeriod: [2, 7, 14] });
    expect(promised.columns).toEqual(sync.columns);
    expectBits(promised.data, sync.data, 'rsiAsync grid');
  });
}

describe('indicators: grids (reference)', () => {
  gridRules(ref);
  it('a stream takes one value per option (KernelInputError naming the array)', () => {
    expect(() => indicatorStream('sma', { timePeriod: [2, 3] as never })).toThrow(
      'options.timePeriod: expected one value (a stream computes one parameter set), got an Array of length 2',
    );
  });
});
describeEachBackend('indicators: grids', (k) => gridRules(k), 'indicators');

describeEachBackend(
  'indicators: a grid on 1 and 2 threads, both paths',
  (_, name) => {
    it('sets shared between threads, and few sets of a wide panel each on every thread: the same bits', () => {
      const one = kernels({ backend: name, threads: 1 });
      const two = kernels({ backend: name, threads: 2 });
      const series = barsOf(3000, 0, 21).close as Float64Array;
      const periods = Array.from({ length: 99 }, (_, i) => i + 2);
      const a = one.sma(series, { timePeriod: periods });
      expectBits(a.data, two.sma(series, { timePeriod: periods }).data, 'sma 99 periods');
      expectBits(column(a.data, 3000, 99, 50), ref.sma(series, { timePeriod: 52 }), 'sma period 52 as the reference');
      // 200 columns, 2 sets: each set on every thread (the kernel's own blocks), then placed
      const wide = barsOf(300, 200, 22);
      for (const kernel of ['ema', 'adx', 'macd'] as const) {
        const options = kernel === 'macd' ? { fastPeriod: [5, 8], slowPeriod: [20, 21] } : { timePeriod: [5, 9] };
        const x = outputsOf(kernel, callOf(one, kernel)(inputOf(kernel, wide), options));
        const y = outputsOf(kernel, callOf(two, kernel)(inputOf(kernel, wide), options));
        const z = outputsOf(kernel, callOf(ref, kernel)(inputOf(kernel, wide), options));
        for (const key of Object.keys(x)) {
          expectBits(dataOf(x[key]), dataOf(y[key]), `${kernel}.${key} 1 / 2 threads`);
          expectBits(dataOf(y[key]), dataOf(z[key]), `${kernel}.${key} as the reference`);
        }
      }
    });
  },
  'indicators',
);
