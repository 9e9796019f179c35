/**
 * Arrow IPC in and out (src/io/arrow.ts): write-then-read gives back the same Table, bit for bit; the
 * type mapping of files apache-arrow writes (every timestamp unit, time zones, dates, 64-bit and small
 * integers, floats, booleans, dictionary and plain strings, nulls, several batches); errors by message;
 * and the zero-copy read: a Float64 column is the file's own memory, and the native addon reads it there.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { KernelInputError } from '../../src/errors.js';
import { readArrow, readArrowChunks, writeArrow } from '../../src/io/arrow.js';
import type { Table, TextColumn } from '../../src/io/types.js';
import { expectSameTable, sampleTable } from './columnar-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-arrow-'));
const file = (name: string) => join(dir, name);

/** An IPC file of apache-arrow's own `table`, as bytes. */
const ipcOf = (table: arrow.Table, format: 'file' | 'stream' = 'file') => arrow.tableToIPC(table, format);

describe('writeArrow then readArrow', () => {
  for (const format of ['file', 'stream'] as const) {
    it(`gives back the same table (${format} format)`, async () => {
      const table = sampleTable();
      const path = file(`same.${format}.arrow`);
      await writeArrow(path, table, { format });
      const back = await readArrow(path);
      expectSameTable(back, table, { sameCodes: true });
      expect(back.info).toMatchObject({ source: path, format: 'arrow', bytes: readFileSync(path).length, skippedRows: 0 });
    });
  }

  it('writes times as Timestamp(ms, UTC), Timestamp(ns, UTC) or Float64 marked as time, as needed', async () => {
    const path = file('kinds.arrow');
    await writeArrow(path, sampleTable());
    const written = arrow.tableFromIPC(readFileSync(path));
    const typeOf = (name: string) => String(written.schema.fields.find((f) => f.name === name)?.type);
    expect(typeOf('ms')).toBe('Timestamp<MILLISECOND, UTC>');
    expect(typeOf('ns')).toBe('Timestamp<NANOSECOND, UTC>');
    expect(typeOf('odd')).toBe('Float64');
    expect(written.schema.fields.find((f) => f.name === 'odd')?.metadata.get('kernelbus:type')).toBe('time');
    expect(typeOf('price')).toBe('Float64');
    expect(typeOf('symbol')).toBe('Dictionary<Int32, Utf8>');
    // The whole-ms column's NaN is a null there, not a number.
    expect(written.getChild('ms')?.nullCount).toBe(1);
  });

  it('reads only the columns asked for, in the order asked', async () => {
    const path = file('cols.arrow');
    await writeArrow(path, sampleTable());
    const back = await readArrow(path, { columns: ['symbol', 'price'] });
    expect(back.names).toEqual(['symbol', 'price']);
    expect(Object.keys(back.columns).sort()).toEqual(['price', 'symbol']);
    expect(back.types).toEqual({ symbol: 'text', price: 'number' });
  });

  it('writes an empty table', async () => {
    const path = file('empty.arrow');
    const empty: Table = {
      rows: 0,
      names: ['x', 's'],
      columns: { x: new Float64Array(0), s: { codes: new Int32Array(0), values: [] } },
      types: { x: 'number', s: 'text' },
    };
    await writeArrow(path, empty);
    expectSameTable(await readArrow(path), empty);
  });
});

describe('readArrow: the type mapping of files apache-arrow writes', () => {
  it('reads every timestamp unit and time zone, and dates, as epoch ms', async () => {
    const ts = (type: arrow.DataType, values: bigint[]) => arrow.makeVector({ type, data: BigInt64Array.from(values) } as never);
    const table = new arrow.Table({
      s: ts(new arrow.TimestampSecond('America/New_York'), [1_700_000_000n, -1n]),
      ms: ts(new arrow.TimestampMillisecond(), [1_700_000_000_123n, -1n]),
      us: ts(new arrow.TimestampMicrosecond('UTC'), [1_700_000_000_123_456n, -1_500n]),
      ns: ts(new arrow.TimestampNanosecond('+05:30'), [1_700_000_000_123_456_789n, -1n]),
      d32: arrow.makeVector({ type: new arrow.DateDay(), data: Int32Array.from([19_675, -1]) } as never),
      d64: arrow.makeVector({ type: new arrow.DateMillisecond(), data: BigInt64Array.from([1_699_920_000_000n, 5n]) } as never),
    });
    const back = await readArrow(ipcOf(table));
    expect(back.types).toEqual({ s: 'time', ms: 'time', us: 'time', ns: 'time', d32: 'time', d64: 'time' });
    expect(Array.from(back.columns.s as Float64Array)).toEqual([1_700_000_000_000, -1000]);
    expect(Array.from(back.columns.ms as Float64Array)).toEqual([1_700_000_000_123, -1]);
    expect(Array.from(back.columns.us as Float64Array)).toEqual([1_700_000_000_123 + 456 / 1000, -1.5]);
    expect(Array.from(back.columns.ns as Float64Array)).toEqual([1_700_000_000_123 + 456_789 / 1e6, -1e-6]);
    expect(Array.from(back.columns.d32 as Float64Array)).toEqual([19_675 * 86_400_000, -86_400_000]);
    expect(Array.from(back.columns.d64 as Float64Array)).toEqual([1_699_920_000_000, 5]);
    expect(back.info?.timeUnits).toEqual({
      s: { unit: 's', detected: false },
      ms: { unit: 'ms', detected: false },
      us: { unit: 'us', detected: false },
      ns: { unit: 'ns', detected: false },
      d32: { unit: 'ms', detected: false },
      d64: { unit: 'ms', detected: false },
    });
  });

  it('reads integers, floats and booleans as numbers, nulls as NaN', async () => {
    const table = new arrow.Table({
      i64: arrow.vectorFromArray([2n ** 53n + 1n, -5n, null, -(2n ** 63n)], new arrow.Int64()),
      u64: arrow.vectorFromArray([2n ** 64n - 1n, 7n, 0n, null], new arrow.Uint64()),
      i8: arrow.vectorFromArray([-128, 127, null, 0], new arrow.Int8()),
      u32: arrow.vectorFromArray([4_294_967_295, 0, 1, null], new arrow.Uint32()),
      f32: arrow.vectorFromArray([0.1, -0, null, Number.NaN], new arrow.Float32()),
      f64: arrow.vectorFromArray([0.1, null, -0, 5e-324], new arrow.Float64()),
      bool: arrow.vectorFromArray([true, false, null, true], new arrow.Bool()),
      none: arrow.vectorFromArray([null, null, null, null], new arrow.Null()),
    });
    const back = await readArrow(ipcOf(table));
    const col = (name: string) => Array.from(back.columns[name] as Float64Array);
    expect(col('i64')).toEqual([2 ** 53, -5, Number.NaN, -(2 ** 63)]);
    expect(col('u64')).toEqual([2 ** 64, 7, 0, Number.NaN]);
    expect(col('i8')).toEqual([-128, 127, Number.NaN, 0]);
    expect(col('u32')).toEqual([4_294_967_295, 0, 1, Number.NaN]);
    expect(col('f32')).toEqual([Math.fround(0.1), -0, Number.NaN, Number.NaN]);
    expect(Object.is(col('f32')[1], -0)).toBe(true);
    expect(col('f64')).toEqual([0.1, Number.NaN, -0, 5e-324]);
    expect(col('bool')).toEqual([1, 0, Number.NaN, 1]);
    expect(col('none')).toEqual([Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    expect(Object.values(back.types).every((t) => t === 'number')).toBe(true);
  });

  it('reads dictionary strings with their dictionary, and plain strings dictionary-coded', async () => {
    const dict = arrow.vectorFromArray(['MSFT', null, 'AAPL', 'MSFT', 'é,"q"'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()));
    const table = new arrow.Table({
      dict,
      plain: arrow.vectorFromArray(['b', 'a', null, 'b', ''], new arrow.Utf8()),
      large: arrow.vectorFromArray(['x', 'x', 'y', null, '日本'], new arrow.LargeUtf8()),
    });
    const back = await readArrow(ipcOf(table, 'stream'));
    const texts = (name: string) => {
      const { codes, values } = back.columns[name] as TextColumn;
      return Array.from(codes, (c) => (c < 0 ? null : values[c]));
    };
    expect(texts('dict')).toEqual(['MSFT', null, 'AAPL', 'MSFT', 'é,"q"']);
    expect((back.columns.dict as TextColumn).values).toEqual(['MSFT', 'AAPL', 'é,"q"']);
    expect(texts('plain')).toEqual(['b', 'a', null, 'b', '']);
    expect(back.columns.plain).toEqual({ codes: Int32Array.from([0, 1, -1, 0, 2]), values: ['b', 'a', ''] });
    expect(texts('large')).toEqual(['x', 'x', 'y', null, '日本']);
    expect(back.types).toEqual({ dict: 'text', plain: 'text', large: 'text' });
  });

  it('concatenates record batches (dictionaries merged), and readArrowChunks gives one table per batch', async () => {
    const symType = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const part = (prices: number[], syms: string[]) =>
      new arrow.Table({ price: arrow.vectorFromArray(prices, new arrow.Float64()), sym: arrow.vectorFromArray(syms, symType) });
    const a = part([1, 2], ['A', 'B']);
    const b = part([3, 4, 5], ['C', 'A', 'C']);
    const both = new arrow.Table(a.schema, [...a.batches, ...b.batches]);
    expect(both.batches.length).toBe(2);
    const bytes = ipcOf(both, 'stream');
    const back = await readArrow(bytes);
    expect(back.rows).toBe(5);
    expect(Array.from(back.columns.price as Float64Array)).toEqual([1, 2, 3, 4, 5]);
    const sym = back.columns.sym as TextColumn;
    expect(Array.from(sym.codes, (c) => sym.values[c])).toEqual(['A', 'B', 'C', 'A', 'C']);
    const chunks: Table[] = [];
    for await (const t of readArrowChunks(bytes)) chunks.push(t);
    expect(chunks.map((t) => t.rows)).toEqual([2, 3]);
    expect(Array.from(chunks[1].columns.price as Float64Array)).toEqual([3, 4, 5]);
    expect((chunks[1].columns.price as Float64Array).buffer).toBe(bytes.buffer);
  });
});

describe('readArrow: errors', () => {
  const good = () => ipcOf(new arrow.Table({ x: arrow.vectorFromArray([1, 2, 3], new arrow.Float64()) }));

  it('refuses what is not Arrow IPC', async () => {
    const csv = file('trades.csv.arrow');
    writeFileSync(csv, 'ts,price\n1,2\n');
    await expect(readArrow(csv)).rejects.toThrow(
      new KernelInputError(csv, 'an Arrow IPC file or stream (Feather v2)', 'bytes 74 73 2c 70 72 69 63 65'),
    );
    await expect(readArrow(new Uint8Array(0))).rejects.toThrow(
      'buffer: expected an Arrow IPC file or stream (Feather v2), got an empty file',
    );
  });

  it('refuses a truncated file without crashing', async () => {
    const bytes = good();
    const cut = bytes.slice(0, bytes.length - 40);
    await expect(readArrow(cut)).rejects.toThrow(
      /^buffer: expected an Arrow IPC file or stream \(Feather v2\), got a file the Arrow reader refused: /,
    );
    await expect(readArrow(cut)).rejects.toBeInstanceOf(KernelInputError);
  });

  it('names a nested column and its type', async () => {
    const list = arrow.vectorFromArray([[1], [2, 3]], new arrow.List(new arrow.Field('item', new arrow.Float64())));
    const bytes = ipcOf(new arrow.Table({ ok: arrow.vectorFromArray([1, 2], new arrow.Float64()), bad: list }));
    await expect(readArrow(bytes)).rejects.toThrow(
      'buffer: expected columns of numbers, times or text (nested and other types are not read), got column "bad" of type List<Float64>',
    );
    // Leaving the nested column out reads the rest.
    expect((await readArrow(bytes, { columns: ['ok'] })).rows).toBe(2);
  });

  it('names a missing file, an unknown column, a bad option or table', async () => {
    const missing = file('nope.arrow');
    await expect(readArrow(missing)).rejects.toThrow(`${missing}: expected a readable file, got ENOENT`);
    await expect(readArrow(good(), { columns: ['x', 'y'] })).rejects.toThrow(
      'options.columns: expected names of columns in buffer (x), got "y"',
    );
    const t = sampleTable();
    await expect(writeArrow(file('x.arrow'), t, { format: 'csv' as never })).rejects.toThrow(
      "options.format: expected 'file' or 'stream', got csv",
    );
    const short: Table = { ...t, columns: { ...t.columns, price: new Float64Array(2) } };
    await expect(writeArrow(file('x.arrow'), short)).rejects.toThrow(`table.columns.price: expected ${t.rows} values (table.rows), got 2`);
    const badCode: Table = { rows: 1, names: ['s'], columns: { s: { codes: Int32Array.of(3), values: ['a'] } }, types: { s: 'text' } };
    await expect(writeArrow(file('x.arrow'), badCode)).rejects.toThrow(
      'table.columns.s.codes[0]: expected -1 or an index into values (1), got 3',
    );
  });
});

describe('readArrow: zero copy', () => {
  const n = 1000;
  const price = Float64Array.from({ length: n }, (_, i) => 100 + i / 64);
  const table: Table = { rows: n, names: ['price'], columns: { price }, types: { price: 'number' } };

  it("returns a Float64 column as a view of the file's bytes", async () => {
    const path = file('zero.arrow');
    await writeArrow(path, table);
    const buf = readFileSync(path);
    const col = (await readArrow(buf)).columns.price as Float64Array;
    expect(col).toEqual(price);
    expect(col.buffer).toBe(buf.buffer);
    expect(col.byteOffset).toBeGreaterThanOrEqual(buf.byteOffset);
    expect(col.byteOffset + col.byteLength).toBeLessThanOrEqual(buf.byteOffset + buf.length);
    // A write through the file's bytes is seen by the column: one memory.
    new DataView(buf.buffer, col.byteOffset, 8).setFloat64(0, -7, true);
    expect(col[0]).toBe(-7);
  });

  it('copies (correctly) from a Buffer at an odd offset', async () => {
    const path = file('odd.arrow');
    await writeArrow(path, table);
    const bytes = readFileSync(path);
    const odd = new Uint8Array(bytes.length + 3).subarray(3);
    odd.set(bytes);
    const col = (await readArrow(odd)).columns.price as Float64Array;
    expect(col).toEqual(price);
    expect(col.buffer).not.toBe(odd.buffer);
  });

  const native = loadNative();
  it.skipIf(!native.binding)('the native addon reads the column in place', async () => {
    const path = file('native.arrow');
    await writeArrow(path, table);
    const buf = readFileSync(path);
    const col = (await readArrow(buf)).columns.price as Float64Array;
    // Find the column's bytes in the file ourselves: the first value's 8 bytes followed by the second's.
    const pattern = Buffer.from(price.buffer, 0, 16);
    const at = buf.indexOf(pattern);
    expect(at).toBeGreaterThan(0);
    expect(at % 8).toBe(0);
    const ours = new Float64Array(buf.buffer, buf.byteOffset + at, n);
    const binding = native.binding as NonNullable<typeof native.binding>;
    expect(binding.viewAddress(col)).toBe(binding.viewAddress(ours));
  });
});
