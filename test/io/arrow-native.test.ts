/**
 * The native Arrow IPC reader (src/io/arrow-native.ts, native/io/arrow_*.cpp) against the apache-arrow
 * path it stands in for: the same Table, bit for bit (codes and values included), on seeded random
 * tables of every type it reads (all timestamp units and zones, dates, integers of every width and
 * sign, floats, booleans, plain, large and dictionary strings of every index type, nulls, several
 * batches, dictionary replacements and deltas), in both formats, and on the LZ4 and ZSTD Feather
 * files pyarrow writes; readArrowChunks alike; what it leaves to the library; corrupt files refused
 * with the byte offset.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { KernelInputError } from '../../src/errors.js';
import { type ArrowReadOptions, readArrow, readArrowChunks } from '../../src/io/arrow.js';
import { firstMissingOf } from '../../src/io/missing-rows.js';
import type { Table } from '../../src/io/types.js';
import { expectSameTable } from './columnar-helpers.js';
import { mulberry32 } from '../../src/math/mulberry32.js';

const fixture = (name: string) => join(import.meta.dirname, '..', 'fixtures', 'io', name);

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/** A validity bitmap with about `rate` nulls, and its null count. */
function nulls(r: Rand, n: number, rate: number): { nullBitmap?: Uint8Array; nullCount: number } {
  if (rate === 0) return { nullCount: 0 };
  const bits = new Uint8Array(Math.ceil(n / 8));
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (r() < rate) nullCount++;
    else bits[i >> 3] |= 1 << (i & 7);
  }
  return { nullBitmap: bits, nullCount };
}

/** int64 values: small, near ±2^53, at the edges of int64, and negative. */
function int64s(r: Rand, n: number, signed: boolean): BigInt64Array | BigUint64Array {
  const special = signed
    ? [0n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 3n, 2n ** 63n - 1n, -(2n ** 63n), 1_700_000_000_123_456_789n, -123_456_789n]
    : [0n, 1n, 2n ** 64n - 1n, 2n ** 53n + 1n, 2n ** 63n, 1_700_000_000_123_456_789n];
  const out = signed ? new BigInt64Array(n) : new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    const v = r() < 0.2 ? pick(r, special) : BigInt(Math.floor((r() - (signed ? 0.5 : 0)) * 2 ** 52)) * BigInt(1 + Math.floor(r() * 3000));
    out[i] = signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
  }
  return out;
}

const WORDS = ['AAPL', 'MSFT', 'é 日本 🙂', '', 'a,b', 'line\nbreak', 'ZZZZZZZZZZZZZZZZZZZZ', 'x'];

/** A random column of `n` rows: its Arrow Data of `type`. */
function column(r: Rand, type: arrow.DataType, n: number, nullRate: number): arrow.Data {
  const v = nulls(r, n, nullRate);
  const { Type } = arrow;
  switch (type.typeId) {
    case Type.Int: {
      const t = type as arrow.Int;
      if (t.bitWidth === 64) return arrow.makeData({ type: t, length: n, ...v, data: int64s(r, n, t.isSigned) } as never);
      const Ctor = t.ArrayType as unknown as new (n: number) => Int32Array;
      const data = new Ctor(n);
      for (let i = 0; i < n; i++) data[i] = Math.floor((r() - (t.isSigned ? 0.5 : 0)) * 2 ** t.bitWidth);
      return arrow.makeData({ type: t, length: n, ...v, data } as never);
    }
    case Type.Float: {
      const t = type as arrow.Float;
      const data = t.precision === arrow.Precision.SINGLE ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = r() < 0.1 ? pick(r, [Number.NaN, -0, Number.POSITIVE_INFINITY, 5e-324]) : (r() - 0.5) * 1e6;
      return arrow.makeData({ type: t, length: n, ...v, data } as never);
    }
    case Type.Bool: {
      const data = new Uint8Array(Math.ceil(n / 8));
      for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * 256);
      return arrow.makeData({ type: type as arrow.Bool, length: n, ...v, data });
    }
    case Type.Date: {
      const t = type as arrow.Date_;
      if (t.unit === arrow.DateUnit.DAY) {
        const data = Int32Array.from({ length: n }, () => Math.floor((r() - 0.3) * 40000));
        return arrow.makeData({ type: t, length: n, ...v, data } as never);
      }
      const data = BigInt64Array.from({ length: n }, () => BigInt(Math.floor((r() - 0.3) * 4e12)));
      return arrow.makeData({ type: t, length: n, ...v, data } as never);
    }
    case Type.Timestamp:
      return arrow.makeData({ type: type as arrow.Timestamp, length: n, ...v, data: int64s(r, n, true) } as never);
    case Type.Utf8:
    case Type.LargeUtf8:
      return arrow.vectorFromArray(
        Array.from({ length: n }, () => (r() < nullRate ? null : pick(r, WORDS))),
        type as arrow.Utf8,
      ).data[0] as arrow.Data;
    case Type.Null:
      return arrow.makeData({ type: type as arrow.Null, length: n });
    default:
      throw new Error(`no generator for ${String(type)}`);
  }
}

const TYPES: (() => arrow.DataType)[] = [
  () => new arrow.Int8(),
  () => new arrow.Int16(),
  () => new arrow.Int32(),
  () => new arrow.Int64(),
  () => new arrow.Uint8(),
  () => new arrow.Uint16(),
  () => new arrow.Uint32(),
  () => new arrow.Uint64(),
  () => new arrow.Float32(),
  () => new arrow.Float64(),
  () => new arrow.Bool(),
  () => new arrow.DateDay(),
  () => new arrow.DateMillisecond(),
  () => new arrow.TimestampSecond(),
  () => new arrow.TimestampMillisecond('UTC'),
  () => new arrow.TimestampMicrosecond('America/New_York'),
  () => new arrow.TimestampNanosecond(),
  () => new arrow.Utf8(),
  () => new arrow.LargeUtf8(),
  () => new arrow.Null(),
];
const INDEX_TYPES = [new arrow.Int8(), new arrow.Int16(), new arrow.Int32(), new arrow.Int64(), new arrow.Uint8(), new arrow.Uint32()];

/** A random table: 1-6 columns (one of them dictionary strings), 1-4 batches of 0-300 rows. */
function randomTable(seed: number): arrow.Table {
  const r = mulberry32(seed);
  const fields: arrow.Field[] = [];
  const columns = 1 + Math.floor(r() * 6);
  for (let c = 0; c < columns; c++) fields.push(new arrow.Field(`c${c}`, pick(r, TYPES)(), true));
  const dictType = new arrow.Dictionary(r() < 0.5 ? new arrow.Utf8() : new arrow.LargeUtf8(), pick(r, INDEX_TYPES) as arrow.Int32, 7);
  fields.push(new arrow.Field('sym', dictType, true));
  if (r() < 0.3) {
    const meta = new Map([['kernelbus:type', 'time']]);
    fields.push(new arrow.Field('t', new arrow.Float64(), true, meta));
  }
  const schema = new arrow.Schema(fields);
  const nullRate = pick(r, [0, 0, 0.1, 0.5, 1]);
  // one dictionary for every batch, or a new one per batch (written as a replacement or a delta)
  const shared = r() < 0.5;
  const words = (k: number) =>
    arrow.vectorFromArray(
      Array.from({ length: k }, (_, i) => `${pick(r, WORDS)}${i % 3}`),
      dictType.dictionary,
    );
  let dictionary = words(1 + Math.floor(r() * 6));
  const batches: arrow.RecordBatch[] = [];
  for (let b = 0, count = 1 + Math.floor(r() * 4); b < count; b++) {
    const n = Math.floor(r() * 300);
    if (!shared && b > 0) dictionary = r() < 0.5 ? dictionary.concat(words(2)) : words(1 + Math.floor(r() * 6));
    const children = fields.map((f) => {
      if (f.name !== 'sym') return column(r, f.type, n, nullRate);
      const idx = column(r, dictType.indices, n, nullRate);
      const values = idx.values as ArrayLike<number | bigint>;
      const fixed = Array.from({ length: n }, (_, i) =>
        Math.floor(Number(values[i]) >= 0 ? Number(values[i]) % (dictionary.length + 1) : 0),
      );
      const data = new (dictType.indices.ArrayType as unknown as new (xs: ArrayLike<number | bigint>) => Int32Array)(
        (dictType.indices.bitWidth as number) === 64 ? (fixed.map(BigInt) as never) : fixed,
      );
      return arrow.makeData({ type: dictType, length: n, nullCount: idx.nullCount, nullBitmap: idx.nullBitmap, data, dictionary } as never);
    });
    batches.push(new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: n, children })));
  }
  return new arrow.Table(schema, batches);
}

/** readArrow natively and through apache-arrow: the same Table, its info's time units included. */
async function expectParity(bytes: Uint8Array, options: ArrowReadOptions = {}): Promise<Table> {
  const native = await readArrow(bytes, { ...options, reader: 'native' });
  const library = await readArrow(bytes, { ...options, reader: 'library' });
  expectSameTable(native, library, { sameCodes: true });
  expect(native.info?.timeUnits).toEqual(library.info?.timeUnits);
  // a column the reader says holds no NaN (readTrades then does not scan it) holds none
  for (const name of native.names) {
    if (firstMissingOf(native, name) === -1) {
      nanFreeColumns++;
      expect((native.columns[name] as Float64Array).some(Number.isNaN), name).toBe(false);
    }
  }
  return native;
}

let nanFreeColumns = 0;

const hasReader = typeof (loadNative().binding as unknown as { arrowOpen?: unknown } | undefined)?.arrowOpen === 'function';

describe.skipIf(!hasReader)('the native Arrow reader against apache-arrow', () => {
  it('reads 60 random tables the same, in the file and the stream format', async () => {
    let rows = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const table = randomTable(seed);
      for (const format of ['file', 'stream'] as const) {
        let bytes: Uint8Array;
        try {
          bytes = arrow.tableToIPC(table, format);
        } catch {
          continue; // apache-arrow does not write a replaced dictionary in the file format
        }
        const t = await expectParity(bytes);
        rows += t.rows;
        expect(t.rows, `seed ${seed}`).toBe(table.numRows);
      }
    }
    expect(rows).toBeGreaterThan(10_000);
    expect(nanFreeColumns).toBeGreaterThan(20);
  });

  it('reads columns asked for, in the order asked, the same', async () => {
    const bytes = arrow.tableToIPC(randomTable(7), 'file');
    const t = await expectParity(bytes, { columns: ['sym', 'c0'] });
    expect(t.names).toEqual(['sym', 'c0']);
  });

  it("reads pyarrow's LZ4 and ZSTD Feather files the same", async () => {
    for (const name of ['pyarrow-lz4.feather', 'pyarrow-zstd.feather', 'repeat-lz4.feather', 'repeat-zstd.feather']) {
      const t = await expectParity(readFileSync(fixture(name)));
      expect(t.rows).toBeGreaterThan(0);
    }
  });

  it('gives readArrowChunks one table per batch, the same as apache-arrow, float64 columns viewed in place', async () => {
    const table = randomTable(11);
    const bytes = arrow.tableToIPC(table, 'stream');
    const native: Table[] = [];
    const library: Table[] = [];
    for await (const t of readArrowChunks(bytes, { reader: 'native' })) native.push(t);
    for await (const t of readArrowChunks(bytes, { reader: 'library' })) library.push(t);
    expect(native.length).toBe(table.batches.length);
    native.forEach((t, i) => expectSameTable(t, library[i] as Table, { sameCodes: true }));
    const one = arrow.tableToIPC(new arrow.Table({ x: arrow.vectorFromArray([1.5, 2.5, 3.5], new arrow.Float64()) }), 'stream');
    for await (const t of readArrowChunks(one, { reader: 'native' })) expect((t.columns.x as Float64Array).buffer).toBe(one.buffer);
  });

  it('leaves readArrowChunks of more than 64 batches to apache-arrow, and readArrow reads them the same', async () => {
    const part = (k: number) => new arrow.Table({ x: arrow.vectorFromArray([k, k + 0.5], new arrow.Float64()) });
    const parts = Array.from({ length: 70 }, (_, k) => part(k));
    const bytes = arrow.tableToIPC(
      new arrow.Table(
        parts[0]?.schema as arrow.Schema,
        parts.flatMap((t) => t.batches),
      ),
      'stream',
    );
    const chunks: Table[] = [];
    for await (const t of readArrowChunks(bytes)) chunks.push(t);
    expect(chunks.map((t) => Array.from(t.columns.x as Float64Array))).toEqual(parts.map((_, k) => [k, k + 0.5]));
    expect((await expectParity(bytes)).rows).toBe(140);
  });

  it('reads an empty table and a table of no batches the same', async () => {
    const empty = new arrow.Table({ x: arrow.vectorFromArray([] as number[], new arrow.Float64()) });
    for (const format of ['file', 'stream'] as const) expect((await expectParity(arrow.tableToIPC(empty, format))).rows).toBe(0);
  });

  it('leaves to apache-arrow what it does not decode, and says so for reader: native', async () => {
    const half = new arrow.Table({ h: arrow.vectorFromArray([1, 2], new arrow.Float16()) });
    const bytes = arrow.tableToIPC(half, 'file');
    expect(Array.from((await readArrow(bytes)).columns.h as Float64Array)).toEqual([1, 2]);
    await expect(readArrow(bytes, { reader: 'native' })).rejects.toThrow(
      'buffer: expected a file the native Arrow reader decodes, got a half-precision float column',
    );
    // strings that are not UTF-8: the library decodes them with U+FFFD
    const utf8 = arrow.vectorFromArray(['ab', 'cd'], new arrow.Utf8());
    const ipc = arrow.tableToIPC(new arrow.Table({ s: utf8 }), 'stream');
    const at = Buffer.from(ipc).indexOf('abcd');
    ipc[at] = 0xff;
    expect((await readArrow(ipc)).columns.s).toEqual({ codes: Int32Array.of(0, 1), values: ['\ufffdb', 'cd'] });
    await expect(readArrow(ipc, { reader: 'native' })).rejects.toThrow('got a string that is not valid UTF-8');
    await expect(readArrow(ipc, { reader: 'fast' as never })).rejects.toThrow(
      new KernelInputError('options.reader', "'auto', 'native' or 'library'", '"fast"'),
    );
  });

  it('refuses a corrupt file with a KernelInputError naming the byte', async () => {
    const bytes = arrow.tableToIPC(randomTable(3), 'file');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const footerLength = view.getInt32(bytes.length - 10, true);
    const bad = bytes.slice();
    new DataView(bad.buffer).setInt32(bytes.length - 10, footerLength + 1_000_000, true);
    await expect(readArrow(bad, { reader: 'native' })).rejects.toThrow(
      `buffer: expected an Arrow IPC file or stream (Feather v2), got a file the Arrow reader refused: a footer of ${footerLength + 1_000_000} bytes (byte ${bytes.length - 10})`,
    );
    // a stream cut inside its first batch's body
    const stream = arrow.tableToIPC(randomTable(3), 'stream');
    await expect(readArrow(stream.slice(0, stream.length - 100), { reader: 'native' })).rejects.toThrow(
      /past the end of the file \(byte \d+\)$/,
    );
  });
});
