/**
 * The indicators' shapes and rules beside TA-Lib's fixtures: hand-derived values, the NaN rule
 * (leading NaNs skipped as python talib does, a NaN inside going through TA-Lib's arithmetic), short
 * and empty inputs, labels, and a panel's columns on 1 and 2 threads (the same bits) on every backend.
 */
import { describe, expect, it } from 'vitest';
import { type Kernels, kernels, matrix } from '../../src/index.js';
import { INDICATOR_NAMES } from '../../src/kernels/indicators/indicators.js';
import { INDICATORS_KERNELS } from '../../src/kernels/indicators/indicators-kernels.js';
import { Sampler } from '../../src/kernels/sample.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { expectBits } from './fixtures.js';

const f64 = (...xs: number[]) => Float64Array.from(xs);
const N = NaN;

function rules(k: Kernels) {
  it('sma and ema by hand: the SMA seed, then (x - e) k + e', () => {
    expectBits(k.sma(f64(1, 2, 3, 4, 5), { timePeriod: 2 }), f64(N, 1.5, 2.5, 3.5, 4.5), 'sma');
    // k = 2 / 4 = 0.5: seed (1 + 2 + 3) / 3 = 2, then (4 - 2) 0.5 + 2 = 3, (0 - 3) 0.5 + 3 = 1.5
    expectBits(k.ema(f64(1, 2, 3, 4, 0), { timePeriod: 3 }), f64(N, N, 2, 3, 1.5), 'ema');
  });

  it('rsi is 100 on rises only, 0 with no moves (TA-Lib: 0 where gains + losses are zero)', () => {
    expectBits(k.rsi(f64(1, 2, 3, 4, 5), { timePeriod: 2 }), f64(N, N, 100, 100, 100), 'rises');
    expectBits(k.rsi(f64(7, 7, 7, 7), { timePeriod: 2 }), f64(N, N, 0, 0), 'flat');
  });

  it('leading NaNs are skipped: the indicator starts at the first bar of numbers (python talib)', () => {
    expectBits(k.sma(f64(N, N, 1, 2, 3, 4), { timePeriod: 2 }), f64(N, N, N, 1.5, 2.5, 3.5), 'sma');
    const high = f64(N, 3, 4, 5, 6);
    const low = f64(1, 1, 2, 3, 4); // a number where high is NaN: the bar is still skipped
    const close = f64(2, 2, 3, 4, 5);
    const late = k.trange({ high, low, close });
    expectBits(late, f64(N, N, 2, 2, 2), 'trange'); // from bar 2: max(4 - 2, |3 - 4|, |3 - 2|) ...
  });

  it('a NaN inside goes through the arithmetic: a running sum stays NaN, a comparison is false', () => {
    expectBits(k.sma(f64(1, 2, N, 4, 5, 6), { timePeriod: 2 }), f64(N, 1.5, N, N, N, N), 'sma');
    // TRANGE has no memory: only the bars that read the NaN are NaN (max(NaN, ...) keeps h - l)
    const t = k.trange({ high: f64(3, 4, N, 6), low: f64(1, 2, 3, 4), close: f64(2, 3, 4, 5) });
    expectBits(t, f64(N, 2, N, 2), 'trange');
  });

  it('a column of NaN gives NaN; an input shorter than the lookback or empty gives NaN of its length', () => {
    const panel = matrix(f64(N, 1, N, 2, N, 3, N, 4), 4, 2, { columns: ['halted', 'live'] });
    const out = k.sma(panel, { timePeriod: 2 });
    expectBits(out.data, f64(N, N, N, 1.5, N, 2.5, N, 3.5), 'panel');
    expectBits(k.macd(f64(1, 2, 3)).macd, f64(N, N, N), 'short macd');
    expect(k.adx({ high: f64(), low: f64(), close: f64() })).toHaveLength(0);
  });

  it('fills a result again in place (options.out): the same arrays, the bits of a fresh call', () => {
    const x = f64(1, 3, 2, 5, 4, 6, 8, 7);
    const y = f64(2, 1, 4, 3, 6, 5, 7, 9);
    const first = k.sma(x, { timePeriod: 3 });
    const again = k.sma(y, { timePeriod: 3, out: first });
    expect(again).toBe(first);
    expectBits(again, k.sma(y, { timePeriod: 3 }), 'sma into out');
    const lines = k.macd(x, { fastPeriod: 2, slowPeriod: 3, signalPeriod: 2 });
    const refilled = k.macd(y, { fastPeriod: 2, slowPeriod: 3, signalPeriod: 2, out: lines });
    expect(refilled.hist).toBe(lines.hist);
    const fresh = k.macd(y, { fastPeriod: 2, slowPeriod: 3, signalPeriod: 2 });
    for (const key of ['macd', 'signal', 'hist'] as const) expectBits(refilled[key], fresh[key], `macd.${key} into out`);
    const panel = matrix(f64(1, 2, 3, 4, 5, 6, 7, 8), 4, 2);
    const bands = k.bbands(panel, { timePeriod: 2 });
    const other = matrix(f64(2, 1, 4, 3, 6, 5, 8, 7), 4, 2);
    expect(k.bbands(other, { timePeriod: 2, out: bands }).upper.data).toBe(bands.upper.data);
    expectBits(bands.lower.data, k.bbands(other, { timePeriod: 2 }).lower.data, 'bbands panel into out');
    expect(() => k.sma(x, { out: f64(1, 2, 3) })).toThrow('options.out: expected a result of sma() of the same shape');
    expect(() => k.sma(x, { out: x })).toThrow('options.out: expected a Float64Array of length 8 sharing no memory with the inputs');
  });

  it('writes every value of its outputs (a fresh large output is not zeroed first: freshOutput)', () => {
    // each indicator into outputs pre-filled with one marker, then another: a value it does not write
    // keeps the marker and the two differ there. Series of 0, 1, 5 (under most lookbacks) and 60 bars
    // with leading NaNs; panels whose blocks take the lane functions (columns starting together, 19
    // wide: a narrower last block) or the gathered series (a column starting later, one all NaN).
    const s = new Sampler(7);
    const walk = (n: number) => Float64Array.from({ length: n }, (_, i) => 100 + Math.sin(i) + s.random());
    const series = (n: number, lead = 0) => {
      const close = walk(n).fill(N, 0, lead);
      return { high: close.map((x) => x + 1), low: close.map((x) => x - 1), close, volume: close.map(() => 1000 * s.random()) };
    };
    const panel = (rows: number, cols: number, lead: (c: number) => number) => {
      const close = walk(rows * cols);
      for (let c = 0; c < cols; c++) for (let t = 0; t < Math.min(lead(c), rows); t++) close[t * cols + c] = N;
      const m = (data: Float64Array) => matrix(data, rows, cols);
      return {
        high: m(close.map((x) => x + 1)),
        low: m(close.map((x) => x - 1)),
        close: m(close),
        volume: m(close.map(() => 1000 * s.random())),
      };
    };
    const inputs = {
      'series of 0': series(0),
      'series of 1': series(1),
      'series of 5': series(5),
      'series of 60 from bar 3': series(60, 3),
      'panel 60 x 19': panel(60, 19, () => 0),
      'panel 60 x 19, a column from bar 9, one all NaN': panel(60, 19, (c) => (c === 4 ? 9 : c === 5 ? 60 : 0)),
    };
    const arrays = (result: object) =>
      result instanceof Float64Array
        ? [result]
        : 'data' in result
          ? [result.data as Float64Array]
          : Object.values(result).map((v) => (v instanceof Float64Array ? v : (v as { data: Float64Array }).data));
    for (const kernel of INDICATOR_NAMES) {
      const closeOnly = INDICATORS_KERNELS[kernel].fields.length === 1;
      for (const [what, bars] of Object.entries(inputs)) {
        const input = closeOnly ? bars.close : bars;
        const call = k[kernel] as (x: unknown, o?: object) => object;
        const out = call(input);
        const marked = (marker: number) => {
          for (const a of arrays(out)) a.fill(marker);
          return arrays(call(input, { out })).map((a) => a.slice());
        };
        const [a, b] = [marked(-1.5), marked(7e300)];
        a.forEach((v, i) => expectBits(v, b[i], `${kernel} output ${i}, ${what}`));
      }
    }
  });

  it("takes an MA type by name or by TA_MAType's number (python talib's matype)", () => {
    const x = f64(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9);
    for (const [name, number] of [
      ['ema', 1],
      ['kama', 6],
      ['sma', 0],
    ] as const) {
      const byName = k.bbands(x, { timePeriod: 3, maType: name });
      expectBits(k.bbands(x, { timePeriod: 3, maType: number }).upper, byName.upper, `bbands ${name}`);
    }
    // a period of 3 stays a period: only the MA type options read numbers as types
    expectBits(k.bbands(x, { timePeriod: 3, maType: 'ema' }).middle, k.ema(x, { timePeriod: 3 }), 'bbands ema middle');
    expect(() => k.bbands(x, { maType: 7 as never })).toThrow('options.maType: expected'); // MAMA: not computed here
  });

  it("keeps a series' index and a panel's labels", () => {
    const close = Object.assign(f64(1, 2, 3), { index: ['a', 'b', 'c'] });
    expect(k.sma(close, { timePeriod: 2 }).index).toEqual(['a', 'b', 'c']);
    const panel = matrix(f64(1, 2, 3, 4, 5, 6), 3, 2, { columns: ['X', 'Y'], index: [10, 20, 30] });
    const { upper } = k.bbands(panel, { timePeriod: 2 });
    expect([upper.columns, upper.index, upper.rows, upper.cols]).toEqual([['X', 'Y'], [10, 20, 30], 3, 2]);
  });
}

describe('indicators: shapes and the NaN rule (reference)', () => rules(ref));
describeEachBackend('indicators: shapes and the NaN rule', (k) => rules(k), 'indicators');

describeEachBackend(
  'indicators on threads',
  (_k, name) => {
    it('a 300 x 61 panel gives the same bits on 1 and 2 threads, each column the series call', () => {
      const s = new Sampler(51);
      const rows = 300;
      const cols = 61; // a last block of columns narrower than the others
      const close = s.matrix(rows, cols, () => 100 + s.normal());
      const bars = {
        high: { ...close, data: close.data.map((x) => x + s.random()) },
        low: { ...close, data: close.data.map((x) => x - s.random()) },
        close,
        volume: { ...close, data: close.data.map(() => Math.round(1000 * s.random())) },
      };
      const one = kernels({ backend: name, threads: 1 });
      const two = kernels({ backend: name, threads: 2 });
      for (const kernel of INDICATOR_NAMES) {
        const signature = INDICATORS_KERNELS[kernel].signature;
        const closeOnly = signature === 'close[rows x cols], rows, cols';
        const input = closeOnly ? close : bars;
        const call = (k: Kernels) => {
          const result = (k[kernel] as (x: unknown) => object)(input);
          return 'data' in result ? [result] : Object.values(result);
        };
        const a = call(one);
        const b = call(two);
        const data = (v: unknown) => (v instanceof Float64Array ? v : (v as { data: Float64Array }).data);
        a.forEach((v, i) => expectBits(data(v), data(b[i]), `${kernel} output ${i}`));
        const c = 7; // one column as a series
        const column = (m: { data: Float64Array }) => Float64Array.from({ length: rows }, (_, t) => m.data[t * cols + c]);
        const seriesInput = closeOnly ? column(close) : Object.fromEntries(Object.entries(bars).map(([f, m]) => [f, column(m)]));
        const series = (two[kernel] as (x: unknown) => object)(seriesInput);
        const parts = series instanceof Float64Array ? [series] : (Object.values(series) as Float64Array[]);
        parts.forEach((v, i) => expectBits(v, column({ data: data(b[i]) }), `${kernel} column ${c} output ${i}`));
      }
    });
  },
  'indicators',
);
