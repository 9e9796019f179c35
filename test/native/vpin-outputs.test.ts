/**
 * The VPIN bucket layout is written once in TS (VPIN_BUCKET_OUTPUTS, the descriptors of vpin and
 * vpinStream) and once in C++ (vpin.hpp's kBucketColumnNames and kBucketColumnFields): the addon's
 * results, sync, async and streamed, carry exactly the descriptor's columns in its order, each of the
 * rows the first pass counted, as the reference's do.
 */
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { kernels } from '../../src/index.js';
import { VPIN_KERNELS } from '../../src/kernels/vpin/vpin-kernels.js';
import { BUCKET_COLUMNS, type VpinBuckets } from '../../src/kernels/vpin/vpin.js';
import { inCI, ref } from '../helpers/backends.js';
import { centGrid } from '../helpers/trades.js';

const loaded = loadNative();
const suite = loaded.binding || inCI ? describe : describe.skip;

const COLUMNS = Object.keys(VPIN_KERNELS.vpin.outputs);

/** The columns of `b` in order, and their lengths. */
const layout = (b: VpinBuckets) => Object.entries(b).map(([key, column]) => [key, column.length]);
const expected = (rows: number) => COLUMNS.map((key) => [key, rows]);

describe('VPIN bucket outputs: the descriptor', () => {
  it('vpin and vpinStream carry the same columns, B rows each', () => {
    expect(VPIN_KERNELS.vpinStream.outputs).toBe(VPIN_KERNELS.vpin.outputs);
    expect(BUCKET_COLUMNS).toEqual(COLUMNS);
    expect(VPIN_KERNELS.vpin.dims(5)).toEqual({ B: 5 });
    expect(Object.values(VPIN_KERNELS.vpin.outputs).every((shape) => shape.length === 1 && shape[0] === 'B')).toBe(true);
  });

  it("the reference's results are laid out by it", () => {
    const trades = centGrid(5000, 3);
    const out = ref.vpin(trades, { bucketVolume: 2000, window: 5 });
    expect(out.vpin.length).toBeGreaterThan(10);
    expect(layout(out)).toEqual(expected(out.vpin.length));
  });
});

suite("VPIN bucket outputs: the addon's", () => {
  const nat = kernels({ backend: 'native' });
  const trades = centGrid(5000, 3);
  const options = { bucketVolume: 2000, window: 5 };

  it('vpin and vpinAsync: the columns in order, each of the counted rows, the reference values', async () => {
    const want = ref.vpin(trades, options);
    const sync = nat.vpin(trades, options);
    const promised = await nat.vpinAsync(trades, options);
    for (const got of [sync, promised]) {
      expect(layout(got)).toEqual(expected(want.vpin.length));
      for (const key of COLUMNS) expect([key, got[key as keyof VpinBuckets]]).toEqual([key, want[key as keyof VpinBuckets]]);
    }
  });

  it('a stream: the columns in order, and no buckets as the same (empty) columns', () => {
    const stream = nat.vpinStream({ ...options, sigma: { ewma: 0.9 } });
    const part = (from: number, to?: number) => ({
      ts: trades.ts.subarray(from, to),
      price: trades.price.subarray(from, to),
      volume: trades.volume.subarray(from, to),
    });
    const none = stream.update(part(0, 1));
    expect(layout(none)).toEqual(expected(0));
    const got = stream.update(part(1));
    expect(got.vpin.length).toBeGreaterThan(10);
    expect(layout(got)).toEqual(expected(got.vpin.length));
    expect(Object.keys(stream.flush())).toEqual(COLUMNS);
  });
});
