/**
 * classifyTrades on hand-made tapes: every algorithm at each position against the quote (at the bid,
 * at the ask, at the midpoint exact and float-inexact, inside, outside, in and out of the CLNV bands,
 * locked, crossed, missing), zero ticks and first trades, under both conventions. Each label is
 * written from the rule's definition (the JSDoc of VpinKernels.classifyTrades), on the reference and
 * on the native backend.
 */
import { describe, expect, it } from 'vitest';
import type { ClassifyAlgorithm, ClassifyConvention, QuotedTrades } from '../../src/kernels/vpin/classify.js';
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

  it("'tick' is the default algorithm, as PINstimation's classify_trades", () => {
    const { tape } = expected.quote;
    expect(Array.from(k.classifyTrades(tape))).toEqual(Array.from(k.classifyTrades(tape, { algorithm: 'tick' })));
    expect(Array.from(k.classifyTrades(tape, {}))).toEqual(Array.from(k.tickRule(tape.price)));
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

/**
 * Quote lags and quote streams, labels written from the rules (VpinKernels.classifyTrades): the quote
 * rule with each trade priced so that its label names the quote it was compared with.
 */
describe.each(kernelsUnderTest())('classifyTrades with quote lags and streams [%s]', (_name, k) => {
  // Trades at 100, 100, 100 (a burst in one ms), 103, 110, 120 ms, each priced 10.25. The quote rule
  // says which quote a trade met: midpoint 10 (bid 9.5 / ask 10.5) -> +1, midpoint 10.5 (10 / 11) -> -1,
  // none -> 0.
  const ts = Float64Array.from([100, 100, 100, 103, 110, 120]);
  const price = new Float64Array(6).fill(10.25);
  const volume = new Float64Array(6).fill(1);
  const LOW: [number, number] = [9.5, 10.5]; // midpoint 10: a trade at 10.25 is a buy
  const HIGH: [number, number] = [10, 11]; // midpoint 10.5: a sell

  it("lagFrom 'quotes' from a stream: the last quote at or before t - lag; a quote in the trade's ms precedes it", () => {
    // quotes: 99 LOW, 100 HIGH, 105 LOW, 110 HIGH
    const quotes = {
      ts: Float64Array.from([99, 100, 105, 110]),
      bid: Float64Array.from([LOW[0], HIGH[0], LOW[0], HIGH[0]]),
      ask: Float64Array.from([LOW[1], HIGH[1], LOW[1], HIGH[1]]),
    };
    const trades = { ts, price, volume };
    const labels = (quoteLagMs: number) => Array.from(k.classifyTrades(trades, { algorithm: 'quote', quotes, quoteLagMs }));
    // lag 0: 100 sees the quote at 100 (HIGH); 103 HIGH; 110 the quote at 110 (HIGH); 120 HIGH
    expect(labels(0)).toEqual([-1, -1, -1, -1, -1, -1]);
    // lag 1: 99 -> LOW; 102 -> HIGH; 109 -> LOW (105); 119 -> HIGH
    expect(labels(1)).toEqual([1, 1, 1, -1, 1, -1]);
    // lag 2: 98 -> before the first quote: none; 101 HIGH; 108 LOW; 118 HIGH
    expect(labels(2)).toEqual([0, 0, 0, -1, 1, -1]);
    // lag 30: every lagged time before the first quote
    expect(labels(30)).toEqual([0, 0, 0, 0, 0, 0]);
    // Lee-Ready falls to the tick rule where there is no quote (tclf) or stays 0 (PINstimation): the
    // price never changes here, so the tick rule gives 0 too
    expect(Array.from(k.classifyTrades(trades, { algorithm: 'lee-ready', quotes, quoteLagMs: 2 }))).toEqual([0, 0, 0, -1, 1, -1]);
    // an empty stream: no quote anywhere
    const none = { ts: new Float64Array(0), bid: new Float64Array(0), ask: new Float64Array(0) };
    expect(Array.from(k.classifyTrades(trades, { algorithm: 'quote', quotes: none }))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  // The same trades with their own quotes: rows 0..5 quote LOW, HIGH, LOW, HIGH, LOW, HIGH.
  const own = {
    ts,
    price,
    volume,
    bid: Float64Array.from([0, 1, 2, 3, 4, 5], (i) => (i % 2 ? HIGH[0] : LOW[0])),
    ask: Float64Array.from([0, 1, 2, 3, 4, 5], (i) => (i % 2 ? HIGH[1] : LOW[1])),
  };
  const ownLabels = (quoteLagMs: number, lagFrom: 'quotes' | 'trades') =>
    Array.from(k.classifyTrades(own, { algorithm: 'quote', quoteLagMs, lagFrom }));

  it("lagFrom 'quotes' over the trades' own rows: the last row at or before t - lag (own row at lag 0)", () => {
    expect(ownLabels(0, 'quotes')).toEqual([1, -1, 1, -1, 1, -1]);
    // lag 1: 99 -> none; 102 -> the last row at 100 (row 2: LOW); 109 -> row 3 (HIGH); 119 -> row 4 (LOW)
    expect(ownLabels(1, 'quotes')).toEqual([0, 0, 0, 1, -1, 1]);
    // lag 3: 97 none; 100 -> row 2 (LOW); 107 -> row 3 (HIGH); 117 -> row 4 (LOW)
    expect(ownLabels(3, 'quotes')).toEqual([0, 0, 0, 1, -1, 1]);
  });

  it("lagFrom 'trades' is PINstimation's timelag: the first row strictly after t - lag, none before the first trade", () => {
    expect(ownLabels(0, 'trades')).toEqual([1, -1, 1, -1, 1, -1]);
    // lag 1: 99 < 100 = the first trade: none; 102 -> first row after 102: row 3 (HIGH); 109 -> row 4
    // (LOW); 119 -> row 5 (HIGH)
    expect(ownLabels(1, 'trades')).toEqual([0, 0, 0, -1, 1, -1]);
    // lag 3: 97 none; 100 -> the first row after 100: row 3 (HIGH); 107 -> row 4 (LOW); 117 -> row 5
    expect(ownLabels(3, 'trades')).toEqual([0, 0, 0, -1, 1, -1]);
    // lag 10: 90, 93 none; 100 (= the first trade's time: at or after it, so a row) -> row 3 (HIGH);
    // 110 -> row 5 (HIGH)
    expect(ownLabels(10, 'trades')).toEqual([0, 0, 0, 0, -1, -1]);
    // lag 20: only 120 - 20 = 100 reaches the tape: row 3
    expect(ownLabels(20, 'trades')).toEqual([0, 0, 0, 0, 0, -1]);
  });

  it('EMO and CLNV read the lagged bid and ask (tick rule where the trade is at neither)', () => {
    const quotes = { ts: Float64Array.from([0, 105]), bid: Float64Array.from([10.25, 10]), ask: Float64Array.from([11, 10.25]) };
    // before 105 the trade is at the bid (a sell), from 105 on at the ask (a buy)
    const trades = { ts, price, volume };
    expect(Array.from(k.classifyTrades(trades, { algorithm: 'emo', quotes }))).toEqual([-1, -1, -1, -1, 1, 1]);
    expect(Array.from(k.classifyTrades(trades, { algorithm: 'emo', quotes, quoteLagMs: 10 }))).toEqual([-1, -1, -1, -1, -1, 1]);
    expect(Array.from(k.classifyTrades(trades, { algorithm: 'clnv', quotes, quoteLagMs: 10 }))).toEqual([-1, -1, -1, -1, -1, 1]);
  });
});
