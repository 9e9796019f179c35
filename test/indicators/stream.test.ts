/**
 * indicatorStream() against the batch call: every indicator fed bar by bar equals, bar for bar, the
 * reference batch call on the same bars bit for bit (NaN exactly where it has NaN), on TA-Lib's
 * fixtures (so TA-Lib's own numbers too) and on seeded random bars and parameters; a universe fed row
 * by row equals the panel call column by column (leading NaNs, a halted bar); a snapshot restored into
 * a new stream mid-way continues identically; bad options, bars and snapshots are refused by name.
 */
import { describe, expect, it } from 'vitest';
import { indicatorStream, KernelInputError, matrix } from '../../src/api/index.js';
import { INDICATOR_MACHINES } from '../../src/backends/reference/indicators/stream/machines.js';
import { INDICATORS_KERNELS, MA_TYPES } from '../../src/kernels/indicators/indicators-kernels.js';
import { INDICATOR_NAMES, type IndicatorName } from '../../src/kernels/indicators/indicators.js';
import { Sampler } from '../../src/kernels/sample.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { CASES, expectBits, firstBars, runsOf } from './fixtures.js';

type Fields = Record<string, Float64Array>;
type Call = (input: unknown, options?: object) => Float64Array | { data: Float64Array } | Record<string, unknown>;
type AnyStream = { update(bar: object): any; snapshot(): Uint8Array; restore(bytes: Uint8Array): void; bars: number };
const stream = (name: IndicatorName, options: object): AnyStream => indicatorStream(name, options as never) as AnyStream;

/** The output keys of an indicator ('value' for one output: the result itself). */
const keysOf = (name: IndicatorName) => Object.keys(INDICATORS_KERNELS[name].outputs);
const pick = (result: unknown, key: string) => (key === 'value' ? result : (result as Record<string, unknown>)[key]);

/** The batch call of `name` on series (Float64Arrays) or panels, as the batch API takes them. */
function batch(k: typeof ref, name: IndicatorName, bars: Record<string, unknown>, options: object) {
  const { fields } = INDICATOR_MACHINES[name];
  const input = fields.length === 1 ? bars.close : Object.fromEntries(fields.map((f) => [f, bars[f]]));
  return (k[name] as unknown as Call)(input, options);
}

/** Each output of a series fed bar by bar (a snapshot taken and restored into a new stream before bar `split`, or every bar for 'all'). */
function streamed(name: IndicatorName, bars: Fields, options: object, split: number | 'all' = -1): Fields {
  const keys = keysOf(name);
  const n = bars.close.length;
  const outs = Object.fromEntries(keys.map((k) => [k, new Float64Array(n)]));
  let s = stream(name, options);
  for (let t = 0; t < n; t++) {
    if (t === split || split === 'all') {
      const next = stream(name, options);
      next.restore(s.snapshot());
      s = next;
    }
    const bar = Object.fromEntries(Object.entries(bars).map(([f, x]) => [f, x[t]]));
    const value = s.update(bar);
    for (const k of keys) outs[k][t] = pick(value, k) as number;
  }
  expect(s.bars).toBe(n);
  return outs;
}

/** Seeded bars: a walk with flat stretches, zero volumes, closes at the high or low, sometimes leading NaNs, a halted bar, an infinity. */
function randomBars(s: Sampler, n: number, nans: boolean): Fields {
  const bars = {
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let x = 100;
  const late = nans && s.random() < 0.5 ? s.int(1, 8) : 0;
  const halted = nans && s.random() < 0.5 ? s.int(late, n - 1) : -1;
  for (let t = 0; t < n; t++) {
    const flat = s.random() < 0.15;
    if (!flat) x = Math.round(x * (1 + 0.02 * s.normal()) * 100) / 100;
    const high = flat ? x : x * (1 + 0.01 * s.pick(0, s.random()));
    const low = flat ? x : x * (1 - 0.01 * s.pick(0, s.random()));
    const nan = t < late || t === halted;
    bars.open[t] = x;
    bars.high[t] = nan && s.random() < 0.5 ? NaN : high;
    bars.low[t] = low;
    bars.close[t] = nan ? NaN : x;
    bars.volume[t] = s.random() < 0.1 ? 0 : Math.round(1000 * s.random());
  }
  // now and then an infinite price after the start: a number to the NaN rule, through TA-Lib's arithmetic as it is
  if (nans && n > late + 1 && s.random() < 0.2) bars[s.pick('high', 'low', 'close')][s.int(late + 1, n - 1)] = s.pick(Infinity, -Infinity);
  return bars;
}

/** Seeded options of `name`: each option a small value of its range, an MA type now and then. */
function randomOptions(s: Sampler, name: IndicatorName): Record<string, number | string> {
  const options: Record<string, number | string> = {};
  for (const p of INDICATORS_KERNELS[name].params) {
    if (p.rule.kind === 'code') options[p.key] = s.pick(...MA_TYPES);
    else if (/Period|period/.test(p.key))
      options[p.key] = s.int(p.key === 'timePeriod' && /^(atr|natr|plusDi|minusDi|roc|mom)$/.test(name) ? 1 : 2, 12);
    else if (/nbDev/.test(p.key)) options[p.key] = s.pick(1, 2, 2.5);
    else options[p.key] = s.pick(0.01, 0.02, 0.05, 0.3);
  }
  if (/^(stoch|stochf|stochRsi)$/.test(name))
    for (const key of Object.keys(options)) if (/^(fast|slow)[KD]Period$/.test(key) && s.random() < 0.2) options[key] = 1;
  return options;
}

/** natr's batch call rewrites its first value to 0 when a later close is 0 (TA-Lib's quirk): that bar only may differ. */
function natrRewritten(name: IndicatorName, bars: Fields, expected: Float64Array): number {
  if (name !== 'natr') return -1;
  const first = expected.findIndex((v) => !Number.isNaN(v));
  return first >= 0 && expected[first] === 0 && bars.close.subarray(first + 1).some((c) => c === 0) ? first : -1;
}

function expectStreamed(
  name: IndicatorName,
  bars: Fields,
  options: object,
  expected: Record<string, unknown>,
  what: string,
  split?: number | 'all',
) {
  const outs = streamed(name, bars, options, split);
  for (const key of keysOf(name)) {
    const want = Float64Array.from(expected[key] as Float64Array);
    const skip = natrRewritten(name, bars, want);
    if (skip >= 0) outs[key][skip] = want[skip];
    expectBits(outs[key], want, `${what} ${key}`);
  }
}

const outputsOf = (name: IndicatorName, result: unknown) => Object.fromEntries(keysOf(name).map((k) => [k, pick(result, k)]));

describe('indicatorStream: bar by bar equals the batch call bit for bit', () => {
  it('reads the fields and packs the options the descriptors do', () => {
    for (const name of INDICATOR_NAMES) {
      const fields = INDICATORS_KERNELS[name].signature.split(', ').flatMap((a) => (a.includes('[') ? [a.slice(0, a.indexOf('['))] : []));
      expect(INDICATOR_MACHINES[name].fields, name).toEqual(fields);
    }
  });

  for (const name of INDICATOR_NAMES) {
    it(`${name}: TA-Lib's fixtures (every case and parameter set), with a snapshot restored mid-way`, () => {
      for (const run of runsOf(name)) {
        const bars = firstBars(CASES[run.case], run.bars);
        const what = `${name} ${run.case} ${JSON.stringify(run.params)}`;
        expectStreamed(name, bars, run.params, run.outputs, what);
        expectStreamed(name, bars, run.params, run.outputs, `${what} restored`, Math.floor(bars.close.length / 2));
      }
    });

    it(`${name}: seeded random bars and options, each against the reference batch call, split anywhere`, () => {
      const s = new Sampler(INDICATOR_NAMES.indexOf(name) + 1);
      for (let round = 0; round < 40; round++) {
        const bars = randomBars(s, s.int(0, 80), round % 2 === 1);
        const options = round === 0 ? {} : randomOptions(s, name);
        const expected = outputsOf(name, batch(ref, name, bars, options));
        const what = `${name} round ${round} ${JSON.stringify(options)}`;
        expectStreamed(name, bars, options, expected, what, s.int(0, bars.close.length));
      }
    });

    it(`${name}: restored from its snapshot before every bar, it continues as if it had not stopped`, () => {
      const s = new Sampler(500 + INDICATOR_NAMES.indexOf(name));
      for (let round = 0; round < 4; round++) {
        const bars = randomBars(s, 60, round % 2 === 1);
        const options = round === 0 ? {} : randomOptions(s, name);
        const expected = outputsOf(name, batch(ref, name, bars, options));
        expectStreamed(name, bars, options, expected, `${name} round ${round} ${JSON.stringify(options)}`, 'all');
      }
    });

    it(`${name}: a universe fed row by row equals the panel call column by column`, () => {
      const s = new Sampler(1000 + INDICATOR_NAMES.indexOf(name));
      const rows = 70;
      const cols = 5;
      const columns = Array.from({ length: cols }, (_, c) => randomBars(s, rows, c > 0));
      const options = randomOptions(s, name);
      const panel = Object.fromEntries(
        ['open', 'high', 'low', 'close', 'volume'].map((f) => {
          const data = new Float64Array(rows * cols);
          columns.forEach((b, c) => b[f].forEach((v, t) => (data[t * cols + c] = v)));
          return [f, matrix(data, rows, cols)];
        }),
      ) as Record<string, { data: Float64Array }>;
      const expected = outputsOf(name, batch(ref, name, panel, options));
      let st = stream(name, { ...options, symbols: cols });
      for (let t = 0; t < rows; t++) {
        if (t === 33) {
          const next = stream(name, { ...options, symbols: cols });
          next.restore(st.snapshot());
          st = next;
        }
        const bar = Object.fromEntries(Object.entries(panel).map(([f, m]) => [f, m.data.slice(t * cols, (t + 1) * cols)]));
        const value = st.update(bar);
        for (const key of keysOf(name)) {
          const got = pick(value, key) as Float64Array;
          expect(got).toBeInstanceOf(Float64Array);
          const want = (expected[key] as { data: Float64Array }).data.subarray(t * cols, (t + 1) * cols);
          for (let c = 0; c < cols; c++) {
            const column = Float64Array.from({ length: rows }, (_, r) => (expected[key] as { data: Float64Array }).data[r * cols + c]);
            if (natrRewritten(name, columns[c], column) === t) continue;
            if (!(Object.is(got[c], want[c]) || (Number.isNaN(got[c]) && Number.isNaN(want[c])))) {
              expect.fail(`${name} ${JSON.stringify(options)} ${key}[${t}, ${c}]: ${got[c]} (batch ${want[c]})`);
            }
          }
        }
      }
    });
  }
});

describeEachBackend(
  'indicatorStream equals the batch call',
  (k) => {
    it('every indicator, defaults and seeded options, on seeded bars', () => {
      const s = new Sampler(7);
      for (const name of INDICATOR_NAMES) {
        for (const options of [{}, randomOptions(s, name)]) {
          const bars = randomBars(s, 90, true);
          expectStreamed(name, bars, options, outputsOf(name, batch(k, name, bars, options)), `${name} ${JSON.stringify(options)}`);
        }
      }
    });
  },
  'indicators',
);

describe('indicatorStream: values', () => {
  it('gives numbers for one symbol, named outputs as the batch call names them', () => {
    const rsi = indicatorStream('rsi', { timePeriod: 2 });
    expect([rsi.update({ close: 1 }), rsi.update({ close: 2 }), rsi.update({ close: 1.5 })]).toEqual([
      NaN,
      NaN,
      100 * (0.5 / (0.5 + 0.25)),
    ]);
    const macd = indicatorStream('macd', { fastPeriod: 2, slowPeriod: 3, signalPeriod: 2 });
    expect(Object.keys(macd.update({ close: 1 }))).toEqual(['macd', 'signal', 'hist']);
    const aroon = indicatorStream('aroon', { symbols: 2 });
    const value = aroon.update({ high: new Float64Array([2, 3]), low: new Float64Array([1, 2]) });
    expect(Object.keys(value)).toEqual(['down', 'up']);
    expect(value.up).toEqual(new Float64Array([NaN, NaN]));
  });

  it('keeps its state bounded by the windows (the snapshot of a long stream is the size of a short one)', () => {
    const sizes = [50, 5000].map((n) => {
      const s = indicatorStream('stochRsi');
      for (let t = 0; t < n; t++) s.update({ close: 100 + Math.sin(t) });
      return s.snapshot().length;
    });
    expect(sizes[1]).toBe(sizes[0]);
  });
});

describe('indicatorStream: bad input', () => {
  const refused = (f: () => unknown, argument: string) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(KernelInputError);
      expect((e as KernelInputError).argument).toBe(argument);
      return;
    }
    expect.fail(`no KernelInputError naming ${argument}`);
  };

  it('refuses an unknown name, bad options and symbols by name', () => {
    refused(() => indicatorStream('nope' as 'sma'), 'name');
    refused(() => indicatorStream('sma', { timePeriod: 1 }), 'options.timePeriod');
    refused(() => indicatorStream('bbands', { maType: 'mama' as 'sma' }), 'options.maType');
    refused(() => indicatorStream('rsi', { window: 3 } as object), 'options');
    refused(() => indicatorStream('rsi', { out: new Float64Array(1) } as object), 'options.out');
    refused(() => indicatorStream('rsi', { symbols: 0 }), 'options.symbols');
    refused(() => indicatorStream('rsi', { symbols: 1.5 }), 'options.symbols');
    refused(() => indicatorStream('rsi', { symbols: 2_000_000 }), 'options.symbols');
    // bounded memory: 10^4 symbols of a 10^5-bar window would hold 10^9 values
    refused(() => indicatorStream('sma', { timePeriod: 100_000, symbols: 10_000 }), 'options.symbols');
    expect(indicatorStream('sma', { timePeriod: 100_000, symbols: 100 }).symbols).toBe(100);
  });

  it('refuses a bad bar by its field and leaves the stream as it was', () => {
    const s = indicatorStream('atr', { timePeriod: 2 });
    s.update({ high: 2, low: 1, close: 1.5 });
    refused(() => s.update({ high: 2, low: 1 }), 'bar.close');
    refused(() => s.update({ high: '2' as unknown as number, low: 1, close: 1 }), 'bar.high');
    refused(() => s.update(null as never), 'bar');
    refused(() => s.update({ high: new Float64Array(1), low: 1, close: 1 } as never), 'bar.high');
    expect(s.bars).toBe(1);
    const u = indicatorStream('rsi', { symbols: 3 });
    refused(() => u.update({ close: new Float64Array(2) }), 'bar.close');
    refused(() => u.update({ close: 1 as never }), 'bar.close');
    expect(u.bars).toBe(0);
  });

  it('restore refuses another indicator, options or symbols, and damaged or truncated bytes, naming bytes', () => {
    const s = indicatorStream('ema', { timePeriod: 3 });
    for (let t = 0; t < 5; t++) s.update({ close: t });
    const bytes = s.snapshot();
    refused(() => indicatorStream('ema', { timePeriod: 4 }).restore(bytes), 'bytes');
    refused(() => indicatorStream('sma', { timePeriod: 3 }).restore(bytes), 'bytes');
    refused(() => indicatorStream('ema', { timePeriod: 3, symbols: 1 }).restore(bytes), 'bytes');
    refused(() => indicatorStream('ema', { timePeriod: 3 }).restore(bytes.subarray(0, bytes.length - 8)), 'bytes');
    refused(() => indicatorStream('ema', { timePeriod: 3 }).restore(new Uint8Array(3)), 'bytes');
    refused(() => indicatorStream('ema', { timePeriod: 3 }).restore([1, 2] as never), 'bytes');
    const damaged = bytes.slice();
    damaged[damaged.length - 1] ^= 1;
    refused(() => indicatorStream('ema', { timePeriod: 3 }).restore(damaged), 'bytes');
    const same = indicatorStream('ema', { timePeriod: 3 });
    same.restore(bytes);
    expect(same.update({ close: 5 })).toBe(s.update({ close: 5 }));
  });
});
