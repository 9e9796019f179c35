/**
 * The recurrences a backend may split into chains (native/kernels/indicators/chains.hpp: EMA, DEMA,
 * TEMA, RSI, ATR, NATR, ADX, ADXR, PLUS_DI, MINUS_DI and the indicators over them) on series long
 * enough to be split (4 K + 1 warm-ups: about 33,000 bars for RSI's 8 chains; 120,000 here), against
 * the reference's one chain bit for bit: a walk, flat stretches (an average sinks to a subnormal it
 * keeps, so a guessed chain's start is never forgotten and its stretch is computed again), a walk that
 * sinks to pennies then zeros (as the bench's does), a halted bar (NaN: the whole series through one
 * chain) and an infinity. As a series and as a column of a panel, on every backend. ULTOSC's blocks
 * (its running totals a block of bars at a time) on the same series.
 */
import { describe, expect, it } from 'vitest';
import { type Kernels, matrix } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { expectBits } from './fixtures.js';

const N = 120_000;

/** A seeded uniform in [0, 1). */
function uniform(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) / 16777216;
  };
}

/** The closes of a walk, of flat stretches or of pennies. */
function closes(kind: string): Float64Array {
  const u = uniform(kind.length * 7919);
  const x = new Float64Array(N);
  let v = 100;
  for (let t = 0; t < N; t++) {
    if (kind === 'walk') v += u() - 0.5;
    else if (kind === 'flat stretches') v = Math.floor(t / 12_000) % 2 ? 5 : 100 + u();
    else v *= 1 + 0.5 * (u() - 0.5); // pennies: sinks to a few cents, then to 0
    x[t] = Math.round(v * 100) / 100;
  }
  return x;
}

const KINDS = ['walk', 'flat stretches', 'pennies', 'halted', 'infinite'];
const BARS = Object.fromEntries(
  KINDS.map((kind) => {
    const close = closes(kind === 'halted' || kind === 'infinite' ? 'walk' : kind);
    if (kind === 'halted') close[N / 2] = Number.NaN;
    if (kind === 'infinite') close[N - 10] = Number.POSITIVE_INFINITY;
    // high and low around the close by its cents: equal to it over the flat stretches (at 5 and 0)
    const high = close.map((c) => (Math.round(c * 100) % 7 === 1 ? c + 0.25 : c));
    const low = close.map((c) => (Math.round(c * 100) % 3 === 1 ? c - 0.5 : c));
    return [kind, { high, low, close }];
  }),
);

/** Each indicator and its parameter sets (the defaults, then others). */
const CALLS: [string, object[], boolean][] = [
  ['ema', [{}, { timePeriod: 9 }], false],
  ['dema', [{}, { timePeriod: 5 }], false],
  ['tema', [{}, { timePeriod: 12 }], false],
  ['rsi', [{}, { timePeriod: 3 }], false],
  ['stochRsi', [{}], false],
  ['bbands', [{ maType: 'tema' }], false],
  ['atr', [{}, { timePeriod: 5 }], true],
  ['natr', [{}], true],
  ['adx', [{}, { timePeriod: 5 }], true],
  ['adxr', [{}], true],
  ['plusDi', [{}, { timePeriod: 5 }], true],
  ['minusDi', [{}, { timePeriod: 30 }], true],
  // not a recurrence: ULTOSC's running totals taken a block of 1,024 bars at a time (momentum.cpp), the
  // longest period past a block once (a block then that long)
  ['ultosc', [{}, { timePeriod1: 1500, timePeriod2: 2, timePeriod3: 9 }], true],
];

type Call = (input: unknown, options?: object) => Float64Array | Record<string, Float64Array>;
const outputsOf = (result: Float64Array | Record<string, Float64Array>) =>
  result instanceof Float64Array ? { value: result } : (result as Record<string, Float64Array>);

function againstOneChain(k: Kernels) {
  for (const [name, sets, bars] of CALLS) {
    it(`${name}: long series equal the one chain's bits`, () => {
      for (const kind of KINDS) {
        const input = bars ? BARS[kind] : BARS[kind].close;
        for (const options of sets) {
          const want = outputsOf((ref[name as 'ema'] as unknown as Call)(input, options));
          const got = outputsOf((k[name as 'ema'] as unknown as Call)(input, options));
          for (const key of Object.keys(want)) expectBits(got[key], want[key], `${name} ${kind} ${JSON.stringify(options)} ${key}`);
        }
      }
    });
  }
  it('a panel column of a long series equals its series', () => {
    const cols = KINDS.length;
    const data = new Float64Array(N * cols);
    KINDS.forEach((kind, c) => BARS[kind].close.forEach((v, t) => (data[t * cols + c] = v)));
    const panel = k.rsi(matrix(data, N, cols));
    KINDS.forEach((kind, c) => {
      const column = Float64Array.from({ length: N }, (_, t) => panel.data[t * cols + c]);
      expectBits(column, k.rsi(BARS[kind].close), `rsi panel column ${kind}`);
    });
  });
}

describe('the long cases', () => {
  it('hold what they are built for', () => {
    const pennies = BARS.pennies.close;
    expect(pennies.subarray(N - 1000).every((v) => v === 0)).toBe(true);
    const flat = BARS['flat stretches'].close;
    expect(flat.subarray(12_000, 24_000).every((v) => v === 5)).toBe(true);
    // the averages reach subnormal values over a flat stretch
    const average = ref.atr(BARS['flat stretches'], { timePeriod: 14 });
    expect(average.subarray(12_000, 24_000).some((v) => v > 0 && v < 2.2250738585072014e-308)).toBe(true);
  });
});
describeEachBackend('indicators split into chains', (k) => againstOneChain(k), 'indicators');
