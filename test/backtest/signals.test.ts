/**
 * Signals given as other typed arrays than bytes: each is taken as it is (the reference reads its
 * values, the native backend turns them into bytes in C++: backtestSignalBytes), an Int8Array or a
 * Uint8ClampedArray viewed as bytes; each true where non-zero and not NaN, and each gives the records
 * and series of the same signals as a Uint8Array, on every backend, sync and async.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { KernelInputError, kernels, type Matrix } from '../../src/index.js';
import { loadNative } from '../../src/backends/native/binding.js';
import type { BacktestResult } from '../../src/kernels/backtest/backtest-kernels.js';
import { describeEachBackend, inCI, ref } from '../helpers/backends.js';

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
const m = (data: ArrayLike<number | bigint>) => ({ data, rows: T, cols: K }) as unknown as Matrix;

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

    it.runIf(supports('backtestSignals'))('signals of every other typed array give what their bytes give, sync and async', async () => {
      const { close, entries, exits, bytes } = inputs(4);
      // 1, -1, 2 and 256 where the panel is true: each type holds what it can (Uint8Clamped makes -1 a
      // 0; 256 is a 0 in a byte array, unsigned types wrap -1)
      const ints = (x: Float64Array) => Array.from(bytes(x), (b, i) => (b ? [1, -1, 2, 256][i % 4] : 0));
      const big = (x: Float64Array) => ints(x).map((v) => BigInt(v));
      const makers: [string, (x: Float64Array) => ArrayLike<number | bigint>][] = [
        ...[Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array].map(
          (Type) => [Type.name, (x: Float64Array) => Type.from(ints(x))] as [string, (x: Float64Array) => ArrayLike<number>],
        ),
        ['BigInt64Array', (x) => BigInt64Array.from(big(x))],
        ['BigUint64Array', (x) => BigUint64Array.from(big(x), (v) => BigInt.asUintN(64, v))],
      ];
      for (const [name, make] of makers) {
        const [e, x] = [make(entries), make(exits)];
        const truth = (a: ArrayLike<number | bigint>) => m(Uint8Array.from(Array.from(a), (v) => (v > 0 || v < 0 ? 1 : 0)));
        const want = outcome(ref.backtestSignals({ close }, { entries: truth(e), exits: truth(x) }));
        expect(want['orders.id'].length, `${name}: orders were made`).toBeGreaterThan(10);
        expect(outcome(k.backtestSignals({ close }, { entries: m(e), exits: m(x) })), name).toEqual(want);
        expect(outcome(await k.backtestSignalsAsync({ close }, { entries: m(e), exits: m(x) })), `${name} async`).toEqual(want);
      }
    });
  },
  'backtest',
);

describe('the bytes of Float64 signals kept for the next calls (native)', () => {
  const native = loadNative().binding;
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;
  const turn = () => new Promise((done) => setTimeout(done, 10));

  it.runIf(native !== undefined || inCI)('are found by the next call, and freed by a full collection after the calls', async () => {
    const k = kernels({ backend: 'native' });
    const [rows, cols] = [4_000, 2_000]; // 8 MB of bytes a signal
    const close = { data: new Float64Array(rows * cols).fill(100), rows, cols };
    const signal = { data: new Float64Array(rows * cols), rows, cols };
    signal.data[5] = 1;
    const none = { data: new Float64Array(rows * cols), rows, cols };
    const settled = async () => {
      for (let i = 0; i < 2; i++) {
        await turn(); // a WeakRef's target lives to the end of the turn that made it
        collect();
      }
      return process.memoryUsage().arrayBuffers;
    };
    const before = await settled();
    // each result dropped at once: what is left after is what the calls kept
    const call = () => {
      const bytes = process.memoryUsage().arrayBuffers;
      const orders = k.backtestSignals({ close }, { entries: signal, exits: none }).orders.id.length;
      return { orders, made: process.memoryUsage().arrayBuffers - bytes };
    };
    const first = call();
    expect(first.orders).toBe(1);
    expect(first.made, 'the first call made its two signals bytes').toBeGreaterThanOrEqual(2 * rows * cols);
    const next = call();
    expect(next.orders).toBe(1);
    expect(next.made, 'the next call found them').toBeLessThan((rows * cols) / 4);
    const after = (await settled()) - before;
    expect(after, 'freed after it').toBeLessThan((rows * cols) / 4);
  });
});

describe('the reference on signals of other types', () => {
  it('reads their values as it reads bytes, and those of Int32 and BigInt64 signals', () => {
    const { close, entries, exits, bytes } = inputs(5);
    const want = outcome(ref.backtestSignals({ close }, { entries: m(bytes(entries)), exits: m(bytes(exits)) }));
    expect(want['orders.id'].length, 'orders were made').toBeGreaterThan(10);
    expect(outcome(ref.backtestSignals({ close }, { entries: m(entries), exits: m(exits) }))).toEqual(want);
    const int = (x: Float64Array) => Array.from(bytes(x), (b, i) => b * (i % 2 ? -3 : 5));
    for (const make of [(x: Float64Array) => Int32Array.from(int(x)), (x: Float64Array) => BigInt64Array.from(int(x), BigInt)]) {
      expect(outcome(ref.backtestSignals({ close }, { entries: m(make(entries)), exits: m(make(exits)) }))).toEqual(want);
    }
  });
});

describe('backtestSignalBytes (the addon)', () => {
  const native = loadNative().binding;

  it.runIf(native !== undefined || inCI)('writes 1 where non-zero and not NaN, over many chunks, for every element type', () => {
    const n = 300_001; // several of the kernel's chunks of 65,536, the last one short
    const x = Float64Array.from({ length: n }, (_, i) => VALUES[i % VALUES.length]);
    // the integers: 0 and the extremes of each type among small values
    const ints = Array.from({ length: n }, (_, i) => [0, 1, -1, 0, 2, 0, 32767, -32768, 65535, 0, 2 ** 31 - 1][i % 11]);
    const cases: [string, ArrayLike<number | bigint>][] = [
      ['Float64Array', x],
      ['Float32Array', Float32Array.from(x)],
      ['Int16Array', Int16Array.from(ints)],
      ['Uint16Array', Uint16Array.from(ints)],
      ['Int32Array', Int32Array.from(ints)],
      ['Uint32Array', Uint32Array.from(ints)],
      ['BigInt64Array', BigInt64Array.from(ints, (v) => BigInt(v))],
      ['BigUint64Array', BigUint64Array.from(ints, (v) => BigInt.asUintN(64, BigInt(v)))],
    ];
    for (const [name, a] of cases) {
      const out = new Uint8Array(n).fill(7);
      native!.backtestSignalBytes(a as Float64Array, out);
      for (let i = 0; i < n; i++)
        if (out[i] !== (a[i] > 0 || a[i] < 0 ? 1 : 0)) expect(`${name}: out[${i}] = ${out[i]} for ${a[i]}`).toBe('');
      expect(out.filter((v) => v === 1).length, `${name} has true values`).toBeGreaterThan(n / 4);
    }
    native!.backtestSignalBytes(new Float64Array(0), new Uint8Array(0));
  });

  it.runIf(native !== undefined || inCI)('refuses a bad argument with a KernelInputError naming it', () => {
    const b = native!;
    const cases: [() => void, string][] = [
      [() => b.backtestSignalBytes(new Float64Array(3), new Uint8Array(2)), 'out'],
      [() => b.backtestSignalBytes(new Uint8Array(3) as never, new Uint8Array(3)), 'x'],
      [() => b.backtestSignalBytes(new Int8Array(3) as never, new Uint8Array(3)), 'x'],
      [() => b.backtestSignalBytes(new DataView(new ArrayBuffer(3)) as never, new Uint8Array(3)), 'x'],
      [() => b.backtestSignalBytes([1, 0, 1] as never, new Uint8Array(3)), 'x'],
      [() => b.backtestSignalBytes(new Int32Array(3), new Uint8Array(2)), 'out'],
      [() => b.backtestSignalBytes(new Float64Array(3), new Int8Array(3) as never), 'out'],
      [() => (b.backtestSignalBytes as (...a: unknown[]) => void)(new Float64Array(3)), 'arguments'],
    ];
    for (const [call, name] of cases) {
      expect(call).toThrow(KernelInputError);
      expect(call).toThrow(name);
    }
  });
});
