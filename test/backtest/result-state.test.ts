/**
 * A backtest's result and the collector, and what it holds (src/kernels/backtest/backtest-kernels.ts,
 * ResultState): a result its caller dropped is freed by a young-generation collection, its records and
 * the value it read (accessors made per result kept it until a major collection: their hidden class is
 * in the old generation); its `initCash` is its own (the caller's array copied at the call, the arrays
 * a call keeps for the next never handed out); its accessors refuse another object. On every backend.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { KernelInputError, type Matrix } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { walkPanel } from './cases.js';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;

/** The walk of test/backtest/cases.ts with one-byte signals (taken as they are: the call makes no array of them). */
const panel = (T: number, K: number) => walkPanel(T, K, 7, { bytes: true });

const arrayBuffers = () => process.memoryUsage().arrayBuffers;
const turn = () => new Promise((done) => setTimeout(done, 10));

describeEachBackend(
  'backtest results and the collector',
  (k) => {
    it('a dropped result (its records and the value it read) is freed by a young-generation collection', async () => {
      const { close, entries, exits } = panel(2_000, 100);
      const run = () => k.backtestSignals({ close }, { entries, exits, fees: 0.001 });
      run().value; // the kept arrays made, the code warm
      collect({ type: 'major' });
      await turn();
      // a caller's loop: the next result made (and its value read) while the previous one is still held
      let held: ReturnType<typeof run> | undefined = run();
      const bytes = held.orders.id.buffer.byteLength + (held.value as Matrix).data.buffer.byteLength;
      const next = run();
      next.value;
      await turn();
      const before = arrayBuffers();
      held = undefined;
      collect({ type: 'minor' });
      // the array buffers' backing stores are freed by V8's sweeper on another thread after the scavenge
      let freed = 0;
      for (let i = 0; i < 100 && freed < 0.9 * bytes; i++) {
        await turn();
        freed = before - arrayBuffers();
      }
      expect(freed).toBeGreaterThanOrEqual(0.9 * bytes);
      expect((next.value as Matrix).data.length).toBe(2_000 * 100);
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
