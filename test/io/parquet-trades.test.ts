/**
 * readTrades and readParquet on Parquet through the native reader: the footer parsed once and only the
 * trade columns decoded; a ts of plain numbers (INT64 or DOUBLE, in s, ms, us or ns, given or detected)
 * converted to epoch ms natively, equal to the library path's and to the arithmetic done here; the
 * decode of a path off the event loop (a timer fires during a large read); a corrupt file rejects.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { KernelInputError } from '../../src/errors.js';
import { readParquet, writeParquet } from '../../src/io/parquet.js';
import { readTrades } from '../../src/io/trades.js';
import type { Table, TimeUnit } from '../../src/io/types.js';
import { inCI } from '../helpers/backends.js';

const binding = loadNative().binding;
const suite = binding || inCI ? describe : describe.skip;
const dir = mkdtempSync(join(tmpdir(), 'kb-parquet-trades-'));
const at = (name: string) => join(dir, name);

/** apache-arrow's table written as Parquet by parquet-wasm (arrow-rs): an Int64 stays a plain INT64. */
const parquetOf = (table: arrow.Table) => pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')));

/** A tape of n rows: ts as INT64 counts of `perMs` per ms (or DOUBLE when `double`), price, size, a symbol. */
function tape(n: number, perMs: number, double = false) {
  const ms = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 7);
  const raw = ms.map((x, i) => x * perMs + (i % 3));
  const ts = double
    ? arrow.makeVector(Float64Array.from(raw))
    : arrow.makeVector(BigInt64Array.from(raw.map((x) => BigInt(Math.round(x)))));
  const table = new arrow.Table({
    venue: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => `V${i % 3}`),
      new arrow.Utf8(),
    ),
    ts,
    price: arrow.makeVector(Float64Array.from({ length: n }, (_, i) => 100 + (i % 13) / 100)),
    size: arrow.makeVector(Float64Array.from({ length: n }, (_, i) => 1 + (i % 5))),
    sym: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => `S${i % 4}`),
      new arrow.Utf8(),
    ),
  });
  return { bytes: parquetOf(table), raw };
}

/** Equal bytes (a million elements: toEqual compares them one by one, slowly). */
const same = (a: Float64Array, b: Float64Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

afterEach(() => {
  vi.restoreAllMocks();
});

suite('readTrades on Parquet, natively', () => {
  it('parses the footer once and decodes only the trade columns, off the event loop', async () => {
    const { bytes } = tape(1000, 1);
    writeFileSync(at('five.parquet'), bytes);
    const footer = vi.spyOn(binding!, 'parquetFooter');
    const decode = vi.spyOn(binding!, 'parquetDecodeAsync');
    const sync = vi.spyOn(binding!, 'parquetDecode');
    const read = await readTrades(at('five.parquet'));
    expect(footer).toHaveBeenCalledTimes(1);
    expect(decode).toHaveBeenCalledTimes(1);
    expect(sync).not.toHaveBeenCalled();
    // venue (0) is not read: ts, price, size, sym in the order readTrades resolves them
    expect(Array.from(decode.mock.calls[0][2] as Int32Array)).toEqual([1, 2, 3, 4]);
    expect(read.info.columns).toEqual({ ts: 'ts', price: 'price', volume: 'size', symbol: 'sym' });
    expect(read.symbols!.values).toEqual(['S0', 'S1', 'S2', 'S3']);
    expect(read.info.timeUnits.ts).toEqual({ unit: 'ms', detected: true });
  });

  for (const [unit, perMs] of [
    ['s', 1e-3],
    ['ms', 1],
    ['us', 1e3],
    ['ns', 1e6],
  ] as const) {
    for (const double of [false, true]) {
      it(`a ts of plain ${double ? 'DOUBLE' : 'INT64'} ${unit}: epoch ms, detected or given, as the library path and the arithmetic`, async () => {
        const { bytes, raw } = tape(500, perMs, double);
        const stored = raw.map((x) => (double ? x : Number(BigInt(Math.round(x)))));
        const want = stored.map((x) => (unit === 's' ? x * 1000 : unit === 'us' ? x / 1e3 : unit === 'ns' ? x / 1e6 : x));
        const path = at(`ts-${unit}-${double}.parquet`);
        writeFileSync(path, bytes);
        const detected = await readTrades(path);
        expect(Array.from(detected.trades.ts)).toEqual(want);
        expect(detected.info.timeUnits.ts).toEqual({ unit, detected: true });
        const other: TimeUnit = unit === 'ms' ? 'us' : 'ms';
        const given = await readTrades(path, { tsUnit: other });
        expect(given.info.timeUnits.ts).toEqual({ unit: other, detected: false });
        expect(Array.from(given.trades.ts)).toEqual(stored.map((x) => (other === 'us' ? x / 1e3 : x)));
        for (const epochs of [{ ts: 'detect' }, { ts: other }] as const) {
          const nativeRead = await readParquet(bytes, { columns: ['ts'], epochs, reader: 'native' });
          const library = await readParquet(bytes, { columns: ['ts'], epochs, reader: 'library' });
          expect(nativeRead.columns.ts).toEqual(library.columns.ts);
          expect(nativeRead.types).toEqual({ ts: 'time' });
          expect(nativeRead.info?.timeUnits).toEqual(library.info?.timeUnits);
        }
      });
    }
  }

  it('leaves a column that already is a time, and every other column, as it is', async () => {
    const table: Table = {
      rows: 2,
      names: ['ts', 'price'],
      columns: { ts: Float64Array.of(1_700_000_000_000, 1_700_000_000_001), price: Float64Array.of(2e9, 3e9) },
      types: { ts: 'time', price: 'number' },
    };
    await writeParquet(at('time.parquet'), table);
    const t = await readParquet(at('time.parquet'), { epochs: { ts: 's' } });
    expect(Array.from(t.columns.ts as Float64Array)).toEqual([1_700_000_000_000, 1_700_000_000_001]);
    expect(t.types).toEqual({ ts: 'time', price: 'number' });
    await expect(readParquet(at('time.parquet'), { epochs: { price: 'min' as 's' } })).rejects.toThrow(
      "options.epochs.price: expected 's', 'ms', 'us', 'ns' or 'detect', got \"min\"",
    );
    await expect(readParquet(at('time.parquet'), { epochs: { price: 'toString' as 's' } })).rejects.toThrow(
      "options.epochs.price: expected 's', 'ms', 'us', 'ns' or 'detect', got \"toString\"",
    );
  });

  it('a missing ts, price or volume (a null or a NaN value) names its row, found in the decode', async () => {
    const n = 700_000; // past one scan chunk (2^18 rows) of the native search
    const column = (nanAt: number) => Float64Array.from({ length: n }, (_, i) => (i === nanAt ? Number.NaN : 1.7e12 + i));
    for (const [name, row] of [
      ['ts', 0],
      ['price', 600_001],
      ['volume', n - 1],
    ] as const) {
      const columns = { ts: column(-1), price: column(-1), volume: column(-1) };
      columns[name][row] = Number.NaN;
      const path = at(`missing-${name}.parquet`);
      await writeParquet(path, {
        rows: n,
        names: ['ts', 'price', 'volume'],
        columns,
        types: { ts: 'time', price: 'number', volume: 'number' },
      });
      const missing = vi.spyOn(await import('../../src/io/missing-rows.js'), 'firstMissingOf');
      await expect(readTrades(path)).rejects.toThrow(
        new KernelInputError(`${path}: row ${row + 1}`, `a value in column ${name}`, 'a missing value'),
      );
      expect(missing.mock.results.map((r) => r.value)).toContain(row);
      missing.mockRestore();
    }
  }, 30_000);

  it('the first missing value of each column over row groups and pages: the lowest row, per column', async () => {
    // three row groups (1,048,576 rows each at most), pages of about 131,072 values: NaNs in later
    // groups and pages only, two in price in two groups (the lower one counts), ts's later than price's
    const n = 2_300_000;
    const column = () => Float64Array.from({ length: n }, (_, i) => 1.7e12 + i);
    const columns = { ts: column(), price: column(), volume: column(), size: column() };
    columns.ts[2_200_000] = Number.NaN;
    columns.price[2_250_123] = Number.NaN;
    columns.price[1_500_001] = Number.NaN;
    columns.volume[1_048_576] = Number.NaN;
    columns.volume[1_900_000] = Number.NaN; // a later page of the same group
    const path = at('missing-groups.parquet');
    await writeParquet(path, {
      rows: n,
      names: ['ts', 'price', 'volume', 'size'],
      columns,
      types: { ts: 'time', price: 'number', volume: 'number', size: 'number' },
    });
    const { firstMissingOf } = await import('../../src/io/missing-rows.js');
    const table = await readParquet(path);
    expect(['ts', 'price', 'volume', 'size'].map((c) => firstMissingOf(table, c))).toEqual([2_200_000, 1_500_001, 1_048_576, -1]);
    await expect(readTrades(path)).rejects.toThrow(new KernelInputError(`${path}: row 2200001`, 'a value in column ts', 'a missing value'));
  }, 60_000);

  it('reads the Arrow schema natively: a timestamp[s] INT64 and a kernelbus float time, as the library path', async () => {
    const s = arrow.makeVector({ type: new arrow.TimestampSecond(), data: BigInt64Array.from([1_700_000_000n, -1n, 0n]) } as never);
    const t = arrow.makeVector(Float64Array.of(1.7e12, 1.5, 2));
    const x = arrow.makeVector(Float64Array.of(1, 2, 3));
    const schema = new arrow.Schema([
      new arrow.Field('s', s.type, true),
      new arrow.Field('t', new arrow.Float64(), false, new Map([['kernelbus:type', 'time']])),
      new arrow.Field('x', new arrow.Float64(), false),
    ]);
    const bytes = parquetOf(new arrow.Table(schema, { s: s.data[0], t: t.data[0], x: x.data[0] } as never));
    const apache = vi.spyOn(await import('../../src/io/arrow.js'), 'loadArrow');
    const read = await readParquet(bytes, { reader: 'native' });
    expect(apache).not.toHaveBeenCalled();
    expect(read.types).toEqual({ s: 'time', t: 'time', x: 'number' });
    expect(Array.from(read.columns.s as Float64Array)).toEqual([1_700_000_000_000, -1000, 0]);
    expect(Array.from(read.columns.t as Float64Array)).toEqual([1.7e12, 1.5, 2]);
    expect(read.info?.timeUnits).toEqual({ s: { unit: 's', detected: false } });
    const library = await readParquet(bytes, { reader: 'library' });
    expect(read.columns).toEqual(library.columns);
    expect(read.types).toEqual(library.types);
    expect(read.info?.timeUnits).toEqual(library.info?.timeUnits);
  });

  it('a timer fires while a large file decodes; a corrupt one rejects with KernelInputError', async () => {
    const n = 1_000_000;
    const big: Table = {
      rows: n,
      names: ['ts', 'price', 'volume'],
      columns: {
        ts: Float64Array.from({ length: n }, (_, i) => 1.7e12 + i * 3),
        price: Float64Array.from({ length: n }, (_, i) => 100 + Math.sin(i) * 5),
        volume: Float64Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % 199)),
      },
      types: { ts: 'time', price: 'number', volume: 'number' },
    };
    await writeParquet(at('big.parquet'), big);
    let ticks = 0;
    let ticksAtEnd = -1;
    const timer = setInterval(() => ticks++, 0);
    const t0 = performance.now();
    const pending = readTrades(at('big.parquet')).then((r) => {
      ticksAtEnd = ticks;
      return r;
    });
    const read = await pending;
    clearInterval(timer);
    expect(ticksAtEnd, `ticks during a ${(performance.now() - t0).toFixed(0)} ms read`).toBeGreaterThan(0);
    expect(same(read.trades.price, big.columns.price as Float64Array)).toBe(true);
    // the same decode on this thread: no timer can fire before it returns
    const bytes = new Uint8Array(readFileSync(at('big.parquet')));
    let syncTicks = 0;
    const syncTimer = setInterval(() => syncTicks++, 0);
    const sync = await readParquet(bytes);
    const ticksAfterSync = syncTicks;
    clearInterval(syncTimer);
    expect(ticksAfterSync).toBe(0);
    expect(same(sync.columns.volume as Float64Array, big.columns.volume as Float64Array)).toBe(true);

    const corrupt = bytes.slice();
    corrupt.fill(0xff, 4, 64);
    writeFileSync(at('corrupt.parquet'), corrupt);
    const refused = readParquet(at('corrupt.parquet'), { reader: 'native' });
    await expect(refused).rejects.toThrow(KernelInputError);
    await expect(refused).rejects.toThrow(
      /corrupt\.parquet: expected a Parquet file, got a file the Parquet reader refused: row group 0, column ts/,
    );
  }, 30_000);
});
