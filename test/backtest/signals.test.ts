/**
 * Signals given as other typed arrays than bytes: a Float64Array is taken as it is (the reference reads
 * its values, the native backend turns it into bytes in C++: backtestSignalBytes), an Int8Array or a
 * Uint8ClampedArray is viewed as bytes, any other view is converted; each true where non-zero and not
 * NaN, and each gives the records and series of the same signals as a Uint8Array, on every backend,
 * sync and async.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, type Matrix } from '../../src/index.js';
import { loadNative } from '../../src/backends/native/binding.js';
import type { BacktestResult } from '../../src/kernels/backtest/backtest-kernels.js';
import { describeEachBackend, ref } from '../helpers/backends.js';

const T = 300;
const K = 7;
/** Every value the truth test meets: zero both ways, NaN, negatives, fractions, the infinities. */
const VALUES = [0, -0, Number.NaN, 1, -1, 0.5, -2.5, 1e-300, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

/** A seeded T x K walk of closes and a signal panel of VALUES (mostly 0), with its truth as bytes. */
function inputs(seed: number): { close: Matrix; entries: Float64Array; exits: Float64Array; bytes: (x: Float64Array) => Uint8Array } {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const close: Matrix = { data: new Float64Array(T * K), rows: T, cols: K };
  for (let c = 0; c < K; c++) for (let i = 0, p = 50; i < T; i++) close.data[i * K + c] = p *= 1 + 0.04 * (u() - 0.5);
  const panel = () => Float64Array.from({ length: T * K }, () => (u() < 0.1 ? VALUES[Math.floor(u() * VALUES.length)] : 0));
  const bytes = (x: Float64Array) => Uint8Array.from(x, (v) => (v > 0 || v < 0 ? 1 : 0));
  return { close, entries: panel(), exits: panel(), bytes };
}

/** A T x K panel over `data` (any typed array: what the API takes as signals). */
const m = (data: ArrayLike<number>) => ({ data, rows: T, cols: K }) as unknown as Matrix;

/** A result's records and value as plain arrays. */
function outcome(r: BacktestResult): Record<string, number[]> {
  const out: Record<string, number[]> = { value: Array.from((r.value as Matrix).data) };
  for (const [k, v] of Object.entries(r.orders)) out[`orders.${k}`] = Array.from(v);
  for (const [k, v] of Object.entries(r.trades)) out[`trades.${k}`] = Array.from(v);
  return out;
}

describeEachBackend(
  'backtest signals of other typed arrays',
  (k, _name, supports) => {
    it.runIf(supports('backtestSignals'))('Float64 signals give what their bytes give, sync and async, long and short', async () => {
      for (const seed of [1, 2, 3]) {
        const { close, entries, exits, bytes } = inputs(seed);
        const want = outcome(ref.backtestSignals({ close }, { entries: m(bytes(entries)), exits: m(bytes(exits)) }));
        expect(want['orders.id'].length, 'orders were made').toBeGreaterThan(10);
        expect(outcome(k.backtestSignals({ close }, { entries: m(entries), exits: m(exits) }))).toEqual(want);
        expect(outcome(await k.backtestSignalsAsync({ close }, { entries: m(entries), exits: m(exits) }))).toEqual(want);
        // one Float64 side, the other bytes, and the short signals as Float64 too
        const short = { entries: m(bytes(entries)), exits: m(exits), shortEntries: m(exits), shortExits: m(entries) };
        const shortBytes = {
          entries: m(bytes(entries)),
          exits: m(bytes(exits)),
          shortEntries: m(bytes(exits)),
          shortExits: m(bytes(entries)),
        };
        expect(outcome(k.backtestSignals({ close }, short))).toEqual(outcome(ref.backtestSignals({ close }, shortBytes)));
      }
    });

    it.runIf(supports('backtestSignals'))('Int8, Uint8Clamped, Int32 and Float32 signals give what their bytes give', () => {
      const { close, entries, exits, bytes } = inputs(4);
      // 1, -1 and 2 where the panel is true: each type holds what it can (Uint8Clamped makes -1 a 0)
      const ints = (x: Float64Array) => Array.from(bytes(x), (b, i) => (b ? [1, -1, 2][i % 3] : 0));
      for (const Type of [Int8Array, Uint8ClampedArray, Int32Array, Float32Array]) {
        const [e, x] = [Type.from(ints(entries)), Type.from(ints(exits))];
        const want = outcome(
          ref.backtestSignals({ close }, { entries: m(bytes(Float64Array.from(e))), exits: m(bytes(Float64Array.from(x))) }),
        );
        expect(want['orders.id'].length, `${Type.name}: orders were made`).toBeGreaterThan(10);
        expect(outcome(k.backtestSignals({ close }, { entries: m(e), exits: m(x) })), Type.name).toEqual(want);
      }
    });
  },
  'backtest',
);

describe('the reference on Float64 signals', () => {
  it('reads their values as it reads bytes', () => {
    const { close, entries, exits, bytes } = inputs(5);
    const want = outcome(ref.backtestSignals({ close }, { entries: m(bytes(entries)), exits: m(bytes(exits)) }));
    expect(want['orders.id'].length, 'orders were made').toBeGreaterThan(10);
    expect(outcome(ref.backtestSignals({ close }, { entries: m(entries), exits: m(exits) }))).toEqual(want);
  });
});

describe('backtestSignalBytes (the addon)', () => {
  const native = loadNative().binding;

  it.runIf(native !== undefined)('writes 1 where non-zero and not NaN, over many chunks', () => {
    const n = 300_001; // several of the kernel's chunks of 65,536, the last one short
    const x = Float64Array.from({ length: n }, (_, i) => VALUES[i % VALUES.length]);
    const out = new Uint8Array(n).fill(7);
    native!.backtestSignalBytes(x, out);
    for (let i = 0; i < n; i++) if (out[i] !== (x[i] > 0 || x[i] < 0 ? 1 : 0)) expect(`out[${i}] = ${out[i]} for ${x[i]}`).toBe('');
    native!.backtestSignalBytes(new Float64Array(0), new Uint8Array(0));
  });

  it.runIf(native !== undefined)('refuses a bad argument with a KernelInputError naming it', () => {
    const b = native!;
    const cases: [() => void, string][] = [
      [() => b.backtestSignalBytes(new Float64Array(3), new Uint8Array(2)), 'out'],
      [() => b.backtestSignalBytes(new Float32Array(3) as never, new Uint8Array(3)), 'x'],
      [() => b.backtestSignalBytes(new Float64Array(3), new Int8Array(3) as never), 'out'],
      [() => (b.backtestSignalBytes as (...a: unknown[]) => void)(new Float64Array(3)), 'arguments'],
    ];
    for (const [call, name] of cases) {
      expect(call).toThrow(KernelInputError);
      expect(call).toThrow(name);
    }
  });
});
