/**
 * The high-low oscillators (stoch, stochf, stochRsi, willr) over long series, on every backend against
 * the reference's bits: the native code takes windows' extremes from doubling levels over chunks of
 * 2,048 windows where the values are plain (no NaN, no -0.0), else TA-Lib's tracking
 * (native/kernels/indicators/oscillators.cpp); both must give the reference's outputs, across chunk
 * boundaries, for periods from 1 to wider than a chunk, on ties and flat stretches, with infinities,
 * and with a NaN or a -0.0 anywhere (the tracking's path, whose results depend on where it is).
 */
import { it } from 'vitest';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { expectBits } from './fixtures.js';

const N = 7_000;

/** Bars of a seeded walk: `odd` puts a value at bar `at` of the lows (and highs). */
function bars(seed: number, odd?: { at: number; value: number }) {
  let s = seed;
  const next = () => ((s = (s * 48271) % 2147483647) / 2147483647) as number;
  const high = new Float64Array(N);
  const low = new Float64Array(N);
  const close = new Float64Array(N);
  let p = 50;
  for (let t = 0; t < N; t++) {
    // rounded to cents: ties between bars are common; a flat stretch every 1,000 bars
    if (t % 1000 >= 40) p = Math.max(0.01, Math.round((p + next() - 0.5) * 100) / 100);
    low[t] = Math.round((p - next() * (t % 1000 < 40 ? 0 : 1)) * 100) / 100;
    high[t] = Math.round((p + next() * (t % 1000 < 40 ? 0 : 1)) * 100) / 100;
    close[t] = p;
  }
  if (odd) {
    low[odd.at] = odd.value;
    high[odd.at + 1] = odd.value === Number.NEGATIVE_INFINITY ? Number.POSITIVE_INFINITY : odd.value;
  }
  return { high, low, close };
}

const PERIODS = [1, 2, 3, 5, 14, 33, 100, 2100];
const SERIES = [
  { what: 'plain', input: bars(1) },
  { what: 'zeros and ties', input: bars(2, { at: 4100, value: 0 }) },
  { what: '-Infinity and Infinity', input: bars(3, { at: 2047, value: Number.NEGATIVE_INFINITY }) },
  { what: 'a NaN in the third chunk', input: bars(4, { at: 5000, value: Number.NaN }) },
  { what: 'a -0.0 in the second chunk', input: bars(5, { at: 3000, value: -0 }) },
  { what: 'signed zeros, a close of -0.0 at the lowest', input: signedZeros() },
];

/** Lows of +0.0 then -0.0 two bars apart and a close of -0.0 after them: the sign of the lowest zero shows in close - lowest. */
function signedZeros() {
  const b = bars(6);
  for (const at of [100, 2500, 4095]) {
    b.low[at] = 0;
    b.low[at + 2] = -0;
    b.close[at + 3] = -0;
    b.low[at + 3] = Math.min(b.low[at + 3], 0.5);
  }
  return b;
}

describeEachBackend(
  'high-low oscillators over long series',
  (k) => {
    it('stoch, stochf, stochRsi and willr give the reference bits, periods 1 to 2,100', () => {
      for (const { what, input } of SERIES) {
        for (const period of PERIODS) {
          const label = `${what}, period ${period}`;
          const w = { timePeriod: Math.max(2, period) }; // TA-Lib's least is 2 here, 1 for %K
          const willr = [k.willr(input, w), ref.willr(input, w)] as Float64Array[];
          expectBits(willr[0], willr[1], `willr ${label}`);
          const options = { fastKPeriod: period };
          for (const name of ['stoch', 'stochf'] as const) {
            type Call = (input: unknown, options: object) => Record<string, Float64Array>;
            const [ours, theirs] = [(k[name] as unknown as Call)(input, options), (ref[name] as unknown as Call)(input, options)];
            for (const key of Object.keys(theirs)) expectBits(ours[key], theirs[key], `${name}.${key} ${label}`);
          }
          const rsi = { timePeriod: 14, fastKPeriod: period };
          const [ours, theirs] = [k.stochRsi(input.close, rsi), ref.stochRsi(input.close, rsi)] as unknown as Record<
            string,
            Float64Array
          >[];
          for (const key of Object.keys(theirs)) expectBits(ours[key], theirs[key], `stochRsi.${key} ${label}`);
        }
      }
    });
  },
  'indicators',
);
