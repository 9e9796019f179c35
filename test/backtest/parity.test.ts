/**
 * Every backend's backtest equals the reference's bit for bit (the same operations in the same order,
 * native/kernels/backtest/ twins src/simulation/), or throws the same error, on seeded
 * random cases of every option (cases.ts), on one thread and on several, sync and async.
 */
import { expect, it } from 'vitest';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { randomCase } from './cases.js';
import type { BacktestResult } from '../../src/kernels/backtest/backtest-kernels.js';
import { STAT_FIELDS, type StatField } from '../../src/kernels/backtest/backtest-stats.js';
import { kernels, type Matrix } from '../../src/index.js';
import { loadNative } from '../../src/backends/native/binding.js';

const SEEDS = Array.from({ length: 300 }, (_, i) => 1000 + i);

/**
 * T x K closes, each column a walk from 20 by steps of +-step/2 of a seeded generator (Park-Miller),
 * and signal(): a fresh 0/1 matrix from the same generator, 1 with probability 0.05.
 */
function walkCase(T: number, K: number, seed: number, step: number): { close: Matrix; signal: () => Matrix } {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const close: Matrix = { data: new Float64Array(T * K), rows: T, cols: K };
  for (let c = 0; c < K; c++) for (let i = 0, p = 20; i < T; i++) close.data[i * K + c] = p *= 1 + step * (u() - 0.5);
  const signal = (): Matrix => ({ data: Float64Array.from({ length: T * K }, () => (u() < 0.05 ? 1 : 0)), rows: T, cols: K });
  return { close, signal };
}

/** The result's arrays flattened with their paths, for an exact comparison. */
function arrays(r: BacktestResult): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  const series = (x: unknown) => (ArrayBuffer.isView(x) ? (x as Float64Array) : (x as { data: Float64Array }).data);
  out.value = series(r.value);
  out.cash = series(r.cash);
  out.assets = series(r.assets);
  for (const [k, v] of Object.entries(r.orders)) out[`orders.${k}`] = v;
  for (const [k, v] of Object.entries(r.trades)) out[`trades.${k}`] = v;
  return out;
}

/** Runs `call` and gives its result's arrays, or its error's message. */
function outcome(call: () => BacktestResult): Record<string, Float64Array> | string {
  try {
    return arrays(call());
  } catch (e) {
    return (e as Error).message;
  }
}

function expectSame(a: Record<string, Float64Array> | string, b: Record<string, Float64Array> | string, what: string): void {
  if (typeof a === 'string' || typeof b === 'string') {
    expect(b, what).toBe(a);
    return;
  }
  expect(Object.keys(b), what).toEqual(Object.keys(a));
  for (const key of Object.keys(a)) {
    expect(b[key].length, `${what} ${key} length`).toBe(a[key].length);
    for (let i = 0; i < a[key].length; i++) {
      if (!Object.is(a[key][i], b[key][i])) expect(`${key}[${i}] = ${b[key][i]}`, what).toBe(`${key}[${i}] = ${a[key][i]}`);
    }
  }
}

describeEachBackend(
  'backtest parity',
  (k, name, supports) => {
    it.runIf(supports('backtestSignals', 'backtestOrders'))(
      'backtestSignals and backtestOrders equal the reference on 300 random cases',
      () => {
        let filled = 0;
        let faults = 0;
        for (const seed of SEEDS) {
          const c = randomCase(seed);
          for (const kind of ['signals', 'orders'] as const) {
            const run = (kk: typeof k) => () =>
              kind === 'signals' ? kk.backtestSignals(c.prices, c.signals) : kk.backtestOrders(c.prices, c.orders);
            const want = outcome(run(ref));
            const got = outcome(run(k));
            expectSame(want, got, `seed ${seed} ${kind}`);
            if (typeof want === 'string') faults++;
            else filled += want['orders.id'].length;
          }
        }
        // the cases reach orders on most seeds, and the faults path too
        expect(filled).toBeGreaterThan(3000);
        expect(faults).toBeLessThan(SEEDS.length);
      },
    );

    it.runIf(supports('backtestStats'))('backtestStats equals the reference on 300 random cases, the value made or read', () => {
      for (const seed of SEEDS) {
        const c = randomCase(seed);
        for (const kind of ['signals', 'orders'] as const) {
          const r = kind === 'signals' ? ref.backtestSignals(c.prices, c.signals) : ref.backtestOrders(c.prices, c.orders);
          const want = ref.backtestStats(r, { periodsPerYear: 252 }) as unknown as Record<string, number | Float64Array>;
          // the value made by the call (the result's not read yet), then the result's value once read
          const made = k.backtestStats(r, { periodsPerYear: 252 });
          void r.value;
          const got = k.backtestStats(r, { periodsPerYear: 252 }) as unknown as Record<string, number | Float64Array>;
          expect(made, `seed ${seed} ${kind}: the value made or read`).toEqual(got);
          for (const field of Object.keys(want)) {
            const a = typeof want[field] === 'number' ? [want[field] as number] : Array.from(want[field] as Float64Array);
            const b = typeof got[field] === 'number' ? [got[field] as number] : Array.from(got[field] as Float64Array);
            a.forEach((x, g) => {
              // the Calmar ratio's annualized return is pow(prod, periods / T) - 1: V8's and the C
              // library's pow may differ in the last bits, the subtraction scaling it; every other field: the same bits
              const ok = Object.is(b[g], x) || (field === 'calmarRatio' && Math.abs(b[g] - x) <= 1e-12 * Math.max(1, Math.abs(x)));
              if (!ok) expect(`${seed} ${kind} ${field}[${g}] = ${b[g]}`).toBe(`${seed} ${kind} ${field}[${g}] = ${x}`);
            });
          }
        }
      }
    });

    it.runIf(supports('backtestStats'))('backtestStats with `fields`: each field alone and pairs equal the whole set, no other key', () => {
      for (const seed of SEEDS.slice(0, 40)) {
        const c = randomCase(seed);
        const r = ref.backtestSignals(c.prices, c.signals);
        const all = ref.backtestStats(r, { periodsPerYear: 252 }) as unknown as Record<string, number | Float64Array>;
        const fieldSets = [
          ...STAT_FIELDS.map((f) => [f]),
          ['totalReturn', 'sharpeRatio'],
          ['maxGrossExposure', 'winRate', 'benchmarkReturn'],
        ];
        for (const fields of fieldSets as StatField[][]) {
          const got = k.backtestStats(r, { periodsPerYear: 252, fields }) as unknown as Record<string, number | Float64Array>;
          expect(Object.keys(got)).toEqual(fields);
          for (const field of fields) {
            const a = typeof all[field] === 'number' ? [all[field] as number] : Array.from(all[field] as Float64Array);
            const b = typeof got[field] === 'number' ? [got[field] as number] : Array.from(got[field] as Float64Array);
            a.forEach((x, g) => {
              const ok = Object.is(b[g], x) || (field === 'calmarRatio' && Math.abs(b[g] - x) <= 1e-12 * Math.max(1, Math.abs(x)));
              if (!ok) expect(`${seed} ${field}[${g}] = ${b[g]}`).toBe(`${seed} ${field}[${g}] = ${x}`);
            });
          }
        }
      }
    });

    it.runIf(supports('backtestSignals'))('1, 2 and 3 threads give the same bits on 400 columns', () => {
      // records enough that the addon writes their fields on the pool's threads (records.cpp kParallelRecords)
      const K = 400;
      const { close, signal } = walkCase(1200, K, 7, 0.06);
      const options = {
        entries: signal(),
        exits: signal(),
        fees: 0.001,
        slStop: 0.05,
        groups: Int32Array.from({ length: K }, (_, c) => c >> 2),
        cashSharing: true,
      };
      const one = arrays(kernels({ backend: name, threads: 1 }).backtestSignals({ close }, options));
      expect(one['orders.id'].length + one['trades.id'].length).toBeGreaterThan(16384);
      for (const threads of [2, 3])
        expectSame(one, arrays(kernels({ backend: name, threads }).backtestSignals({ close }, options)), `${threads} threads`);
      expectSame(arrays(ref.backtestSignals({ close }, options)), one, 'reference');
      const stats = (threads: number) =>
        new Float64Array(
          Object.values(kernels({ backend: name, threads }).backtestStats(ref.backtestSignals({ close }, options))).flatMap((v) =>
            Array.from(v as Float64Array),
          ),
        );
      expectSame({ stats: stats(1) }, { stats: stats(3) }, 'stats on 3 threads');
    });

    it.runIf(name === 'native')("the records' fields are views of one buffer, side by side, none overlapping", async () => {
      const c = randomCase(1003);
      for (const r of [k.backtestSignals(c.prices, c.signals), await k.backtestSignalsAsync(c.prices, c.signals)]) {
        const fields = [...Object.values(r.orders), ...Object.values(r.trades)];
        expect(fields).toHaveLength(21);
        expect(r.orders.id.length).toBeGreaterThan(0);
        const buffer = fields[0].buffer;
        let at = fields[0].byteOffset;
        for (const f of fields) {
          // each field after the one before it, in the fields' order: no two share a byte
          expect(f.buffer).toBe(buffer);
          expect(f.byteOffset).toBe(at);
          at += f.byteLength;
        }
        // a write into one field leaves the others as the reference has them
        const want = arrays(ref.backtestSignals(c.prices, c.signals));
        r.orders.price.fill(-1);
        const got = arrays(r);
        for (const key of Object.keys(want).filter((key) => key.includes('.') && key !== 'orders.price')) {
          expect(Array.from(got[key]), key).toEqual(Array.from(want[key]));
        }
      }
    });

    it.runIf(name === 'native')(
      'a result of 4 MB or more: its fields in one buffer, from a 2 MB boundary of one a huge page larger where huge pages are advised',
      () => {
        const { close, signal } = walkCase(2520, 400, 5, 0.04);
        const options = { entries: signal(), exits: signal(), fees: 0.001 };
        const r = k.backtestSignals({ close }, options);
        const fields = [...Object.values(r.orders), ...Object.values(r.trades)];
        const bytes = fields.reduce((n, f) => n + f.byteLength, 0);
        expect(bytes).toBeGreaterThanOrEqual(4 << 20);
        const huge = 2 << 20;
        const buffer = fields[0].buffer;
        if (loadNative().binding!.features().hugePages) {
          expect(buffer.byteLength).toBe(Math.ceil(bytes / huge) * huge + huge);
          expect(fields[0].byteOffset).toBeLessThan(huge);
        } else {
          // no advice (docs/backends.md, "Huge pages"): no slack either, which V8 would count as external memory
          expect([buffer.byteLength, fields[0].byteOffset]).toEqual([bytes, 0]);
        }
        let at = fields[0].byteOffset;
        for (const f of fields) {
          expect(f.buffer).toBe(buffer);
          expect(f.byteOffset).toBe(at);
          at += f.byteLength;
        }
        expectSame(arrays(ref.backtestSignals({ close }, options)), arrays(r), 'reference');
      },
    );

    it.runIf(supports('backtestSignals'))('the Async form gives the same result', async () => {
      for (const seed of SEEDS.slice(0, 40)) {
        const c = randomCase(seed);
        const want = outcome(() => ref.backtestSignals(c.prices, c.signals));
        let got: Record<string, Float64Array> | string;
        try {
          got = arrays(await k.backtestSignalsAsync(c.prices, c.signals));
        } catch (e) {
          got = (e as Error).message;
        }
        expectSame(want, got, `seed ${seed} async`);
      }
    });
  },
  'backtest',
);
