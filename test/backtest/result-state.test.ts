/**
 * A backtest's result and the collector, and what it holds (src/kernels/backtest/backtest-kernels.ts,
 * ResultState): in a caller's loop, a result dropped is freed by the next young-generation collection,
 * its records and the value it read, in a fresh process and in one that kept many results before
 * (accessors made per result, and V8's pretenuring of literals, kept each until a major collection);
 * its `initCash` is its own (the caller's array copied at the call, the arrays a call keeps for the
 * next never handed out); its accessors refuse another object. On every backend. The loop runs in a
 * fresh process (result-state-child.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { KernelInputError, type Matrix } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { walkPanel } from './cases.js';

/** The walk of test/backtest/cases.ts with one-byte signals (taken as they are: the call makes no array of them). */
const panel = (T: number, K: number) => walkPanel(T, K, 7, { bytes: true });

describeEachBackend(
  'backtest results and the collector',
  (k, name) => {
    it("a caller's loop, each result dropped at the next: each freed by a young-generation collection", () => {
      // in a fresh process (result-state-child.ts): this worker's heap has a history of other tests
      const out = spawnSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'result-state-child.ts'), name],
        {
          cwd: join(import.meta.dirname, '..', '..'),
          encoding: 'utf8',
        },
      );
      expect(out.status, out.stderr).toBe(0);
      type Loop = { peak: number; minor: number; major: number };
      const { bytes, fresh, afterKept } = JSON.parse(out.stdout.trim().split('\n').at(-1) as string) as {
        bytes: number;
        fresh: Loop;
        afterKept: Loop;
      };
      expect(bytes).toBeGreaterThan(2_000 * 100 * 8); // the value's and the orders' arrays
      for (const loop of [fresh, afterKept]) {
        expect(loop.minor).toBeGreaterThan(5); // V8 scavenged for the array buffers in the loop (60 x 5 MB)...
        expect(loop.peak).toBeLessThan(12 * bytes); // ...and each freed the results dropped since the last (~20 x before)
        expect(loop.major).toBeLessThanOrEqual(1); // not a mark-compact's work (3 to 5 before)
      }
    });

    it("initCash: each result's own, the caller's array as it was at the call", () => {
      const { close, entries, exits } = panel(60, 4);
      const first = k.backtestSignals({ close }, { entries, exits });
      expect(Array.from(first.initCash)).toEqual([100, 100, 100, 100]);
      first.initCash.fill(7); // the result's array: a later call's default cash is still 100
      expect(first.initCash).toBe(first.initCash);
      const second = k.backtestSignals({ close }, { entries, exits });
      expect(Array.from(second.initCash)).toEqual([100, 100, 100, 100]);
      expect(Array.from((first.value as Matrix).data)).toEqual(Array.from((second.value as Matrix).data));

      const mine = Float64Array.of(1_000, 2_000, 3_000, 4_000);
      const given = k.backtestSignals({ close }, { entries, exits, initCash: mine });
      mine.fill(1); // after the call: the result keeps what it was given
      const again = k.backtestSignals({ close }, { entries, exits, initCash: Float64Array.of(1_000, 2_000, 3_000, 4_000) });
      expect(Array.from(given.initCash)).toEqual([1_000, 2_000, 3_000, 4_000]);
      expect(Array.from((given.value as Matrix).data)).toEqual(Array.from((again.value as Matrix).data));
      expect(Array.from((given.value as Matrix).data.subarray(0, 4))).toEqual([1_000, 2_000, 3_000, 4_000]);

      // value groups of two cash groups each: their cash summed
      const grouped = k.backtestSignals({ close }, { entries, exits, initCash: 50, groups: Int32Array.of(0, 0, 1, 1) });
      expect(Array.from(grouped.initCash)).toEqual([100, 100]);
    });

    it('the accessors of a result refuse another object, naming it', () => {
      const { close, entries, exits } = panel(30, 2);
      const r = k.backtestSignals({ close }, { entries, exits });
      for (const name of ['value', 'cash', 'assets', 'initCash']) {
        const get = Object.getOwnPropertyDescriptor(r, name)?.get as () => unknown;
        expect(() => get.call({})).toThrow(KernelInputError);
        expect(() => get.call({})).toThrow(/result/);
      }
      expect(Object.keys(r)).toEqual(['orders', 'trades', 'initCash', 'assets', 'cash', 'value']);
      expect(() => k.backtestStats({ ...r })).toThrow(KernelInputError);
    });
  },
  'backtest',
);
