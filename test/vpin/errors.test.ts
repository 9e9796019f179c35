/**
 * Bad input gets KernelInputError naming the argument and what was wrong, with the same message on
 * every backend (shape and option errors from the TS layer, data faults from inside each kernel).
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, kernels, type Kernels, type Trades } from '../../src/index.js';
import type { KernelName } from '../../src/api/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { walk } from '../helpers/trades.js';

const good = walk(50);
const f64 = (...xs: number[]) => Float64Array.from(xs);
const withColumn = (key: keyof Trades, values: Float64Array): Trades => ({ ...good, [key]: values });
const set = (src: Float64Array, i: number, v: number) => {
  const out = src.slice();
  out[i] = v;
  return out;
};

function detached(): Float64Array {
  const a = new Float64Array(50);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

const quoted = { ...good, bid: good.price.map((p) => p - 0.01), ask: good.price.map((p) => p + 0.01) };
/** A quote stream of 100 quotes over the 50 trades' span, two a trade. */
const stream = {
  ts: Float64Array.from({ length: 100 }, (_, j) => good.ts[0] + ((good.ts[49] - good.ts[0]) * j) / 99),
  bid: Float64Array.from({ length: 100 }, (_, j) => good.price[Math.floor(j / 2)] - 0.01),
  ask: Float64Array.from({ length: 100 }, (_, j) => good.price[Math.floor(j / 2)] + 0.01),
};
const withQuote = (key: 'ts' | 'price' | 'bid' | 'ask', values: Float64Array) => ({ ...quoted, [key]: values });

/** Runs fn and returns the KernelInputError it throws (fails when it throws something else or nothing). */
function inputError(fn: () => unknown): KernelInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KernelInputError);
    return error as KernelInputError;
  }
  expect.fail('expected a KernelInputError');
}

/** [title, call, argument, message fragment] */
const cases: [string, (k: Kernels) => unknown, string, string][] = [
  [
    'length mismatch',
    (k) => k.vpin(withColumn('price', good.price.subarray(1)), { bucketVolume: 10 }),
    'trades.price',
    'expected length 50 (as trades.ts), got length 49',
  ],
  [
    'unsorted timestamps',
    (k) => k.vpin(withColumn('ts', set(good.ts, 7, 0)), { bucketVolume: 10 }),
    'trades.ts',
    'non-decreasing timestamps, got ts[7] = 0 after',
  ],
  ['NaN timestamp', (k) => k.timeBars(withColumn('ts', set(good.ts, 0, NaN))), 'trades.ts', 'finite timestamps, got ts[0] = NaN'],
  ['infinite timestamp', (k) => k.timeBars(withColumn('ts', set(good.ts, 49, Infinity))), 'trades.ts', 'got ts[49] = Infinity'],
  [
    'negative volume',
    (k) => k.vpin(withColumn('volume', set(good.volume, 3, -1)), { bucketVolume: 10 }),
    'trades.volume',
    'finite volumes >= 0, got volume[3] = -1',
  ],
  [
    'NaN volume',
    (k) => k.vpin(withColumn('volume', set(good.volume, 40, NaN)), { bucketVolume: 10 }),
    'trades.volume',
    'got volume[40] = NaN',
  ],
  [
    'NaN price',
    (k) => k.vpin(withColumn('price', set(good.price, 20, NaN)), { bucketVolume: 10 }),
    'trades.price',
    'finite prices, got price[20] = NaN',
  ],
  ['NaN price in tickRule', (k) => k.tickRule(f64(1, 2, NaN)), 'price', 'finite prices, got price[2] = NaN'],
  ['NaN bar close', (k) => k.bulkClassify({ open: f64(1, 2), close: f64(1, NaN), volume: f64(1, 1) }), 'bars.close', 'got close[1] = NaN'],
  ['negative bar volume', (k) => k.bulkClassify({ open: f64(1), close: f64(1), volume: f64(-2) }), 'bars.volume', 'got volume[0] = -2'],
  ['bucketVolume 0', (k) => k.vpin(good, { bucketVolume: 0 }), 'options.bucketVolume', 'a finite number > 0, got 0'],
  ['bucketVolume missing', (k) => k.vpin(good, {} as never), 'options.bucketVolume', 'got undefined'],
  [
    'bucketVolume too small for the data',
    (k) => k.vpin(good, { bucketVolume: 1e-9 }),
    'options.bucketVolume',
    'at most 10000000 buckets per call',
  ],
  ['window 0', (k) => k.vpin(good, { bucketVolume: 10, window: 0 }), 'options.window', 'an integer in [1, 1000000], got 0'],
  ['window 2.5', (k) => k.vpin(good, { bucketVolume: 10, window: 2.5 }), 'options.window', 'got 2.5'],
  ['barMs negative', (k) => k.timeBars(good, { barMs: -5 }), 'options.barMs', 'got -5'],
  [
    'bar index overflows',
    (k) => k.timeBars({ ts: f64(-1.7e308), price: f64(1), volume: f64(1) }, { barMs: 5e-324 }),
    'trades.ts',
    'timestamps whose bar index ts / barMs is finite, got ts[0] = -1.7e+308 with barMs = 5e-324',
  ],
  [
    'bar index overflows in vpin',
    (k) => k.vpin({ ts: f64(0, 1.7e308), price: f64(1, 2), volume: f64(1, 1) }, { bucketVolume: 1, barMs: 1e-10 }),
    'trades.ts',
    'got ts[1] = 1.7e+308 with barMs = 1e-10',
  ],
  [
    'classifier',
    (k) => k.vpin(good, { bucketVolume: 10, classifier: 'lee-ready' as never }),
    'options.classifier',
    `'bvc', 'tick' or { algorithm, quoteLagMs, lagFrom, convention }, got "lee-ready"`,
  ],
  ['priceChange', (k) => k.vpin(good, { bucketVolume: 10, priceChange: 'open' as never }), 'options.priceChange', 'got "open"'],
  ['sigma negative', (k) => k.vpin(good, { bucketVolume: 10, sigma: -1 }), 'options.sigma', 'got -1'],
  ['sigma rolling 1', (k) => k.vpin(good, { bucketVolume: 10, sigma: { rolling: 1 } }), 'options.sigma.rolling', 'got 1'],
  ['sigma ewma 1', (k) => k.vpin(good, { bucketVolume: 10, sigma: { ewma: 1 } }), 'options.sigma.ewma', 'a number in [0, 1), got 1'],
  ['sigma garbage', (k) => k.vpin(good, { bucketVolume: 10, sigma: { garch: 1 } as never }), 'options.sigma', "'sample', a number > 0"],
  ['studentT nu 0', (k) => k.vpin(good, { bucketVolume: 10, distribution: { studentT: 0 } }), 'options.distribution.studentT', 'got 0'],
  [
    'wrong typed array',
    (k) => k.vpin({ ...good, volume: new Float32Array(50) as never }, { bucketVolume: 10 }),
    'trades.volume',
    'a Float64Array, got Float32Array(50)',
  ],
  ['plain array', (k) => k.tickRule([1, 2, 3] as never), 'price', 'got an Array of length 3'],
  [
    'classifyTrades: negative bid',
    (k) => k.classifyTrades(withQuote('bid', set(quoted.bid, 4, -1)), { algorithm: 'quote' }),
    'trades.bid',
    'finite quotes >= 0 (NaN for no quote), got bid[4] = -1',
  ],
  [
    'classifyTrades: infinite ask',
    (k) => k.classifyTrades(withQuote('ask', set(quoted.ask, 9, Infinity)), { algorithm: 'emo' }),
    'trades.ask',
    'got ask[9] = Infinity',
  ],
  [
    'classifyTrades: NaN price',
    (k) => k.classifyTrades(withQuote('price', set(quoted.price, 2, NaN)), { algorithm: 'tick' }),
    'trades.price',
    'finite prices, got price[2] = NaN',
  ],
  [
    'classifyTrades: unsorted timestamps',
    (k) => k.classifyTrades(withQuote('ts', set(quoted.ts, 7, 0)), { algorithm: 'lee-ready' }),
    'trades.ts',
    'non-decreasing timestamps, got ts[7] = 0 after',
  ],
  [
    'classifyTrades: NaN timestamp',
    (k) => k.classifyTrades(withQuote('ts', set(quoted.ts, 0, NaN)), { algorithm: 'clnv' }),
    'trades.ts',
    'finite timestamps, got ts[0] = NaN',
  ],
  [
    'classifyTrades: bid length',
    (k) => k.classifyTrades(withQuote('bid', quoted.bid.subarray(1)), { algorithm: 'quote' }),
    'trades.bid',
    'expected length 50 (as trades.ts), got length 49',
  ],
  [
    'classifyTrades: ask not a Float64Array',
    (k) => k.classifyTrades({ ...quoted, ask: new Float32Array(50) as never }, { algorithm: 'quote' }),
    'trades.ask',
    'a Float64Array, got Float32Array(50)',
  ],
  [
    'classifyTrades: no quotes',
    (k) => k.classifyTrades(good as never, { algorithm: 'quote' }),
    'trades.bid',
    'a Float64Array, got undefined',
  ],
  ['classifyTrades: options not an object', (k) => k.classifyTrades(quoted, 3 as never), 'options', 'an object, got 3'],
  [
    'classifyTrades: unknown algorithm',
    (k) => k.classifyTrades(quoted, { algorithm: 'lr' as never }),
    'options.algorithm',
    `'tick', 'reverse-tick', 'quote', 'lee-ready', 'emo', 'clnv', 'reverse-lee-ready', 'reverse-emo' or 'reverse-clnv', got "lr"`,
  ],
  [
    'classifyTrades: unknown convention',
    (k) => k.classifyTrades(quoted, { algorithm: 'emo', convention: 'R' as never }),
    'options.convention',
    `'tclf' or 'pinstimation', got "R"`,
  ],
  [
    'classifyTrades: an infinite lag',
    (k) => k.classifyTrades(quoted, { algorithm: 'lee-ready', quoteLagMs: Infinity }),
    'options.quoteLagMs',
    'a finite number >= 0, got Infinity',
  ],
  [
    'classifyTrades: a stream with trades carrying quotes',
    (k) => k.classifyTrades(quoted, { algorithm: 'quote', quotes: stream }),
    'options.quotes',
    'no quote stream where the trades carry their own bid and ask, got both',
  ],
  [
    'classifyTrades: a stream with lagFrom trades',
    (k) => k.classifyTrades(good, { algorithm: 'quote', quotes: stream, lagFrom: 'trades', quoteLagMs: 5 }),
    'options.lagFrom',
    "'quotes' with a quote stream",
  ],
  [
    'classifyTrades: trades without quotes and no stream',
    (k) => k.classifyTrades(good, { algorithm: 'quote' }),
    'trades.bid',
    'a Float64Array, got undefined',
  ],
  [
    'classifyTrades: quote stream length mismatch',
    (k) => k.classifyTrades(good, { algorithm: 'quote', quotes: { ...stream, ask: stream.ask.subarray(1) } }),
    'quotes.ask',
    'expected length 100 (as quotes.ts), got length 99',
  ],
  [
    'classifyTrades: unsorted quote times',
    (k) => k.classifyTrades(good, { algorithm: 'quote', quotes: { ...stream, ts: set(stream.ts, 40, 0) } }),
    'quotes.ts',
    'non-decreasing quote times, got ts[40] = 0 after',
  ],
  [
    'classifyTrades: NaN quote time',
    (k) => k.classifyTrades(good, { algorithm: 'emo', quotes: { ...stream, ts: set(stream.ts, 3, NaN) } }),
    'quotes.ts',
    'finite quote times, got ts[3] = NaN',
  ],
  [
    'classifyTrades: negative stream bid',
    (k) => k.classifyTrades(good, { algorithm: 'lee-ready', quotes: { ...stream, bid: set(stream.bid, 9, -1) } }),
    'quotes.bid',
    'finite quotes >= 0 (NaN for no quote), got bid[9] = -1',
  ],
  [
    'classifyTrades: infinite stream ask',
    (k) => k.classifyTrades(good, { algorithm: 'lee-ready', quotes: { ...stream, ask: set(stream.ask, 99, Infinity) } }),
    'quotes.ask',
    'got ask[99] = Infinity',
  ],
  [
    'classifyTrades: a stream NaN price after good quotes',
    (k) => k.classifyTrades(withColumn('price', set(good.price, 17, NaN)), { algorithm: 'quote', quotes: stream }),
    'trades.price',
    'finite prices, got price[17] = NaN',
  ],
  [
    'classifyTrades: negative lag',
    (k) => k.classifyTrades(quoted, { algorithm: 'lee-ready', quoteLagMs: -1 }),
    'options.quoteLagMs',
    'a finite number >= 0, got -1',
  ],
  [
    'classifyTrades: lagFrom',
    (k) => k.classifyTrades(quoted, { algorithm: 'quote', lagFrom: 'bars' as never }),
    'options.lagFrom',
    `'quotes' or 'trades', got "bars"`,
  ],
  [
    'classifyTrades: unknown option',
    (k) => k.classifyTrades(quoted, { algorithm: 'quote', quote: {} } as never),
    'options',
    'only the options algorithm, convention, quoteLagMs, lagFrom, quotes, out, got unknown option "quote"',
  ],
  [
    'detached buffer',
    (k) => k.vpin(withColumn('price', detached()), { bucketVolume: 10 }),
    'trades.price',
    'an attached buffer, got a detached buffer',
  ],
  ['trades not an object', (k) => k.vpin(null as never, { bucketVolume: 10 }), 'trades', 'got null'],
  ['stream with sample sigma', (k) => k.vpinStream({ bucketVolume: 10 }), 'options.sigma', 'a causal sigma'],
  [
    'stream trade in a flushed bar',
    (k) => {
      const s = k.vpinStream({ bucketVolume: 10, sigma: 1 });
      s.update(good);
      s.flush();
      s.update({ ts: good.ts.subarray(49), price: good.price.subarray(49), volume: good.volume.subarray(49) });
    },
    'trades.ts',
    'a timestamp after the bar closed by flush()',
  ],
  [
    'stream batch earlier than the last',
    (k) => {
      const s = k.vpinStream({ bucketVolume: 10, sigma: 1 });
      s.update(good);
      s.update({ ts: good.ts.subarray(0, 1), price: good.price.subarray(0, 1), volume: good.volume.subarray(0, 1) });
    },
    'trades.ts',
    'non-decreasing timestamps, got ts[0]',
  ],
];

describe.each([['reference', ref] as const, ...kernelsIfNative()])('bad input [%s]', (_name, k) => {
  for (const [title, call, argument, fragment] of cases) {
    it(`${title}: KernelInputError naming ${argument}`, () => {
      const error = inputError(() => call(k));
      expect(error.argument).toBe(argument);
      expect(error.message).toContain(fragment);
    });
  }
});

describeEachBackend(
  'same error messages as the reference',
  (k, _name, supports) => {
    /** The kernel a case calls (a backend that implements part of the family is asked only for its own). */
    const kernelOf = (call: (k: Kernels) => unknown) => String(call).match(/k\.(\w+)\(/)![1] as KernelName;

    it('every bad input gives the reference message', () => {
      for (const [, call] of cases) {
        if (supports(kernelOf(call))) expect(inputError(() => call(k)).message).toBe(inputError(() => call(ref)).message);
      }
    });

    it.runIf(supports('vpinStream'))('a rejected batch leaves the stream unchanged', () => {
      const options = { bucketVolume: 100, window: 3, sigma: { ewma: 0.9 } };
      const s = k.vpinStream(options);
      s.update({ ts: good.ts.subarray(0, 25), price: good.price.subarray(0, 25), volume: good.volume.subarray(0, 25) });
      const before = s.snapshot();
      const bad = { ts: good.ts.subarray(25), price: set(good.price.subarray(25), 20, NaN), volume: good.volume.subarray(25) };
      inputError(() => s.update(bad));
      expect(s.snapshot()).toEqual(before);
    });
  },
  'vpin',
);

describe('snapshot bytes are checked', () => {
  const options = { bucketVolume: 100, window: 3, sigma: 0.5 };
  const s = ref.vpinStream(options);
  s.update(good);
  const bytes = s.snapshot();
  const corrupt = (at: number) => {
    const b = bytes.slice();
    b[at] ^= 0xff;
    return b;
  };
  it.each([
    ['magic', corrupt(0), 'a wrong magic number'],
    ['checksum', corrupt(bytes.length - 3), 'a bad checksum'],
    ['truncated', bytes.subarray(0, 40), '40 bytes'],
    ['not bytes', 'hello' as never, 'a Uint8Array from snapshot()'],
  ])('%s', (_t, b, fragment) => {
    const error = inputError(() => ref.vpinStream(options).restore(b));
    expect(error.argument).toBe('bytes');
    expect(error.message).toContain(fragment);
  });
  it('options must match', () => {
    const error = inputError(() => ref.vpinStream({ ...options, window: 4 }).restore(bytes));
    expect(error.message).toContain('window = 3');
  });
});

function kernelsIfNative(): [string, Kernels][] {
  try {
    return [['native', kernels({ backend: 'native' })]];
  } catch {
    return [];
  }
}
