/**
 * Labels travel: a panel's columns and dates label value, cash and assets, and backtestStats' Vectors
 * are indexed by the columns; one series in gives Float64Arrays and numbers out.
 */
import { describe, expect, it } from 'vitest';
import type { Matrix } from '../../src/index.js';
import type { BacktestStatsColumns } from '../../src/kernels/backtest/backtest-kernels.js';
import { ref } from '../helpers/backends.js';

describe('backtest labels', () => {
  const dates = Float64Array.from({ length: 6 }, (_, i) => Date.UTC(2026, 0, 5 + i));
  const close: Matrix = {
    data: Float64Array.of(10, 20, 11, 19, 12, 21, 11, 22, 13, 20, 14, 23),
    rows: 6,
    cols: 2,
    columns: ['AAA', 'BBB'],
    index: dates,
  };
  const entries: Matrix = { data: Float64Array.of(1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), rows: 6, cols: 2 };
  const exits: Matrix = { data: Float64Array.of(0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0), rows: 6, cols: 2 };

  it('a panel: Matrices with the columns and dates of the close, stats indexed by the columns', () => {
    const r = ref.backtestSignals({ close }, { entries, exits });
    for (const m of [r.value, r.cash, r.assets] as Matrix[]) {
      expect(m.columns).toEqual(['AAA', 'BBB']);
      expect(m.index).toBe(dates);
      expect([m.rows, m.cols]).toEqual([6, 2]);
    }
    // AAA: 10 units bought at 10, sold at 11 (bar 3): value 110 from then on
    expect((r.value as Matrix).data[3 * 2]).toBe(110);
    const stats = ref.backtestStats(r) as BacktestStatsColumns;
    expect(stats.totalReturn.index).toEqual(['AAA', 'BBB']);
    expect(Array.from(stats.totalReturn)).toEqual([0.1, 0.1]);
  });

  it('groups: value and cash per group (T x G), assets per column', () => {
    const r = ref.backtestSignals({ close }, { entries, exits, groups: Int32Array.of(0, 0), cashSharing: true, initCash: 200 });
    expect([(r.value as Matrix).cols, (r.assets as Matrix).cols]).toEqual([1, 2]);
    expect((r.value as Matrix).columns).toBeUndefined();
    expect(Array.from(r.initCash)).toEqual([200]);
  });

  it('one series: Float64Arrays and numbers', () => {
    const r = ref.backtestSignals({ close: Float64Array.of(10, 11, 12) }, { entries: Uint8Array.of(1, 0, 0) });
    expect(r.value).toBeInstanceOf(Float64Array);
    expect(Array.from(r.value as Float64Array)).toEqual([100, 110, 120]);
    const stats = ref.backtestStats(r);
    expect(typeof stats.totalReturn).toBe('number');
    expect(stats.totalReturn).toBeCloseTo(0.2, 15);
  });
});
