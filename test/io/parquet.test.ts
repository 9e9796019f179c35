/**
 * Parquet in and out (src/io/parquet.ts, over parquet-wasm): write-then-read gives back the same Table
 * with each compression; the type mapping of files parquet-wasm writes from apache-arrow tables and of
 * files pyarrow wrote (test/fixtures/io/, made by make-fixtures.py there: INT96, every timestamp unit,
 * a time zone, dictionary strings, nulls, several row groups); errors by message, corrupt input
 * included; and that the libraries are loaded lazily.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { readArrow } from '../../src/io/arrow.js';
import { readParquet, writeParquet } from '../../src/io/parquet.js';
import type { Table, TextColumn } from '../../src/io/types.js';
import { expectSameTable, sampleTable } from './columnar-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-parquet-'));
const file = (name: string) => join(dir, name);
const fixture = (name: string) => join(import.meta.dirname, '..', 'fixtures', 'io', name);

/** apache-arrow's `table` written as Parquet by parquet-wasm (its own writer, not ours). */
function parquetOf(table: arrow.Table): Uint8Array {
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')));
}

const texts = (t: Table, name: string) => {
  const { codes, values } = t.columns[name] as TextColumn;
  return Array.from(codes, (c) => (c < 0 ? null : values[c]));
};
const nums = (t: Table, name: string) => Array.from(t.columns[name] as Float64Array);

describe('writeParquet then readParquet', () => {
  for (const compression of ['zstd', 'snappy', 'none'] as const) {
    it(`gives back the same table (${compression})`, async () => {
      const table = sampleTable();
      const path = file(`same.${compression}.parquet`);
      await writeParquet(path, table, { compression });
      const back = await readParquet(path);
      expectSameTable(back, table);
      expect(back.info).toMatchObject({ source: path, format: 'parquet', bytes: statSync(path).size, skippedRows: 0 });
      const written = await pq.ParquetFile.fromFile(new Blob([readFileSync(path)]));
      const codec = { zstd: pq.Compression.ZSTD, snappy: pq.Compression.SNAPPY, none: pq.Compression.UNCOMPRESSED }[compression];
      expect(written.metadata().rowGroup(0).column(0).compression()).toBe(codec);
    });
  }

  it('compresses with zstd by default, and a bigger table comes back whole', async () => {
    const n = 50_000;
    const ts = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 3.5);
    const price = Float64Array.from({ length: n }, (_, i) => 100 + (i % 97) / 100);
    const sym: TextColumn = { codes: Int32Array.from({ length: n }, (_, i) => (i % 11 === 0 ? -1 : i % 8)), values: 'ABCDEFGH'.split('') };
    const table: Table = {
      rows: n,
      names: ['ts', 'price', 'sym'],
      columns: { ts, price, sym },
      types: { ts: 'time', price: 'number', sym: 'text' },
    };
    await writeParquet(file('big.zstd.parquet'), table);
    await writeParquet(file('big.none.parquet'), table, { compression: 'none' });
    expect(statSync(file('big.zstd.parquet')).size).toBeLessThan(statSync(file('big.none.parquet')).size * 0.8);
    expectSameTable(await readParquet(file('big.zstd.parquet')), table);
    // The same table through Arrow and Parquet: one mapping.
    expectSameTable(await readParquet(readFileSync(file('big.none.parquet'))), table);
  });

  it('reads only the columns asked for, in the order asked', async () => {
    const path = file('cols.parquet');
    await writeParquet(path, sampleTable());
    const back = await readParquet(path, { columns: ['price', 'symbol'] });
    expect(back.names).toEqual(['price', 'symbol']);
    expect(back.types).toEqual({ price: 'number', symbol: 'text' });
    expectSameTable(back, { ...sampleTable(), names: ['price', 'symbol'], types: { price: 'number', symbol: 'text' } });
  });
});

describe('readParquet: the type mapping', () => {
  it('reads files parquet-wasm writes: timestamp units and zones, integers, floats, booleans, strings, nulls', async () => {
    const ts = (type: arrow.DataType, values: bigint[]) => arrow.makeVector({ type, data: BigInt64Array.from(values) } as never);
    const table = new arrow.Table({
      s: ts(new arrow.TimestampSecond('UTC'), [1_700_000_000n, -1n, 0n]),
      ms: ts(new arrow.TimestampMillisecond('Europe/London'), [1_700_000_000_123n, -1n, 0n]),
      us: ts(new arrow.TimestampMicrosecond(), [1_700_000_000_123_456n, -1_500n, 0n]),
      ns: ts(new arrow.TimestampNanosecond('America/New_York'), [1_700_000_000_123_456_789n, -1n, 0n]),
      day: arrow.makeVector({ type: new arrow.DateDay(), data: Int32Array.from([19_675, -1, 0]) } as never),
      i64: arrow.vectorFromArray([2n ** 53n + 1n, null, -5n], new arrow.Int64()),
      i16: arrow.vectorFromArray([-7, null, 300], new arrow.Int16()),
      f32: arrow.vectorFromArray([0.1, null, -0], new arrow.Float32()),
      flag: arrow.vectorFromArray([true, null, false], new arrow.Bool()),
      dict: arrow.vectorFromArray(['B', null, 'A'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
      plain: arrow.vectorFromArray(['x,"y"', 'ü', null], new arrow.Utf8()),
    });
    const back = await readParquet(parquetOf(table));
    expect(back.types).toEqual({
      s: 'time',
      ms: 'time',
      us: 'time',
      ns: 'time',
      day: 'time',
      i64: 'number',
      i16: 'number',
      f32: 'number',
      flag: 'number',
      dict: 'text',
      plain: 'text',
    });
    expect(nums(back, 's')).toEqual([1_700_000_000_000, -1000, 0]);
    expect(nums(back, 'ms')).toEqual([1_700_000_000_123, -1, 0]);
    expect(nums(back, 'us')).toEqual([1_700_000_000_123.456, -1.5, 0]);
    expect(nums(back, 'ns')).toEqual([1_700_000_000_123 + 456_789 / 1e6, -1e-6, 0]);
    expect(nums(back, 'day')).toEqual([19_675 * 86_400_000, -86_400_000, 0]);
    expect(nums(back, 'i64')).toEqual([2 ** 53, Number.NaN, -5]);
    expect(nums(back, 'i16')).toEqual([-7, Number.NaN, 300]);
    expect(nums(back, 'f32')).toEqual([Math.fround(0.1), Number.NaN, -0]);
    expect(nums(back, 'flag')).toEqual([1, Number.NaN, 0]);
    expect(texts(back, 'dict')).toEqual(['B', null, 'A']);
    expect(texts(back, 'plain')).toEqual(['x,"y"', 'ü', null]);
  });

  it('reads files pyarrow wrote: zones, every unit, dates, dictionary strings, int64, float32, nulls', async () => {
    const t = await readParquet(fixture('pyarrow-types.parquet'));
    expect(t.rows).toBe(3);
    expect(nums(t, 'ts_ns_ny')).toEqual([1_700_000_000_123 + 456_789 / 1e6, Number.NaN, -1e-6]);
    expect(nums(t, 'ts_us')).toEqual([1_700_000_000_123.456, 0, Number.NaN]);
    expect(nums(t, 'ts_ms_utc')).toEqual([1_700_000_000_123, -86_400_000, 1]);
    expect(nums(t, 'ts_s')).toEqual([1_700_000_000_000, Number.NaN, 2000]);
    expect(nums(t, 'date')).toEqual([Date.UTC(2023, 10, 14), Number.NaN, -86_400_000]);
    expect(t.columns.symbol).toEqual({ codes: Int32Array.from([0, -1, 1]), values: ['MSFT', 'AAPL'] });
    expect(t.columns.name).toEqual({ codes: Int32Array.from([0, 1, -1]), values: ['a,b', 'say "hi"'] });
    expect(nums(t, 'i64')).toEqual([2 ** 53, Number.NaN, -5]);
    expect(nums(t, 'i32')).toEqual([-(2 ** 31), 7, Number.NaN]);
    expect(nums(t, 'f32')).toEqual([Math.fround(0.1), Number.NaN, -0]);
    expect(nums(t, 'f64')).toEqual([0.1, Number.NaN, Number.NaN]);
    expect(nums(t, 'flag')).toEqual([1, Number.NaN, 0]);
    expect(t.types.ts_ns_ny).toBe('time');
    expect(t.types.date).toBe('time');
    // Parquet has no seconds unit: pyarrow stored ts_s in ms.
    expect(t.info?.timeUnits.ts_s).toEqual({ unit: 'ms', detected: false });
    expect(t.info?.timeUnits.ts_ns_ny).toEqual({ unit: 'ns', detected: false });
  });

  it('reads INT96 timestamps, over several row groups', async () => {
    const t = await readParquet(fixture('int96.parquet'));
    expect(t.types).toEqual({ ts: 'time', price: 'number' });
    expect(nums(t, 'ts')).toEqual([1_700_000_000_123 + 456_789 / 1e6, Number.NaN, 86_400_000]);
    expect(nums(t, 'price')).toEqual([1.5, 2.5, 3.5]);
  });

  it('reads the same types from pyarrow Feather v2 files, LZ4 and ZSTD compressed', async () => {
    const parquet = await readParquet(fixture('pyarrow-types.parquet'));
    for (const name of ['pyarrow-lz4.feather', 'pyarrow-zstd.feather']) {
      const feather = await readArrow(fixture(name));
      // Feather keeps the seconds unit (Parquet stored ms); the values are the same.
      expect(feather.info?.timeUnits.ts_s).toEqual({ unit: 's', detected: false });
      expectSameTable(feather, parquet);
    }
    for (const name of ['repeat-lz4.feather', 'repeat-zstd.feather']) {
      const t = await readArrow(fixture(name));
      expect(t.rows).toBe(3000);
      const ts = t.columns.ts as Float64Array;
      const price = t.columns.price as Float64Array;
      expect(ts.every((v, i) => v === 1_700_000_000_000 + i)).toBe(true);
      expect(price.every((v, i) => v === Math.round((100 + (i % 50) * 0.01) * 100) / 100)).toBe(true);
      expect(texts(t, 'symbol').slice(0, 5)).toEqual(['AAPL', 'MSFT', 'NVDA', 'TSLA', 'AAPL']);
    }
  });
});

describe('files polars writes', () => {
  it('reads its Arrow IPC (Utf8View strings, Categorical, LZ4) and its Parquet alike', async () => {
    for (const t of [await readArrow(fixture('polars-lz4.arrow')), await readParquet(fixture('polars.parquet'))]) {
      expect(t.names).toEqual(['ts', 'symbol', 'venue', 'px', 'n']);
      expect(t.types).toEqual({ ts: 'time', symbol: 'text', venue: 'text', px: 'number', n: 'number' });
      expect(nums(t, 'ts')).toEqual([Date.UTC(2023, 10, 14, 22, 13, 20, 123) + 0.456, Number.NaN, 0]);
      expect(texts(t, 'symbol')).toEqual(['AAPL', null, 'a much longer name, with "quotes" and ü']);
      expect(texts(t, 'venue')).toEqual(['XNAS', 'XNYS', 'XNAS']);
      expect(nums(t, 'px')).toEqual([1.5, Number.NaN, -0]);
      expect(nums(t, 'n')).toEqual([1, 2, Number.NaN]);
    }
  });
});

describe('readParquet: errors', () => {
  it('refuses what is not Parquet', async () => {
    const csv = file('trades.parquet');
    writeFileSync(csv, 'ts,price\n1,2\n');
    await expect(readParquet(csv)).rejects.toThrow(`${csv}: expected a Parquet file (PAR1 at its start and end), got 13 bytes without it`);
    await expect(readParquet(new Uint8Array(0))).rejects.toThrow(
      'buffer: expected a Parquet file (PAR1 at its start and end), got an empty file',
    );
  });

  it('refuses a corrupt file without crashing, and reads a good one after', async () => {
    const good = readFileSync(fixture('int96.parquet'));
    const corrupt = new Uint8Array(good);
    corrupt.fill(0xff, 8, corrupt.length - 8);
    await expect(readParquet(corrupt)).rejects.toThrow(/^buffer: expected a Parquet file, got a file the Parquet reader refused: /);
    const fake = new Uint8Array([...Buffer.from('PAR1'), ...new Uint8Array(40).fill(7), ...Buffer.from('PAR1')]);
    await expect(readParquet(fake)).rejects.toThrow(/^buffer: expected a Parquet file, got a file the Parquet reader refused: /);
    // A data page corrupted (the footer intact): the error comes from the page decoder.
    const page = new Uint8Array(good);
    page.fill(0x55, 4, 60);
    await expect(readParquet(page)).rejects.toThrow(/^buffer: expected a Parquet file, got a file the Parquet reader refused: /);
    expect(nums(await readParquet(good), 'price')).toEqual([1.5, 2.5, 3.5]);
  });

  it('names a nested column and its type; the other columns still read', async () => {
    const path = fixture('nested.parquet');
    await expect(readParquet(path)).rejects.toThrow(
      `${path}: expected columns of numbers, times or text (nested and other types are not read), got column "tags" of type List<Utf8>`,
    );
    expect(nums(await readParquet(path, { columns: ['id'] }), 'id')).toEqual([1, 2]);
  });

  it('names an unknown column, a bad option, a bad table', async () => {
    const path = fixture('int96.parquet');
    await expect(readParquet(path, { columns: ['price', 'size'] })).rejects.toThrow(
      `options.columns: expected names of columns in ${path} (ts, price), got "size"`,
    );
    await expect(writeParquet(file('x.parquet'), sampleTable(), { compression: 'lz4' as never })).rejects.toThrow(
      "options.compression: expected 'zstd', 'snappy' or 'none', got lz4",
    );
    const t = sampleTable();
    await expect(writeParquet(file('x.parquet'), { ...t, types: { ...t.types, price: 'text' } })).rejects.toThrow(
      "table.types.price: expected 'number' or 'time' for a Float64Array, got text",
    );
  });
});

describe('lazy loading', () => {
  it('the io modules import apache-arrow, parquet-wasm and fzstd only dynamically', () => {
    const src = join(import.meta.dirname, '..', '..', 'src', 'io');
    for (const name of ['arrow.ts', 'arrow-convert.ts', 'arrow-build.ts', 'arrow-codecs.ts', 'parquet.ts', 'file-bytes.ts']) {
      const text = readFileSync(join(src, name), 'utf8');
      const staticImports = [...text.matchAll(/^import\s+(?!type\b)[^;]*from\s+'([^']+)'/gm)].map((m) => m[1]);
      expect(
        staticImports.filter((m) => /apache-arrow|parquet-wasm|fzstd/.test(m)),
        name,
      ).toEqual([]);
    }
  });
});
