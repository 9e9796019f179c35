/**
 * Crafted Arrow IPC files whose buffers overlap each other or the metadata (issue 56): the native reader
 * reads them as apache-arrow does, value for value, and hands out no view whose bytes another column or
 * a later read shares: a float64 column whose bytes overlap anything else is copied, so writing one
 * column leaves the others as read, and a later batch's read sees the file's own metadata.
 */
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { readArrow, readArrowChunks } from '../../src/io/arrow.js';
import type { Table } from '../../src/io/types.js';

const native = loadNative().binding !== undefined;
const ROWS = 8;

/** A file of two record batches of two float64 columns a and b (values 1..8, 11..18; 21..28, 31..38). */
function twoBatches(): Uint8Array {
  const batch = (k: number) =>
    arrow.tableFromArrays({
      a: Float64Array.from({ length: ROWS }, (_, i) => 20 * k + 1 + i),
      b: Float64Array.from({ length: ROWS }, (_, i) => 20 * k + 11 + i),
    }).batches;
  return arrow.tableToIPC(new arrow.Table([...batch(0), ...batch(1)]), 'file');
}

/** The byte offsets where the little-endian int64 values `values` lie one after another in [from, to). */
function find(bytes: Uint8Array, values: number[], from: number, to: number): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hits: number[] = [];
  for (let at = from; at + 8 * values.length <= to; at += 4) {
    if (values.every((v, i) => view.getBigInt64(at + 8 * i, true) === BigInt(v))) hits.push(at);
  }
  return hits;
}

/** The buffer entries of b's validity and values (offset, length) as the writer lays out a batch. */
const B_BUFFERS = [64, 0, 64, 64];
/** A batch's body: a's values and b's (no validity bytes without nulls). */
const BODY = 2 * 8 * ROWS;

/** The record batch messages of a file: where each starts, its body, its end, and where b's values entry lies. */
function messages(bytes: Uint8Array): { at: number; body: number; end: number; bValues: number; bodyLength: number }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { at: number; body: number; end: number; bValues: number; bodyLength: number }[] = [];
  for (let at = 8; view.getInt32(at, true) === -1; ) {
    const body = at + 8 + view.getInt32(at + 4, true);
    const entries = find(bytes, B_BUFFERS, at, body);
    const lengths = find(bytes, [BODY], at, body);
    // a schema message (apache-arrow's file writer leaves it to the footer) has no buffers and no body
    if (entries.length === 0) {
      at = body;
      continue;
    }
    expect(entries).toHaveLength(1);
    expect(lengths).toHaveLength(1);
    out.push({ at, body, end: body + BODY, bValues: (entries[0] as number) + 16, bodyLength: lengths[0] as number });
    at = body + BODY;
  }
  return out;
}

/** Sets the int64 at `at` (little-endian). */
const setInt64 = (bytes: Uint8Array, at: number, value: number) =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setBigInt64(at, BigInt(value), true);

/** Every batch of `bytes` through readArrowChunks, `touch` called on each table before the next is read. */
async function chunks(bytes: Uint8Array, reader: 'native' | 'library', touch: (t: Table) => void = () => {}): Promise<Table[]> {
  const out: Table[] = [];
  for await (const t of readArrowChunks(bytes, { reader })) {
    out.push({ ...t, columns: Object.fromEntries(Object.entries(t.columns).map(([k, v]) => [k, (v as Float64Array).slice()])) });
    touch(t);
  }
  return out;
}

describe.skipIf(!native)('Arrow: buffers that overlap each other or the metadata', () => {
  it('finds the two batches of the crafted file as the writer laid them out', () => {
    const [m0, m1, more] = messages(twoBatches());
    expect(m0?.end).toBe(m1?.at);
    expect(more).toBeUndefined();
  });

  it("a column whose buffer is another column's: the values the file gives, in memory of its own", async () => {
    const bytes = twoBatches();
    const [m0] = messages(bytes);
    setInt64(bytes, m0!.bValues, 0); // b's values -> a's bytes
    const library = await chunks(bytes, 'library');
    const table = await readArrow(bytes, { reader: 'native', columns: ['a', 'b'] });
    const batches = await chunks(bytes, 'native', (t) => {
      // a user writing one column of a batch must not change the other
      (t.columns.a as Float64Array).fill(-1);
      expect(Array.from(t.columns.b as Float64Array)).not.toContain(-1);
    });
    expect(Array.from(library[0]!.columns.b as Float64Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(batches.map((t) => t.columns)).toEqual(library.map((t) => t.columns));
    // readArrow of both batches concatenates (copies) anyway: the same values
    expect(Array.from(table.columns.b as Float64Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 31, 32, 33, 34, 35, 36, 37, 38]);
  });

  it("a buffer over the next message's metadata: read as the library reads it, and writing it leaves the next batch intact", async () => {
    const bytes = twoBatches();
    const [m0, m1] = messages(bytes);
    // the first batch's body reaches over the whole second message; b's values are the second's metadata
    setInt64(bytes, m0!.bodyLength, m1!.end - m0!.body);
    setInt64(bytes, m0!.bValues, m1!.at + 8 - m0!.body);
    const library = await chunks(bytes, 'library');
    const batches = await chunks(bytes, 'native', (t) => (t.columns.b as Float64Array).fill(0));
    expect(batches.map((t) => t.columns)).toEqual(library.map((t) => t.columns));
    expect(Array.from(batches[1]!.columns.a as Float64Array)).toEqual([21, 22, 23, 24, 25, 26, 27, 28]);
  });

  it('the clean file still hands out views of its bytes', async () => {
    const bytes = twoBatches();
    for await (const t of readArrowChunks(bytes, { reader: 'native' })) expect((t.columns.b as Float64Array).buffer).toBe(bytes.buffer);
  });
});
