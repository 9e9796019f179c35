/**
 * bench/results.ts lostFigures: a run whose rows lack figures the saved table holds (a peer not
 * installed: its rows NaN) is not written over it (bench/run.ts, unless --force-write).
 */
import { describe, expect, it } from 'vitest';
import type { BenchRow } from '../../bench/lib.js';
import { lostFigures, readSection } from '../../bench/results.js';

describe('a bench run that would lose saved figures', () => {
  const saved = readSection('backtest');

  it('names each row measured in the saved table that this run has as NaN', () => {
    expect(saved).toBeDefined();
    const rows = (saved as { rows: BenchRow[] }).rows;
    const measured = rows.filter((r) => Number.isFinite(r.value) && r.subject.startsWith('vectorbt'));
    expect(measured.length).toBeGreaterThan(2);
    // the same rows with the peer's figures gone, as a run without vectorbt makes them
    const peerless = rows.map((r) => (r.subject.startsWith('vectorbt') ? { ...r, value: Number.NaN } : r));
    expect(lostFigures('backtest', peerless)).toEqual(measured.map((r) => `${r.case} / ${r.subject}`));
  });

  it('nothing lost: every figure there, a row renamed or gone (not a figure this run failed to make), or no saved table', () => {
    const rows = (saved as { rows: BenchRow[] }).rows;
    expect(lostFigures('backtest', rows)).toEqual([]);
    expect(
      lostFigures(
        'backtest',
        rows.map((r) => ({ ...r, case: `${r.case} (renamed)`, value: Number.NaN })),
      ),
    ).toEqual([]);
    expect(lostFigures('backtest', rows.slice(0, 1))).toEqual([]);
    expect(lostFigures('no-such-section', [{ section: 'x', case: 'c', subject: 's', value: Number.NaN, unit: 'ms' }])).toEqual([]);
  });
});
