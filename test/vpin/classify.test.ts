/**
 * classifyTrades on hand-made tapes: every algorithm at each position against the quote (at the bid,
 * at the ask, at the midpoint exact and float-inexact, inside, outside, in and out of the CLNV bands,
 * locked, crossed, missing), zero ticks and first trades, under both conventions. Each label is
 * written from the rule's definition (the JSDoc of VpinKernels.classifyTrades), on the reference and
 * on the native backend.
 */
import { describe, expect, it } from 'vitest';
import type { ClassifyAlgorithm, ClassifyConvention, QuotedTrades } from '../../src/kernels/classify.js';
import { kernels, type Kernels } from '../../src/index.js';
import { ref } from '../helpers/backends.js';

/** A tape of [price, bid, ask] rows, one trade a millisecond. */
function tape(rows: [number, number, number][]): QuotedTrades {
  const column = (k: number) => Float64Array.from(rows, (r) => r[k]);
  return {
    ts: Float64Array.from(rows, (_, i) => i),
    price: column(0),
    volume: new Float64Array(rows.length).fill(1),
    bid: column(1),
    ask: column(2),
  };
}

const N = NaN;

// Quote 10 / 10.5 (midpoint 10.25), unless the row says otherwise.
const quoteTape = tape([
  [10, 10, 10.5], // at the bid
  [10.5, 10, 10.5], // at the ask
  [10.25, 10, 10.5], // at the midpoint
  [10.4, 10, 10.5], // inside, above
  [10.1, 10, 10.5], // inside, below
  [11, 10, 10.5], // outside, above
  [9, 10, 10.5], // outside, below
  [10.4, 10.5, 10], // crossed: tclf no midpoint; PINstimation m = 10.25
  [10, 10, 10], // locked, at it
  [10.2, 10, 10], // locked, above
  [10.2, N, N], // no quote
  [0.15, 0.1, 0.2], // (0.1 + 0.2) / 2 = 0.15000000000000002: below the double midpoint
]);

// Prices 10.25, 10.5, 10.25, 10.25, 10.4, 10.3, 10.3, 10.25: ticks 0, +, -, -(zero tick), +, -, -, -;
// reverse ticks -, +, -, -, +, +(zero tick), +, 0.
const leeReadyTape = tape([
  [10.25, 10, 10.5], // midpoint, first trade: tick 0
  [10.5, 10, 10.5],
  [10.25, 10, 10.5], // midpoint after a fall
  [10.25, 10, 10.5], // midpoint, zero tick
  [10.4, 10, 10.5],
  [10.3, 10.5, 10], // crossed
  [10.3, N, N], // no quote
  [10.25, 10.25, 10.25], // locked, at it
]);

// Prices 10, 10.5, 9.9, 10.00005, 10.25, 10.3, 10.25, 10, 10, 10, 1001, 1000.01: ticks 0, +, -, +, +, +,
// -, -, -, -, +, -; reverse ticks -, +, -, -, -, +, +, -, -, -, +, 0.
const emoTape = tape([
  [10, 10, 10.5], // at the bid
  [10.5, 10, 10.5], // at the ask
  [9.9, 10, 10.5], // outside, below
  [10.00005, 10, 10.5], // within tclf's tolerance of the bid, not equal
  [10.25, 10, 10.5], // midpoint
  [10.3, 10, 10.5], // inside
  [10.25, 10.25, 10.25], // locked: at both
  [10, 10.5, 10], // crossed, at the ask
  [10, N, N], // no quote
  [10, 10, N], // at the bid, no ask
  [1001, 999, 1000], // outside
  [1000.01, 999, 1000], // |p - ask| = 0.01 <= 1e-4 + 1e-5 * 1000: "at the ask" for tclf (rtol), not equal
]);

// Quote 10 / 11: bands [10.7, 11] (buy) and [10, 10.3] (sell), midpoint 10.5. Prices 11, 10.7, 10.6, 10.65,
// 10, 10.2, 11.5, 11.2, 10.5, 10.5, 10.8: ticks 0, -, -, +, -, +, +, -, -, -, +; reverse ticks +, +, -, +, -,
// -, +, +, -, -, 0.
const clnvTape = tape([
  [11, 10, 11], // at the ask
  [(1 - 0.3) * 11 + 0.3 * 10, 10, 11], // the upper band's lower edge (closed)
  [10.6, 10, 11], // between the bands
  [10.65, 10, 11], // between the bands
  [10, 10, 11], // at the bid
  [10.2, 10, 11], // lower band, after a rise
  [11.5, 10, 11], // outside, above
  [11.2, 10, 11], // outside, above, after a fall
  [10.5, 10.5, 10.5], // locked: in both bands
  [10.5, 11, 10], // crossed: in neither
  [10.8, N, N], // no quote
]);

const expected: Record<string, { tape: QuotedTrades; tclf: number[]; pinstimation?: number[] }> = {
  quote: {
    tape: quoteTape,
    tclf: [-1, 1, 0, 1, -1, 1, -1, 0, 0, 1, 0, -1],
    pinstimation: [-1, 1, 0, 1, -1, 1, -1, 1, 0, 1, 0, -1],
  },
  'lee-ready': { tape: leeReadyTape, tclf: [0, 1, -1, -1, 1, -1, -1, -1], pinstimation: [0, 1, -1, -1, 1, 1, 0, -1] },
  'reverse-lee-ready': { tape: leeReadyTape, tclf: [-1, 1, -1, -1, 1, 1, 1, 0], pinstimation: [-1, 1, -1, -1, 1, 1, 0, 0] },
  emo: {
    tape: emoTape,
    tclf: [-1, 1, -1, -1, 1, 1, -1, 0, -1, 0, 1, 1],
    pinstimation: [-1, 1, -1, 1, 1, 1, 1, 1, -1, -1, 1, -1],
  },
  'reverse-emo': {
    tape: emoTape,
    tclf: [-1, 1, -1, -1, -1, 1, 1, 0, -1, 0, 1, 1],
    pinstimation: [-1, 1, -1, -1, -1, 1, 1, 1, -1, -1, 1, 0],
  },
  clnv: { tape: clnvTape, tclf: [1, 1, -1, 1, -1, -1, 1, -1, -1, -1, 1] },
  'reverse-clnv': { tape: clnvTape, tclf: [1, 1, -1, 1, -1, -1, 1, 1, -1, -1, 0] },
  tick: { tape: tape([5, 5, 6, 6, 4, 4, 7].map((p) => [p, N, N])), tclf: [0, 0, 1, 1, -1, -1, 1] },
  'reverse-tick': { tape: tape([5, 5, 6, 6, 4, 4, 7].map((p) => [p, 1, 2])), tclf: [-1, -1, 1, 1, -1, -1, 0] },
};

function kernelsUnderTest(): [string, Kernels][] {
  try {
    return [
      ['reference', ref],
      ['native', kernels({ backend: 'native' })],
    ];
  } catch {
    return [['reference', ref]];
  }
}

describe.each(kernelsUnderTest())('classifyTrades [%s]', (_name, k) => {
  for (const [algorithm, { tape, tclf, pinstimation }] of Object.entries(expected)) {
    for (const convention of ['tclf', 'pinstimation'] as ClassifyConvention[]) {
      const labels = convention === 'tclf' ? tclf : (pinstimation ?? tclf);
      it(`${algorithm}, ${convention} convention`, () => {
        const out = k.classifyTrades(tape, { algorithm: algorithm as ClassifyAlgorithm, convention });
        expect(out).toBeInstanceOf(Int8Array);
        expect(Array.from(out)).toEqual(labels);
      });
    }
  }

  it("'tclf' is the default convention; quoteLagMs 0 and either lagFrom change nothing", () => {
    for (const algorithm of ['quote', 'emo'] as const) {
      const { tape, tclf } = expected[algorithm];
      expect(Array.from(k.classifyTrades(tape, { algorithm }))).toEqual(tclf);
      expect(Array.from(k.classifyTrades(tape, { algorithm, quoteLagMs: 0, lagFrom: 'trades' }))).toEqual(tclf);
    }
  });

  it('the tick rule runs over the whole tape (no reset at day boundaries) and equals tickRule', () => {
    const t = tape([100, 101, 101, 99, 99, 100].map((p) => [p, 99, 101]));
    t.ts = Float64Array.from([0, 1, 86_400_000, 86_400_001, 3 * 86_400_000, 3 * 86_400_000]);
    expect(Array.from(k.classifyTrades(t, { algorithm: 'tick' }))).toEqual(Array.from(k.tickRule(t.price)));
    expect(Array.from(k.classifyTrades(t, { algorithm: 'tick' }))).toEqual([0, 1, 1, -1, -1, 1]);
  });

  it('an empty tape and one trade', () => {
    expect(k.classifyTrades(tape([]), { algorithm: 'lee-ready' })).toEqual(new Int8Array(0));
    expect(Array.from(k.classifyTrades(tape([[10, 10, 10.5]]), { algorithm: 'lee-ready' }))).toEqual([-1]);
    expect(Array.from(k.classifyTrades(tape([[10.25, 10, 10.5]]), { algorithm: 'reverse-lee-ready' }))).toEqual([0]);
  });
});
