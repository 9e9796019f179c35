/**
 * A backtest result's series made on request (docs/backtest.md "Series on request"): `value`, `cash`
 * and `assets` each made at its first read and kept; the close the result holds is the caller's (not a
 * copy), so a series first read after the close changed is valued at the changed close; backtestStats
 * uses a value already read, else makes each group's from the records for the fields that read it and
 * keeps none. On every backend, the async forms too.
 */
import { describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/kernels/backtest/backtest-kernels.js';
import type { Kernels, Matrix } from '../../src/index.js';
import { backends, kernels } from '../../src/index.js';
import { describeEachBackend, ref, type Supports } from '../helpers/backends.js';

const T = 40;
const K = 3;

function panel(): { close: Matrix; entries: Matrix; exits: Matrix } {
  let s = 7;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const close: Matrix = { data: new Float64Array(T * K), rows: T, cols: K, columns: ['a', 'b', 'c'] };
  for (let c = 0; c < K; c++) {
    let p = 20 + 10 * rand();
    for (let i = 0; i < T; i++) close.data[i * K + c] = p *= 1 + 0.05 * (rand() - 0.5);
  }
  const signal = (every: number, shift: number) => ({
    data: Float64Array.from({ length: T * K }, (_, j) => ((Math.floor(j / K) + (j % K) + shift) % every === 0 ? 1 : 0)),
    rows: T,
    cols: K,
  });
  return { close, entries: signal(6, 0), exits: signal(6, 3) };
}

const dataOf = (m: Matrix | Float64Array) => Array.from(ArrayBuffer.isView(m) ? m : m.data);

function cases(k: Kernels, supports: Supports): void {
  it.runIf(supports('backtestSignals'))('each series is made at its first read, kept, and enumerable', () => {
    const { close, entries, exits } = panel();
    const r = k.backtestSignals({ close }, { entries, exits, fees: 0.001 });
    for (const name of ['value', 'cash', 'assets'] as const) {
      expect(typeof Object.getOwnPropertyDescriptor(r, name)?.get).toBe('function');
      expect(r[name]).toBe(r[name]);
    }
    expect(Object.keys(r).sort()).toEqual(['assets', 'cash', 'initCash', 'orders', 'trades', 'value']);
    expect((r.value as Matrix).columns).toEqual(['a', 'b', 'c']);
    expect({ ...r }.value).toBe(r.value);
  });

  it.runIf(supports('backtestSignals'))(
    'a series first read after the close changed is valued at the changed close; one read before keeps its values',
    () => {
      const { close, entries, exits } = panel();
      const before = k.backtestSignals({ close }, { entries, exits });
      const cashBefore = dataOf(before.cash);
      const valueBefore = dataOf(before.value);
      const later = k.backtestSignals({ close }, { entries, exits });
      const doubled = { ...close, data: close.data.map((x) => 2 * x) };
      const atDoubled = k.backtestSignals({ close: doubled }, { entries, exits });
      close.data.set(doubled.data);
      // read before the change: kept; first read after: the changed close's (the records stay the first close's)
      expect(dataOf(before.value)).toEqual(valueBefore);
      expect(dataOf(later.cash)).toEqual(cashBefore);
      const assets = dataOf(later.assets);
      const expected = dataOf(later.cash).map((c, j) => {
        const p = assets[j];
        return c + (0 + (p === 0 ? 0 : doubled.data[j] * p));
      });
      expect(dataOf(later.value)).toEqual(expected);
      expect(dataOf(later.value)).not.toEqual(dataOf(atDoubled.value));
    },
  );

  it.runIf(supports('backtestStats'))('backtestStats makes a value it was not given from the records, and keeps none', () => {
    const { close, entries, exits } = panel();
    const fields = ['totalReturn', 'sharpeRatio', 'maxDrawdown', 'sortinoRatio'] as const;
    const read = k.backtestSignals({ close }, { entries, exits });
    const unread = k.backtestSignals({ close }, { entries, exits });
    const original = dataOf(read.value);
    const stats = k.backtestStats(unread, { fields });
    // the same numbers whether the result's value was read first or made by the call
    expect(stats).toEqual(k.backtestStats(read, { fields }));
    expect(Number.isFinite((stats.sharpeRatio as Float64Array)[0])).toBe(true);
    close.data.fill(1);
    // the call kept no value: `unread`'s is made at its first read, at the changed close; `read`'s was kept
    expect(dataOf(read.value)).toEqual(original);
    expect(dataOf(unread.value)).not.toEqual(original);
    // and the stats of `read` still use its kept value; those of `unread` the changed close's
    expect(k.backtestStats(read, { fields })).toEqual(stats);
    expect(k.backtestStats(unread, { fields })).not.toEqual(stats);
  });

  it.runIf(supports('backtestSignals'))('the async form gives the same series', async () => {
    const { close, entries, exits } = panel();
    const sync = k.backtestSignals({ close }, { entries, exits, slStop: 0.05 });
    const r: BacktestResult = await k.backtestSignalsAsync({ close }, { entries, exits, slStop: 0.05 });
    for (const name of ['value', 'cash', 'assets'] as const) expect(dataOf(r[name])).toEqual(dataOf(sync[name]));
  });
}

describe('series on request [reference]', () => cases(ref, () => true));
describeEachBackend('series on request', (k, _name, supports) => cases(k, supports), 'backtest');

describe('series on request: a result past 32 MB', () => {
  const native = backends().find((b) => b.name === 'native' && b.available);
  // value, cash and assets of 2,100 x 2,000 are 33.6 MB each: the native pass streams its rows past the cache
  it.runIf(native !== undefined)('equals the reference bit for bit', () => {
    const T = 2100;
    const K = 2000;
    let s = 11;
    const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const close = new Float64Array(T);
    for (let i = 0, p = 50; i < T; i++) close[i] = p *= 1 + 0.03 * (rand() - 0.5);
    const signal = (rate: number) => ({ data: Uint8Array.from({ length: T * K }, () => (rand() < rate ? 1 : 0)), rows: T, cols: K });
    const options = { entries: signal(0.01), exits: signal(0.01), fees: 0.001 };
    const ours = kernels({ backend: 'native' }).backtestSignals({ close }, options);
    const theirs = ref.backtestSignals({ close }, options);
    for (const name of ['value', 'cash', 'assets'] as const) {
      const a = (ours[name] as Matrix).data;
      const b = (theirs[name] as Matrix).data;
      expect(a.length).toBe(T * K);
      let differ = 0;
      for (let j = 0; j < a.length; j++) if (!Object.is(a[j], b[j])) differ++;
      expect(differ, name).toBe(0);
    }
  });
});

describe('backtestStats: the value made a chunk of groups at a time', () => {
  const native = backends().find((b) => b.name === 'native' && b.available);
  // 300 columns (or 100 groups of 3): many chunks of groups on 1 and 2 threads; a close panel with NaNs
  it.runIf(native !== undefined)('equals the reference and the stats of the value read, bit for bit', () => {
    const T = 300;
    const K = 300;
    let s = 23;
    const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const close: Matrix = { data: new Float64Array(T * K), rows: T, cols: K };
    for (let c = 0; c < K; c++)
      for (let i = 0, p = 20 + c / 10; i < T; i++) close.data[i * K + c] = rand() < 0.02 ? NaN : (p *= 1 + 0.04 * (rand() - 0.5));
    const signal = (): Matrix => ({ data: Float64Array.from({ length: T * K }, () => (rand() < 0.04 ? 1 : 0)), rows: T, cols: K });
    const base = { entries: signal(), exits: signal(), fees: 0.001 };
    const groups = Int32Array.from({ length: K }, (_, c) => Math.floor(c / 3));
    const fields = ['totalReturn', 'maxDrawdown', 'maxDrawdownDuration', 'sharpeRatio', 'omegaRatio', 'sortinoRatio'] as const;
    for (const options of [base, { ...base, groups }, { ...base, groups, cashSharing: true }]) {
      const want = ref.backtestStats(ref.backtestSignals({ close }, options), { fields });
      for (const threads of [1, 2]) {
        const k = kernels({ backend: 'native', threads });
        const r = k.backtestSignals({ close }, options);
        const made = k.backtestStats(r, { fields });
        void r.value;
        for (const got of [made, k.backtestStats(r, { fields })]) {
          for (const field of fields) {
            const a = got[field] as Float64Array;
            const b = want[field] as Float64Array;
            expect(a.length).toBe('groups' in options ? 100 : K);
            let differ = 0;
            for (let g = 0; g < a.length; g++) if (!Object.is(a[g], b[g])) differ++;
            expect(differ, `${field}, ${threads} threads`).toBe(0);
          }
        }
      }
    }
  });
});
