/**
 * The rolling bar estimators' shapes and edge cases on the reference and every backend: a panel's
 * columns equal to the series calls (labels kept), the first valid bar of each, a window past the
 * input, Parkinson by hand, and bad input (KernelInputError naming the argument).
 */
import { describe, expect, it } from 'vitest';
import { kernels, matrix, type Kernels, type Matrix } from '../../src/index.js';
import { describeErrorCases, errorCase as c, f64 } from '../helpers/errors.js';
import { describeEachBackend } from '../helpers/backends.js';

const T = 40;
const N = 3;
/** Column c of the panel: a walk of its own; close NaN at bar 25 of column 1. */
function panel(): Record<string, Matrix> {
  const fields = ['open', 'high', 'low', 'close', 'volume', 'dollarVolume'] as const;
  const data = Object.fromEntries(fields.map((f) => [f, new Float64Array(T * N)]));
  for (let col = 0; col < N; col++) {
    let x = 50 + 10 * col;
    for (let t = 0; t < T; t++) {
      const i = t * N + col;
      data.open[i] = x;
      x *= 1 + 0.01 * Math.sin(3 * t + col) + (t % 7 === 0 ? 0 : 0.002);
      data.close[i] = t % 5 === 0 ? data.open[i] : x;
      data.high[i] = Math.max(data.open[i], data.close[i]) * (1 + 0.003 * (1 + Math.cos(t * col)));
      data.low[i] = Math.min(data.open[i], data.close[i]) * (1 - 0.002 * (1 + Math.sin(t + col)));
      data.volume[i] = 100 + ((t * 37 + col * 11) % 90);
      data.dollarVolume[i] = data.volume[i] * data.close[i];
    }
  }
  data.close[25 * N + 1] = NaN;
  const index = Float64Array.from({ length: T }, (_, t) => Date.UTC(2024, 0, 1 + t));
  return Object.fromEntries(fields.map((f) => [f, matrix(data[f], T, N, { columns: ['A', 'B', 'C'], index })]));
}

const columnOf = (m: Matrix, col: number) => Float64Array.from({ length: m.rows }, (_, t) => m.data[t * m.cols + col]);
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => expect(Array.from(a)).toEqual(Array.from(b));

type Call = (k: Kernels, x: Record<string, Matrix | Float64Array>) => Matrix | Float64Array | Record<string, Matrix | Float64Array>;
const CALLS: Record<string, Call> = {
  rollMeasure: (k, x) => k.rollMeasure(x.close, { window: 5 }),
  rollImpact: (k, x) => k.rollImpact(x.close, x.dollarVolume, { window: 5 }),
  corwinSchultz: (k, x) => k.corwinSchultz(x.high, x.low, { window: 5 }) as unknown as Record<string, Matrix>,
  kyleLambda: (k, x) => k.kyleLambda(x.close, x.volume, { window: 5 }),
  amihudLambda: (k, x) => k.amihudLambda(x.close, x.dollarVolume, { window: 5 }),
  hasbrouckLambda: (k, x) => k.hasbrouckLambda(x.close, x.dollarVolume, { window: 5 }),
  parkinson: (k, x) => k.rangeVolatility({ high: x.high, low: x.low }, { estimator: 'parkinson', window: 5 }),
  yangZhang: (k, x) => k.rangeVolatility(x as never, { estimator: 'yang-zhang', window: 5, annualize: 252 }),
};

function cases(k: Kernels): void {
  const p = panel();
  for (const [name, call] of Object.entries(CALLS)) {
    it(`${name}: a panel's columns are the series calls, its labels kept`, () => {
      const whole = call(k, p);
      const outputs = 'data' in whole || whole instanceof Float64Array ? { value: whole } : whole;
      for (let col = 0; col < N; col++) {
        const series = Object.fromEntries(Object.entries(p).map(([f, m]) => [f, columnOf(m, col)]));
        const one = call(k, series);
        const oneOut = one instanceof Float64Array ? { value: one } : (one as Record<string, Float64Array>);
        for (const [o, m] of Object.entries(outputs)) same(columnOf(m as Matrix, col), oneOut[o]);
      }
      for (const m of Object.values(outputs)) {
        expect((m as Matrix).columns).toEqual(['A', 'B', 'C']);
        expect((m as Matrix).index).toBe(p.close.index);
      }
    });
  }

  it('the first valid bar: window + 1 for Roll, window for Corwin-Schultz, Kyle, Yang-Zhang, window - 1 for Parkinson', () => {
    const x: Record<string, Float64Array> = Object.fromEntries(Object.entries(panel()).map(([f, m]) => [f, columnOf(m, 0)]));
    const first = (v: Float64Array) => v.findIndex((y) => !Number.isNaN(y));
    expect(first(k.rollMeasure(x.close, { window: 5 }))).toBe(6);
    expect(first(k.corwinSchultz(x.high, x.low, { window: 5 }).spread)).toBe(5);
    expect(first(k.kyleLambda(x.close, x.volume, { window: 5 }))).toBe(5);
    expect(first(k.amihudLambda(x.close, x.dollarVolume, { window: 5 }))).toBe(5);
    const ohlc = { open: x.open, high: x.high, low: x.low, close: x.close };
    expect(first(k.rangeVolatility(ohlc, { estimator: 'yang-zhang', window: 5 }))).toBe(5);
    expect(first(k.rangeVolatility(ohlc, { estimator: 'garman-klass', window: 5 }))).toBe(4);
    expect(first(k.rangeVolatility({ high: x.high, low: x.low }, { estimator: 'parkinson', window: 5 }))).toBe(4);
    expect(first(k.rangeVolatility(ohlc, { estimator: 'rogers-satchell', window: 5 }))).toBe(4);
  });

  it('a window past the input: NaN throughout; a NaN close: NaN while a window holds it', () => {
    const x: Record<string, Float64Array> = Object.fromEntries(Object.entries(panel()).map(([f, m]) => [f, columnOf(m, 1)]));
    expect(Array.from(k.amihudLambda(x.close, x.dollarVolume, { window: 50 })).every(Number.isNaN)).toBe(true);
    const a = k.amihudLambda(x.close, x.dollarVolume, { window: 5 });
    // close[25] is NaN: the returns 25 and 26 are, so the windows ending at 25..30 are
    for (let t = 25; t <= 30; t++) expect(a[t]).toBeNaN();
    expect(Number.isFinite(a[24]) && Number.isFinite(a[31])).toBe(true);
  });

  it('Parkinson of bars whose high / low is e^0.01: 0.01 / sqrt(4 ln 2), times sqrt(annualize)', () => {
    const low = f64(10, 20, 30, 40);
    const high = low.map((l) => l * Math.exp(0.01));
    const v = k.rangeVolatility({ high, low }, { estimator: 'parkinson', window: 2, annualize: 4 });
    expect(v[0]).toBeNaN();
    for (let t = 1; t < 4; t++) expect(v[t]).toBeCloseTo((0.01 / Math.sqrt(4 * Math.log(2))) * 2, 14);
  });

  it('Kyle lambda: zero moves take the previous sign; before the first move they are NaN', () => {
    const close = f64(10, 10, 11, 11, 10, 10);
    const volume = f64(1, 2, 4, 8, 16, 32);
    const kyle = k.kyleLambda(close, volume, { window: 2 });
    // terms: NaN, 0/(2 NaN), 1/4, 0/(8 x 1) = 0, -1/(16 x -1) = 1/16, 0/(32 x -1) = -0
    expect(kyle[1]).toBeNaN();
    expect(kyle[2]).toBeNaN();
    expect(kyle[3]).toBe(1 / 8);
    expect(kyle[4]).toBe(1 / 32);
    expect(kyle[5]).toBe(1 / 32);
  });
}

describe('bar estimators [reference]', () => cases(kernels({ backend: 'reference' })));
describeEachBackend('bar estimators', (k) => cases(k), 'features');

const close = f64(1, 2, 3, 4);
describe('bar estimators, bad input', () => {
  describeErrorCases('features', [
    c('window 1', 'rollMeasure', [close, { window: 1 }], 'options.window', 'options.window: expected an integer >= 2, got 1'),
    c(
      'window not an integer',
      'kyleLambda',
      [close, close, { window: 2.5 }],
      'options.window',
      'options.window: expected an integer >= 2, got 2.5',
    ),
    c('lengths differ', 'amihudLambda', [close, f64(1, 2), {}], 'dollarVolume', 'dollarVolume: expected length 4 (close), got length 2'),
    c(
      'series and panel',
      'hasbrouckLambda',
      [close, { data: close, rows: 4, cols: 1 }, {}],
      'dollarVolume',
      'dollarVolume: expected a Float64Array like close, got an object with keys ["data","rows","cols"]',
    ),
    c(
      'estimator unknown',
      'rangeVolatility',
      [{ high: close, low: close }, { estimator: 'atr' }],
      'options.estimator',
      `options.estimator: expected 'parkinson', 'garman-klass', 'rogers-satchell' or 'yang-zhang', got "atr"`,
    ),
    c(
      'open missing',
      'rangeVolatility',
      [{ high: close, low: close }, { estimator: 'yang-zhang' }],
      'bars.open',
      'bars.open: expected a Float64Array or a Matrix { data, rows, cols }, got undefined',
    ),
    c(
      'annualize 0',
      'rangeVolatility',
      [
        { high: close, low: close },
        { estimator: 'parkinson', annualize: 0 },
      ],
      'options.annualize',
      'options.annualize: expected a finite number > 0, got 0',
    ),
    c(
      'unknown option',
      'corwinSchultz',
      [close, close, { span: 3 }],
      'options',
      'options: expected only the options window, got unknown option "span"',
    ),
  ]);
});
