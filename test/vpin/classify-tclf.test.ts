/**
 * classifyTrades against tclf's own published test expectations (KarelZe/tclf,
 * tests/test_classical_classifier.py: test_tick_rule, test_rev_tick_rule, test_quote_rule, test_mid,
 * test_lr, test_rev_lr, test_emo, test_rev_emo, test_clnv, test_rev_clnv). tclf's rows carry the
 * previous (or next) trade price as a column; here each row is a tape of two trades: the row's lag
 * price then the row's trade (for the reverse rules: the trade then its lead price), the helper trade
 * without a quote. Only the rows tclf labels by its rules are used: the rows its tests label "by random
 * chance" (tclf fills what no rule classifies with a random side) are 0 here, as documented.
 */
import { describe, expect, it } from 'vitest';
import type { ClassifyAlgorithm } from '../../src/kernels/vpin/classify.js';
import type { Kernels } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';

/** [price, bid, ask, lag or lead price, tclf's expected label]. */
type Row = [number, number, number, number, number];

/** The row's trade labelled as in tclf: a two-trade tape, the other trade quoteless. */
function labelOf(k: Kernels, algorithm: ClassifyAlgorithm, [price, bid, ask, other]: Row): number {
  const reverse = algorithm.startsWith('reverse-');
  const prices = reverse ? [price, other] : [other, price];
  if (Number.isNaN(other)) prices.fill(price); // a rule that reads no other price: the helper trade at the same price
  const out = k.classifyTrades(
    {
      ts: Float64Array.of(0, 1),
      price: Float64Array.from(prices),
      volume: Float64Array.of(1, 1),
      bid: Float64Array.from(reverse ? [bid, NaN] : [NaN, bid]),
      ask: Float64Array.from(reverse ? [ask, NaN] : [NaN, ask]),
    },
    { algorithm, convention: 'tclf' },
  );
  return out[reverse ? 0 : 1];
}

const N = NaN;

// tclf's rows, with the labels its tests expect (bid and ask put in our column order); the same rows
// serve a rule and its reverse variant, the other price read as the lag or the lead.
// test_tick_rule / test_rev_tick_rule: [trade_price, price_lag | price_lead] [[1, 2], [2, 1]] -> [-1, 1]
const TICK_ROWS: Row[] = [
  [1, N, N, 2, -1],
  [2, N, N, 1, 1],
];
// test_lr, test_rev_lr, test_emo, test_rev_emo: [trade_price, bid, ask, price_lag | price_lead]
// [[1, 1, 3, 0], [3, 1, 3, 0], [1, 1, 1, 0], [3, 2, 4, 4]] -> [-1, 1, 1, -1] (EMO: at the bid, at the ask,
// locked: at both, so the tick; inside: the tick)
const QUOTE_TICK_ROWS: Row[] = [
  [1, 1, 3, 0, -1],
  [3, 1, 3, 0, 1],
  [1, 1, 1, 0, 1],
  [3, 2, 4, 4, -1],
];
// test_clnv / test_rev_clnv: [trade_price, ask, bid, price_lag | price_lead] [[5, 3, 1, 0], [0, 3, 1, 1],
// [2.9, 3, 1, 1], [2.3, 3, 1, 3], [1.7, 3, 1, 0], [1.3, 3, 1, 1]] -> [1, -1, 1, -1, 1, -1]
const CLNV_ROWS: Row[] = [
  [5, 1, 3, 0, 1],
  [0, 1, 3, 1, -1],
  [2.9, 1, 3, 1, 1],
  [2.3, 1, 3, 3, -1],
  [1.7, 1, 3, 0, 1],
  [1.3, 1, 3, 1, -1],
];
// test_quote_rule: [trade_price, bid, ask] [[1, 1, 3], [3, 1, 3]] -> [-1, 1]; test_mid: [[1.5, 1, 3], [2.5, 1, 3]] -> [-1, 1]
const QUOTE_ROWS: Row[] = [
  [1, 1, 3, N, -1],
  [3, 1, 3, N, 1],
  [1.5, 1, 3, N, -1],
  [2.5, 1, 3, N, 1],
];

const CASES: [ClassifyAlgorithm, Row[]][] = [
  ['tick', TICK_ROWS],
  ['reverse-tick', TICK_ROWS],
  ['quote', QUOTE_ROWS],
  ['lee-ready', QUOTE_TICK_ROWS],
  ['reverse-lee-ready', QUOTE_TICK_ROWS],
  ['emo', QUOTE_TICK_ROWS],
  ['reverse-emo', QUOTE_TICK_ROWS],
  ['clnv', CLNV_ROWS],
  ['reverse-clnv', CLNV_ROWS],
];

function suite(k: Kernels, supported = true): void {
  for (const [algorithm, rows] of CASES) {
    it.runIf(supported)(`${algorithm}: tclf's expected labels`, () => {
      expect(rows.map((row) => labelOf(k, algorithm, row))).toEqual(rows.map((row) => row[4]));
    });
  }
  it.runIf(supported)("rows tclf leaves to chance (a crossed quote under the quote rule, no quote) are 0: tclf's test_mid rows 3-6", () => {
    const chance: Row[] = [
      [1.5, 3, 1, N, 0],
      [2.5, 3, 1, N, 0],
      [1, N, 1, N, 0],
      [3, N, N, N, 0],
    ];
    expect(chance.map((row) => labelOf(k, 'quote', row))).toEqual([0, 0, 0, 0]);
  });
}

describe('classifyTrades on tclf test rows [reference]', () => suite(ref));
describeEachBackend('classifyTrades on tclf test rows', (k, _name, supports) => suite(k, supports('classifyTrades')), 'vpin');
