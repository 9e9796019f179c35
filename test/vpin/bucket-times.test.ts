/**
 * Bucket times (issue 32): each bucket's startTs (the first trade of the first bar that pours volume
 * into it), endTs (the last trade of the bar that completes it) and duration = endTs - startTs, on
 * every backend exactly as the reference, over vpin(), streams in any batch split, snapshots of both
 * versions and the engine's checkpoint.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBuckets } from '../../src/backends/reference/vpin/vpin.js';
import { createBus } from '../../src/bus/index.js';
import { VpinEngine, type VpinCalculation } from '../../src/engines/index.js';
import type { Kernels, Trades, VpinBuckets, VpinOptions } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { inputError } from '../helpers/errors.js';
import { asFrameTrades, split, tradesArb, vpinOptionsArb, walk } from '../helpers/trades.js';

const T = (...xs: number[]) => Float64Array.from(xs);

/**
 * The definition, computed another way: with integer volumes and an integer bucket volume V the
 * cumulative volume is exact, bucket k holds the volume units (kV, (k + 1)V], it starts in the bar
 * where the cumulative volume passes kV and ends in the bar where it reaches (k + 1)V.
 */
function bucketTimesByHand(trades: Trades, V: number, barMs: number): { startTs: number[]; endTs: number[] } {
  const bars: { first: number; last: number; volume: number }[] = [];
  let index = NaN;
  for (let i = 0; i < trades.ts.length; i++) {
    const k = Math.floor(trades.ts[i] / barMs);
    if (k !== index) bars.push({ first: trades.ts[i], last: trades.ts[i], volume: 0 });
    index = k;
    bars[bars.length - 1].last = trades.ts[i];
    bars[bars.length - 1].volume += trades.volume[i];
  }
  const startTs: number[] = [];
  const endTs: number[] = [];
  let cum = 0;
  for (const bar of bars) {
    const before = cum;
    cum += bar.volume;
    for (let k = Math.ceil(before / V); k * V < cum; k++) if (k * V >= before) startTs[k] = bar.first;
    for (let k = Math.floor(before / V); (k + 1) * V <= cum; k++) if ((k + 1) * V > before) endTs[k] = bar.last;
  }
  return { startTs: startTs.slice(0, endTs.length), endTs };
}

const integerTrades = tradesArb.map((t) => ({ ...t, volume: t.volume.map(Math.round) }));

/** The time columns of buckets. */
const times = (b: VpinBuckets) => ({ startTs: b.startTs, endTs: b.endTs, duration: b.duration });

/** Snapshot bytes: the header, the 9 parameters, then the state values. */
const STATE_AT = 16 + 8 * 9;

/** Writes the snapshot's checksum (FNV-1a of bytes 16..end, as kernels/vpin/vpin-snapshot.ts) after an edit. */
function rechecksum(bytes: Uint8Array): Uint8Array {
  let hash = 0x811c9dc5;
  for (let i = 16; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(8, hash, true);
  return bytes;
}

/** A stream snapshot rewritten as version 1 wrote it: no values 20 and 21 in the state header. */
function asVersion1(bytes: Uint8Array): Uint8Array {
  const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  const out = new Uint8Array(bytes.length - 16);
  out.set(bytes.subarray(0, STATE_AT + 8 * 20));
  out.set(bytes.subarray(STATE_AT + 8 * 22), STATE_AT + 8 * 20);
  const view = new DataView(out.buffer);
  view.setUint32(4, 1, true);
  view.setUint32(12, count - 2, true);
  return rechecksum(out);
}

describe('bucket times on the reference, worked by hand', () => {
  // bars of 60 s: [1000, 2000] volume 70, [61000, 62000] volume 70, [121000] 100, [181000] 70
  const trades: Trades = {
    ts: T(1000, 2000, 61_000, 62_000, 121_000, 181_000),
    price: T(10, 11, 11, 10, 12, 12),
    volume: T(60, 10, 20, 50, 100, 70),
  };
  const options: VpinOptions = { bucketVolume: 100, window: 1, sigma: 1 };

  it('a split bar gives its first trade to the bucket it opens and its last trade to the one it completes', () => {
    const out = ref.vpin(trades, options);
    // bucket 0: 70 of bar 0 + 30 of bar 1; bucket 1: 40 of bar 1 + 60 of bar 2; bucket 2: 40 of bar 2 + bar 3
    expect(Array.from(out.startTs)).toEqual([1000, 61_000, 121_000]);
    expect(Array.from(out.endTs)).toEqual([62_000, 121_000, 181_000]);
    expect(Array.from(out.duration)).toEqual([61_000, 60_000, 60_000]);
  });

  it('buckets inside one bar take its first and last trades; zero-volume bars open no bucket', () => {
    const one = ref.vpin(
      { ts: T(0, 500, 59_000, 60_000, 60_001, 130_000), price: T(1, 2, 3, 3, 3, 4), volume: T(0, 30, 10, 0, 0, 50) },
      { bucketVolume: 10, window: 2, sigma: 1 },
    );
    // bar [0, 59000] volume 40: four buckets inside it; bar [60000, 60001] volume 0; bar [130000] five more
    expect(Array.from(one.startTs)).toEqual([0, 0, 0, 0, 130_000, 130_000, 130_000, 130_000, 130_000]);
    expect(Array.from(one.endTs)).toEqual([59_000, 59_000, 59_000, 59_000, 130_000, 130_000, 130_000, 130_000, 130_000]);
    expect(Array.from(one.duration)).toEqual([59_000, 59_000, 59_000, 59_000, 0, 0, 0, 0, 0]);
  });

  it('the tick-rule example of reference.test.ts: starts [0, 0, 120000, 120000]', () => {
    const out = ref.vpin(
      { ts: T(0, 1000, 60_000, 120_000), price: T(10, 11, 11, 10), volume: T(30, 30, 40, 100) },
      { bucketVolume: 50, window: 2, classifier: 'tick' },
    );
    expect(Array.from(out.startTs)).toEqual([0, 0, 120_000, 120_000]);
    expect(Array.from(out.duration)).toEqual([1000, 60_000, 0, 0]);
  });

  it('matches the definition computed from cumulative volumes (integer volumes: exact)', () => {
    fc.assert(
      fc.property(integerTrades, fc.integer({ min: 1, max: 900 }), fc.constantFrom(1000, 60_000), (trades, V, barMs) => {
        const out = ref.vpin(trades, { bucketVolume: V, window: 2, barMs, sigma: 1 });
        const byHand = bucketTimesByHand(trades, V, barMs);
        expect(Array.from(out.startTs)).toEqual(byHand.startTs);
        expect(Array.from(out.endTs)).toEqual(byHand.endTs);
        expect(Array.from(out.duration)).toEqual(byHand.endTs.map((e, i) => e - byHand.startTs[i]));
      }),
      { numRuns: 200 },
    );
  });

  it('a version-1 snapshot restores: the bucket and the bar open at that moment start at NaN (unknown)', () => {
    for (const k of [ref]) {
      const a = k.vpinStream(options);
      const first = a.update({ ts: trades.ts.subarray(0, 3), price: trades.price.subarray(0, 3), volume: trades.volume.subarray(0, 3) });
      expect(first.vpin.length).toBe(0);
      const b = k.vpinStream(options);
      b.restore(asVersion1(a.snapshot()));
      const rest = concatBuckets(
        b.update({ ts: trades.ts.subarray(3), price: trades.price.subarray(3), volume: trades.volume.subarray(3) }),
        b.flush(),
      );
      // bucket 0 was open (start unknown); bucket 1 opens in the bar that was open (its first trade unknown)
      expect(Array.from(rest.startTs)).toEqual([NaN, NaN, 121_000]);
      expect(Array.from(rest.endTs)).toEqual([62_000, 121_000, 181_000]);
      expect(Array.from(rest.duration)).toEqual([NaN, NaN, 60_000]);
      const whole = ref.vpin(trades, options);
      expect(rest.vpin).toEqual(whole.vpin);
      expect(rest.buyVolume).toEqual(whole.buyVolume);
    }
  });

  it('snapshot versions other than 1, 2 and 3 (2 with a classification section) are refused, naming the version', () => {
    const bytes = ref.vpinStream(options).snapshot();
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(2);
    const v4 = bytes.slice();
    new DataView(v4.buffer).setUint32(4, 4, true);
    const error = inputError(() => ref.vpinStream(options).restore(v4));
    expect(error.message).toBe('bytes: expected a VPIN stream snapshot, got version 4 (this kernelbus reads versions 1 to 3)');
  });
});

describeEachBackend(
  'bucket times',
  (k: Kernels, _name, supports) => {
    it.runIf(supports('vpin'))('vpin(): startTs, endTs and duration equal the reference exactly', () => {
      fc.assert(
        fc.property(tradesArb, vpinOptionsArb(false), (trades, options) => {
          const expected = times(ref.vpin(trades, options));
          expect(times(k.vpin(trades, options))).toEqual(expected);
          // a frame's columns as received (vpinBytes where the backend reads them in place)
          expect(times(k.vpin(asFrameTrades(trades, 3), options))).toEqual(expected);
        }),
        { numRuns: 150 },
      );
    });

    it.runIf(supports('vpin'))('vpinAsync gives the same times', async () => {
      const trades = walk(5000, 9, 400);
      const options: VpinOptions = { bucketVolume: 3000, window: 5, sigma: 'sample' };
      expect(times(await k.vpinAsync(trades, options))).toEqual(times(ref.vpin(trades, options)));
    });

    it.runIf(supports('vpinStream', 'vpin'))(
      'streams in any batch split give vpin()’s times exactly, snapshots across backends too',
      () => {
        fc.assert(
          fc.property(tradesArb, vpinOptionsArb(true), fc.array(fc.nat(400), { maxLength: 6 }), (trades, options, cuts) => {
            const expected = times(ref.vpin(trades, options));
            const stream = k.vpinStream(options);
            const rows = split(trades, cuts).map((batch) => stream.update(batch));
            rows.push(stream.flush());
            expect(times(concatBuckets(...rows))).toEqual(expected);
            const [head, tail = { ts: T(), price: T(), volume: T() }] = split(trades, cuts.slice(0, 1));
            for (const [a, b] of [
              [k, ref],
              [ref, k],
            ] as const) {
              const before = a.vpinStream(options);
              const first = before.update(head);
              const after = b.vpinStream(options);
              after.restore(before.snapshot());
              expect(times(concatBuckets(first, after.update(tail), after.flush()))).toEqual(expected);
            }
          }),
          { numRuns: 100 },
        );
      },
    );

    it.runIf(supports('vpinStream'))(
      'a state whose open bar or bucket starts after the last trade, or at no finite time, is refused',
      () => {
        const trades: Trades = { ts: T(1000, 2000, 61_000), price: T(10, 11, 11), volume: T(60, 10, 20) };
        const options: VpinOptions = { bucketVolume: 100, window: 1, sigma: 1 };
        const s = ref.vpinStream(options);
        s.update(trades);
        const bytes = s.snapshot();
        const view = new DataView(bytes.buffer);
        expect([20, 21].map((i) => view.getFloat64(STATE_AT + 8 * i, true))).toEqual([61_000, 1000]);
        for (const [index, value] of [
          [21, 61_001],
          [21, -Infinity],
          [20, 61_000.5],
          [20, Infinity],
        ]) {
          const bad = bytes.slice();
          new DataView(bad.buffer).setFloat64(STATE_AT + 8 * index, value, true);
          for (const kk of [ref, k]) {
            expect(inputError(() => kk.vpinStream(options).restore(rechecksum(bad))).message).toBe(
              `snapshot: expected a valid VPIN stream state, got a bad value at state[${index}] = ${value}`,
            );
          }
        }
        const unknown = bytes.slice();
        new DataView(unknown.buffer).setFloat64(STATE_AT + 8 * 21, NaN, true);
        k.vpinStream(options).restore(rechecksum(unknown)); // NaN: unknown, accepted
      },
    );

    it.runIf(supports('vpinStream'))('a version-1 snapshot restores here as on the reference', () => {
      const trades = walk(3000, 5, 700);
      const options: VpinOptions = { bucketVolume: 2000, window: 5, sigma: { ewma: 0.9 } };
      const a = ref.vpinStream(options);
      a.update({ ts: trades.ts.subarray(0, 1234), price: trades.price.subarray(0, 1234), volume: trades.volume.subarray(0, 1234) });
      const v1 = asVersion1(a.snapshot());
      const rest = { ts: trades.ts.subarray(1234), price: trades.price.subarray(1234), volume: trades.volume.subarray(1234) };
      const [x, y] = [k, ref].map((kk) => {
        const s = kk.vpinStream(options);
        s.restore(v1);
        return concatBuckets(s.update(rest), s.flush());
      });
      expect(x).toEqual(y);
      // the buckets that start in the open bucket or the open bar: NaN; every later one as vpin() has it
      const whole = ref.vpin(trades, options);
      const unknown = x.startTs.findIndex(Number.isFinite);
      expect(unknown).toBeGreaterThanOrEqual(1);
      expect(x.startTs.subarray(0, unknown).every(Number.isNaN)).toBe(true);
      expect(x.startTs.subarray(unknown)).toEqual(whole.startTs.subarray(a.bucketCount + unknown));
      expect(x.endTs).toEqual(whole.endTs.subarray(a.bucketCount));
    });
  },
  'vpin',
);

describe('the VPIN engine carries bucket times in VPIN_CALCULATION and in its checkpoints', () => {
  it('a checkpointed symbol resumes with the same startTs, endTs and duration as one uninterrupted run', async () => {
    const trades = walk(4000, 7, 300);
    const options: VpinOptions = { bucketVolume: 1500, window: 4, barMs: 5000, sigma: { ewma: 0.9 } };
    type Hooks = { snapshotKey(key: string): Uint8Array; restoreKey(key: string, bytes: Uint8Array): void };
    /** Feeds trades [from, to) and returns what it published before close() (its end-of-data flush excluded) and after. */
    const run = async (engine: VpinEngine, from: number, to: number, beforeClose: () => void = () => {}) => {
      const got: VpinCalculation[] = [];
      engine.bus.subscribe<VpinCalculation>('VPIN_CALCULATION', (m) => void got.push(m.payload));
      engine.start();
      await engine.bus.publish('TRADE_EXECUTION', {
        key: 'X',
        ts: trades.ts.slice(from, to),
        price: trades.price.slice(from, to),
        volume: trades.volume.slice(from, to),
      });
      await engine.bus.drain();
      const open = got.slice();
      beforeClose();
      await engine.close();
      await engine.bus.close();
      return { open, all: got };
    };
    const engineOptions = { vpin: options, backend: 'reference' as const, heartbeatMs: 0 };
    const whole = ref.vpin(trades, options);
    const a = new VpinEngine(createBus(), engineOptions);
    const b = new VpinEngine(createBus(), engineOptions);
    // c restores the same checkpoint with its stream snapshot as version 1 wrote it (before bucket times)
    const c = new VpinEngine(createBus(), engineOptions);
    const head = (
      await run(a, 0, 2100, () => {
        const checkpoint = (a as unknown as Hooks).snapshotKey('X');
        (b as unknown as Hooks).restoreKey('X', checkpoint);
        const stream = asVersion1(checkpoint.slice(64)); // after the engine's 64-byte header
        const old = new Uint8Array(64 + stream.length);
        old.set(checkpoint.subarray(0, 64));
        old.set(stream, 64);
        (c as unknown as Hooks).restoreKey('X', old);
      })
    ).open;
    const tail = (await run(b, 2100, 4000)).all;
    const fromOld = (await run(c, 2100, 4000)).all;
    expect(fromOld.map((x) => x.bucket)).toEqual(tail.map((x) => x.bucket));
    expect(fromOld.map((x) => x.endTs)).toEqual(tail.map((x) => x.endTs));
    expect(fromOld.map((x) => x.vpin)).toEqual(tail.map((x) => x.vpin));
    const known = fromOld.findIndex((x) => Number.isFinite(x.startTs));
    expect(known).toBeGreaterThanOrEqual(1); // the bucket open at the checkpoint: its start unknown
    expect(fromOld.slice(known).map((x) => x.startTs)).toEqual(tail.slice(known).map((x) => x.startTs));
    const got = [...head, ...tail];
    expect(got.map((c) => c.bucket)).toEqual(got.map((_, i) => i));
    expect(Float64Array.from(got, (c) => c.startTs)).toEqual(whole.startTs);
    expect(Float64Array.from(got, (c) => c.endTs)).toEqual(whole.endTs);
    expect(Float64Array.from(got, (c) => c.duration)).toEqual(whole.duration);
    expect(got[0]).toEqual({
      bucket: 0,
      startTs: whole.startTs[0],
      endTs: whole.endTs[0],
      duration: whole.duration[0],
      buyVolume: whole.buyVolume[0],
      sellVolume: whole.sellVolume[0],
      vpin: NaN,
      cdf: NaN,
    });
  });
});
