/**
 * obv and mfi over long series on every backend against the reference's bits. The native loops add
 * or subtract without a branch (native/kernels/indicators/volume.cpp pick()): obv adds -0.0 where the
 * close is unchanged, mfi adds 0 to the sum a bar's flow does not go to; both must leave every value
 * as TA-Lib's branches do: ties (unchanged closes), zero and -0.0 volumes (the first bar's too: obv's
 * total starts there), a NaN close, an infinite volume.
 */
import { it } from 'vitest';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { expectBits } from './fixtures.js';

const N = 7_000;

/** A walk in cents (unchanged closes are common), volumes with zeros; `edit` changes it. */
function bars(seed: number, edit?: (b: Record<'high' | 'low' | 'close' | 'volume', Float64Array>) => void) {
  let s = seed;
  const next = () => (s = (s * 48271) % 2147483647) / 2147483647;
  const b = { high: new Float64Array(N), low: new Float64Array(N), close: new Float64Array(N), volume: new Float64Array(N) };
  let p = 20;
  for (let t = 0; t < N; t++) {
    p = Math.max(0.01, Math.round((p + (next() - 0.5) * 0.06) * 100) / 100);
    b.close[t] = p;
    b.high[t] = Math.round((p + next() * 0.05) * 100) / 100;
    b.low[t] = Math.round((p - next() * 0.05) * 100) / 100;
    b.volume[t] = t % 13 === 0 ? 0 : Math.round(next() * 500);
  }
  edit?.(b);
  return b;
}

const SERIES = [
  { what: 'a walk in cents, zero volumes', input: bars(1) },
  {
    what: '-0.0 volumes, the first bar included',
    input: bars(2, (b) => {
      for (let t = 0; t < N; t += 7) b.volume[t] = -0;
    }),
  },
  {
    what: 'a NaN close and an infinite volume',
    input: bars(3, (b) => {
      b.close[3000] = Number.NaN;
      b.volume[5000] = Number.POSITIVE_INFINITY;
    }),
  },
];

describeEachBackend(
  'obv and mfi over long series',
  (k) => {
    it('give the reference bits', () => {
      for (const { what, input } of SERIES) {
        expectBits(k.obv(input) as Float64Array, ref.obv(input) as Float64Array, `obv ${what}`);
        for (const timePeriod of [2, 14, 50]) {
          expectBits(
            k.mfi(input, { timePeriod }) as Float64Array,
            ref.mfi(input, { timePeriod }) as Float64Array,
            `mfi ${timePeriod} ${what}`,
          );
        }
      }
    });
  },
  'indicators',
);
