/**
 * The `out` option of backtestSignals and backtestOrders: an earlier result's series written again in
 * place (a loop of large backtests allocates none), on every backend, equal to a fresh result value for
 * value, the records new each call; the async forms the same.
 */
import { describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/kernels/backtest/backtest-kernels.js';
import type { Kernels, Matrix } from '../../src/index.js';
import { backends, kernels } from '../../src/index.js';
import { describeEachBackend, inCI, ref } from '../helpers/backends.js';
import { walkPanel } from './cases.js';

const T = 60;
const K = 4;

const panel = (seed: number) => walkPanel(T, K, seed, { columns: ['a', 'b', 'c', 'd'] });

const arraysOf = (r: BacktestResult) => ({
  value: Array.from((r.value as Matrix).data),
  cash: Array.from((r.cash as Matrix).data),
  assets: Array.from((r.assets as Matrix).data),
  orders: Object.values(r.orders).map((a) => Array.from(a as Float64Array)),
  trades: Object.values(r.trades).map((a) => Array.from(a as Float64Array)),
});

function outCases(k: Kernels): void {
  it('backtestSignals into an earlier result equals a fresh result, and returns the earlier arrays', () => {
    const a = panel(1);
    const b = panel(2);
    const options = (p: ReturnType<typeof panel>) => ({ entries: p.entries, exits: p.exits, fees: 0.001, slippage: 0.0005 });
    const first = k.backtestSignals({ close: a.close }, options(a));
    const arrays = [(first.value as Matrix).data, (first.cash as Matrix).data, (first.assets as Matrix).data];
    const fresh = ref.backtestSignals({ close: b.close }, options(b));
    const again = k.backtestSignals({ close: b.close }, { ...options(b), out: first });
    expect(arraysOf(again)).toEqual(arraysOf(fresh));
    expect([(again.value as Matrix).data, (again.cash as Matrix).data, (again.assets as Matrix).data]).toEqual(arrays);
    expect((again.value as Matrix).data).toBe(arrays[0]);
    expect((again.value as Matrix).columns).toEqual(['a', 'b', 'c', 'd']);
    // the stats read the series the result returned
    expect(k.backtestStats(again)).toEqual(ref.backtestStats(fresh));
  });

  it('backtestOrders with groups and cash sharing into an earlier result (T x G series)', () => {
    const p = panel(3);
    const size: Matrix = {
      data: Float64Array.from({ length: T * K }, (_, j) => (j % 5 === 0 ? 1 : j % 5 === 3 ? -1 : NaN)),
      rows: T,
      cols: K,
    };
    const options = { size, groups: Int32Array.of(0, 0, 1, 1), cashSharing: true, initCash: 1000 };
    const first = k.backtestOrders({ close: p.close }, options);
    const fresh = ref.backtestOrders({ close: panel(4).close }, options);
    const again = k.backtestOrders({ close: panel(4).close }, { ...options, out: first });
    expect((again.value as Matrix).cols).toBe(2);
    expect(arraysOf(again)).toEqual(arraysOf(fresh));
    expect((again.cash as Matrix).data).toBe((first.cash as Matrix).data);
  });

  it('one series: out takes the Float64Arrays of a series result', () => {
    const close = Float64Array.from({ length: T }, (_, i) => 10 + Math.sin(i / 3));
    const entries = Uint8Array.from({ length: T }, (_, i) => (i % 9 === 0 ? 1 : 0));
    const exits = Uint8Array.from({ length: T }, (_, i) => (i % 9 === 4 ? 1 : 0));
    const first = k.backtestSignals({ close }, { entries, exits });
    expect(first.value).toBeInstanceOf(Float64Array);
    const shifted = close.map((x) => x * 1.1);
    const again = k.backtestSignals({ close: shifted }, { entries, exits, out: first });
    expect(again.value).toBe(first.value);
    expect(Array.from(again.value as Float64Array)).toEqual(
      Array.from(ref.backtestSignals({ close: shifted }, { entries, exits }).value as Float64Array),
    );
  });
}

describe('backtest out [reference]', () => outCases(ref));
describeEachBackend('backtest out', (k) => outCases(k), 'backtest');

// native in CI always (a missing addon fails there), else where it loaded
const nativeSuite = inCI || backends().some((b) => b.name === 'native' && b.available) ? describe : describe.skip;
nativeSuite('backtest out, async [native]', () => {
  it('backtestSignalsAsync writes into out, equal to the sync result', async () => {
    const p = panel(5);
    const options = { entries: p.entries, exits: p.exits, fees: 0.002 };
    const ka = kernels({ backend: 'native' });
    const first = await ka.backtestSignalsAsync({ close: p.close }, options);
    const q = panel(6);
    const again = await ka.backtestSignalsAsync({ close: q.close }, { entries: q.entries, exits: q.exits, fees: 0.002, out: first });
    expect((again.value as Matrix).data).toBe((first.value as Matrix).data);
    expect(arraysOf(again)).toEqual(arraysOf(ref.backtestSignals({ close: q.close }, { entries: q.entries, exits: q.exits, fees: 0.002 })));
  });
});
