/**
 * kernelbus/io's table API: readTable on each format (by extension, by --format, by magic bytes, from
 * bytes and gzip), writeTable then readTable giving back the same table (CSV, TSV, JSON Lines, Parquet,
 * Arrow), readTrades' header aliases and errors, splitBySymbol, readReturns wide and long.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { specifiersOf } from '../helpers/imports.js';
import { kernels } from '../../src/api/index.js';
import { toRecords } from '../../src/kernels/labels.js';
import { KernelInputError } from '../../src/errors.js';
import {
  isText,
  readReturns,
  readTable,
  readTableChunks,
  readTrades,
  splitBySymbol,
  tableOf,
  type Table,
  type TextColumn,
  writeTable,
} from '../../src/io/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-io-table-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

/** A table's rows as plain values (text decoded, missing text null), for comparing tables whatever their dictionaries. */
function rowsOf(table: Table): unknown[][] {
  return Array.from({ length: table.rows }, (_, i) =>
    table.names.map((name) => {
      const c = table.columns[name];
      if (isText(c)) return c.codes[i] < 0 ? null : c.values[c.codes[i]];
      return c[i];
    }),
  );
}

const text = (values: (string | null)[]): TextColumn => {
  const dictionary: string[] = [];
  const codes = Int32Array.from(values, (v) => {
    if (v === null) return -1;
    const found = dictionary.indexOf(v);
    return found >= 0 ? found : dictionary.push(v) - 1;
  });
  return { codes, values: dictionary };
};

/** A table with every kind of value the writers must keep: times, awkward doubles, NaN, text that needs quoting, missing text. */
const sample: Table = {
  rows: 6,
  names: ['ts', 'symbol', 'price', 'note'],
  columns: {
    ts: Float64Array.of(1795098629286, 1795098629287, 1795098632564, 1795098636579, 1795098640000, 1795098650001),
    symbol: text(['AAPL', 'MSFT', 'AAPL', 'NA', 'BRK.B', 'MSFT']),
    price: Float64Array.of(0.1 + 0.2, 161.06, Number.NaN, 1e-300, -2.5e21, 5e-324),
    note: text(['say "hi", then go', 'a,b', null, '', ' padded ', 'line\nbreak']),
  },
  types: { ts: 'time', symbol: 'text', price: 'number', note: 'text' },
};

describe('writeTable then readTable', () => {
  it.each(['csv', 'tsv', 'parquet', 'arrow'])('%s gives back the same table (names, types, values to the bit)', async (ext) => {
    const path = at(`sample.${ext}`);
    await writeTable(path, sample);
    const back = await readTable(path);
    expect(back.names).toEqual(sample.names);
    expect(back.rows).toBe(sample.rows);
    expect(back.types).toEqual(sample.types);
    expect(rowsOf(back)).toEqual(rowsOf(sample));
    expect(Object.is((back.columns.price as Float64Array)[0], 0.1 + 0.2)).toBe(true);
  });

  it('csv: numbers as String(x), NaN and missing text empty, text quoted only where it must be', async () => {
    await writeTable(at('plain.csv'), sample);
    expect(readFileSync(at('plain.csv'), 'utf8').split('\n').slice(0, 5)).toEqual([
      'ts,symbol,price,note',
      '1795098629286,AAPL,0.30000000000000004,"say ""hi"", then go"',
      '1795098629287,MSFT,161.06,"a,b"',
      '1795098632564,AAPL,,',
      '1795098636579,NA,1e-300,""',
    ]);
    await writeTable(at('plain.tsv'), sample);
    expect(readFileSync(at('plain.tsv'), 'utf8').split('\n')[2]).toBe('1795098629287\tMSFT\t161.06\ta,b');
  });

  it('jsonl: one object per row, NaN and missing text null; .csv.gz is gzip and reads back', async () => {
    await writeTable(at('sample.jsonl'), sample);
    const lines = readFileSync(at('sample.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    expect(lines[0]).toEqual({ ts: 1795098629286, symbol: 'AAPL', price: 0.30000000000000004, note: 'say "hi", then go' });
    expect(lines[2]).toEqual({ ts: 1795098632564, symbol: 'AAPL', price: null, note: null });
    expect(rowsOf(sample).map((row) => row.map((v) => (Number.isNaN(v) ? null : v)))).toEqual(lines.map((o) => Object.values(o)));
    await writeTable(at('sample.csv.gz'), sample);
    expect(readFileSync(at('sample.csv.gz'))[0]).toBe(0x1f);
    expect(rowsOf(await readTable(at('sample.csv.gz')))).toEqual(rowsOf(sample));
  });

  it('refuses a path without a known extension, naming it', async () => {
    await expect(writeTable(at('out.xlsx'), sample)).rejects.toThrow(
      `path: expected a file ending .csv, .tsv, .jsonl, .parquet or .arrow (.feather, .ipc; .csv.gz, .tsv.gz, .jsonl.gz), got "${at('out.xlsx')}"`,
    );
  });
});

describe('readTable', () => {
  it('finds the format by magic bytes (no extension), in bytes, gzip bytes and stdin-like streams, or by format', async () => {
    const expected = rowsOf(sample);
    for (const ext of ['csv', 'parquet', 'arrow']) {
      await writeTable(at(`magic.${ext}`), sample);
      const bytes = readFileSync(at(`magic.${ext}`));
      writeFileSync(at(`magic-${ext}`), bytes);
      const fromFile = await readTable(at(`magic-${ext}`));
      expect(fromFile.info?.format).toBe(ext);
      expect(rowsOf(fromFile)).toEqual(expected);
      expect(rowsOf(await readTable(new Uint8Array(bytes)))).toEqual(expected);
      expect(rowsOf(await readTable(at(`magic-${ext}`), { format: ext as 'csv' }))).toEqual(expected);
    }
    expect(rowsOf(await readTable(gzipSync(readFileSync(at('magic.csv')))))).toEqual(expected);
    const { Readable } = await import('node:stream');
    const stream = Readable.from([readFileSync(at('magic.parquet'))]);
    expect(rowsOf(await readTable(stream))).toEqual(expected);
    await expect(readTable(at('magic.csv'), { format: 'xls' as 'csv' })).rejects.toThrow(
      'options.format: expected csv, tsv, parquet, arrow, got "xls"',
    );
  });

  it('columns reads only those; readTableChunks hands a CSV out in tables of chunkRows', async () => {
    const t = await readTable(at('magic.csv'), { columns: ['PRICE', 'ts'] });
    expect(t.names.map((n) => n.toLowerCase()).sort()).toEqual(['price', 'ts']);
    const chunks: Table[] = [];
    for await (const chunk of readTableChunks(at('magic.csv'), { chunkRows: 4 })) chunks.push(chunk);
    expect(chunks.map((c) => c.rows).reduce((a, b) => a + b, 0)).toBe(6);
    expect(chunks.flatMap(rowsOf)).toEqual(rowsOf(sample));
    for (const ext of ['parquet', 'arrow']) {
      const parts: Table[] = [];
      for await (const chunk of readTableChunks(at(`magic.${ext}`), { columns: ['ts', 'price'] })) parts.push(chunk);
      expect(parts.map((p) => p.names)).toEqual(parts.map(() => ['ts', 'price']));
      expect(parts.flatMap(rowsOf)).toEqual(rowsOf(sample).map((row) => [row[0], row[2]]));
    }
  });
});

describe('readTrades and splitBySymbol', () => {
  const tape = [
    'Timestamp,Ticker,PX,Qty,Offer,Bid,venue',
    '1000,AAPL,100,5,100.02,99.98,"XNAS, Nasdaq"',
    '1001,MSFT,200,7,200.02,199.98,"XNYS, NYSE"',
    '1002,AAPL,100.01,3,100.03,99.99,x',
    '1003,JPM,50,1,,,x',
    '1004,MSFT,200.5,2,200.52,200.48,x',
  ].join('\n');

  it('resolves the aliases case-insensitively, reads bid/ask and the symbols; splitBySymbol keeps each symbol’s row order', async () => {
    writeFileSync(at('aliases.csv'), tape);
    const { trades, symbols, info } = await readTrades(at('aliases.csv'));
    expect(info.columns).toEqual({ ts: 'Timestamp', price: 'PX', volume: 'Qty', bid: 'Bid', ask: 'Offer', symbol: 'Ticker' });
    expect(Array.from(trades.ts)).toEqual([1000, 1001, 1002, 1003, 1004]);
    expect(Array.from(trades.volume)).toEqual([5, 7, 3, 1, 2]);
    expect(Array.from(trades.ask!)).toEqual([100.02, 200.02, 100.03, Number.NaN, 200.52]);
    const parts = splitBySymbol(trades, symbols!);
    expect(parts.map((p) => p.symbol)).toEqual(['AAPL', 'MSFT', 'JPM']);
    expect(Array.from(parts[1].trades.price)).toEqual([200, 200.5]);
    expect(Array.from(parts[1].trades.bid!)).toEqual([199.98, 200.48]);
    const picked = splitBySymbol(trades, symbols!, { symbols: ['JPM', 'AAPL'] });
    expect(picked.map((p) => [p.symbol, p.trades.ts.length])).toEqual([
      ['JPM', 1],
      ['AAPL', 2],
    ]);
    expect(() => splitBySymbol(trades, symbols!, { symbols: ['AAPL', 'TSLA'] })).toThrow(
      'options.symbols: expected symbols of the tape (AAPL, MSFT, JPM), got "TSLA"',
    );
    // --symbol-column names another column
    const byVenue = await readTrades(at('aliases.csv'), { symbolColumn: 'VENUE' });
    expect(byVenue.symbols!.values).toEqual(['XNAS, Nasdaq', 'XNYS, NYSE', 'x']);
  });

  it('a Parquet or Arrow ts column of plain numbers is read in --ts-unit, else the unit its magnitude shows', async () => {
    const ns = Float64Array.of(1795098629286123000, 1795098629287456000);
    const plain: Table = {
      rows: 2,
      names: ['ts', 'price', 'size'],
      columns: { ts: ns, price: Float64Array.of(1, 2), size: Float64Array.of(3, 4) },
      types: { ts: 'number', price: 'number', size: 'number' },
    };
    for (const ext of ['parquet', 'arrow']) {
      await writeTable(at(`ns.${ext}`), plain);
      const detected = await readTrades(at(`ns.${ext}`));
      expect(Array.from(detected.trades.ts)).toEqual([ns[0] / 1e6, ns[1] / 1e6]);
      expect(detected.info.timeUnits.ts).toEqual({ unit: 'ns', detected: true });
      const given = await readTrades(at(`ns.${ext}`), { tsUnit: 'us' });
      expect(Array.from(given.trades.ts)).toEqual([ns[0] / 1e3, ns[1] / 1e3]);
      expect(given.info.timeUnits.ts).toEqual({ unit: 'us', detected: false });
    }
  });

  it('a missing price in a Parquet or Arrow file names its row; a file without one reads', async () => {
    const table: Table = {
      rows: 3,
      names: ['ts', 'price', 'size', 'venue'],
      columns: {
        ts: Float64Array.of(1.7e12, 1.7e12 + 1, 1.7e12 + 2),
        price: Float64Array.of(1, Number.NaN, 3),
        size: Float64Array.of(3, 4, 5),
        venue: { codes: Int32Array.of(0, -1, 0), values: ['X'] },
      },
      types: { ts: 'time', price: 'number', size: 'number', venue: 'text' },
    };
    for (const ext of ['parquet', 'arrow']) {
      await writeTable(at(`missing.${ext}`), table);
      await expect(readTrades(at(`missing.${ext}`))).rejects.toThrow(
        new KernelInputError(`${at(`missing.${ext}`)}: row 2`, 'a value in column price', 'a missing value'),
      );
      await writeTable(at(`whole.${ext}`), { ...table, columns: { ...table.columns, price: Float64Array.of(1, 2, 3) } });
      const read = await readTrades(at(`whole.${ext}`));
      expect(Array.from(read.trades.price)).toEqual([1, 2, 3]);
      expect(read.info.columns).toEqual({ ts: 'ts', price: 'price', volume: 'size' });
    }
  });

  it('a header without a trade column, or with bid but no ask: KernelInputError naming the file and listing the header', async () => {
    writeFileSync(at('noprice.csv'), 'ts,qty,side\n1,2,B\n');
    writeFileSync(at('bidonly.csv'), 'ts,price,size,bid\n1,2,3,1.9\n');
    writeFileSync(at('empty.csv'), '');
    await expect(readTrades(at('noprice.csv'))).rejects.toThrow(
      `${at('noprice.csv')}: expected a header with a price column (price, px), got "ts,qty,side"`,
    );
    await expect(readTrades(at('bidonly.csv'))).rejects.toThrow(
      `${at('bidonly.csv')}: expected a header with both bid and ask columns, or neither, got "ts,price,size,bid"`,
    );
    await expect(readTrades(at('empty.csv'))).rejects.toThrow(
      `${at('empty.csv')}: expected a CSV file with a header row, got an empty file`,
    );
    await expect(readTrades(at('noprice.csv'), { symbolColumn: 'sym' })).rejects.toBeInstanceOf(KernelInputError);
  });
});

describe('readReturns', () => {
  it('wide: a date column and one column per asset; rows sorted by date, missing NaN', async () => {
    writeFileSync(at('wide.csv'), 'date,EQUITY,BONDS\n2025-01-03,0.01,\n2025-01-02,-0.02,0.005\n2025-01-06,0.03,-0.001\n');
    const r = await readReturns(at('wide.csv'));
    expect(r.assets).toEqual(['EQUITY', 'BONDS']);
    expect(Array.from(r.dates)).toEqual(['2025-01-02', '2025-01-03', '2025-01-06'].map((d) => Date.parse(d)));
    expect(Array.from(r.returns.data)).toEqual([-0.02, 0.005, 0.01, Number.NaN, 0.03, -0.001]);
    expect([r.returns.rows, r.returns.cols, r.info.layout]).toEqual([3, 2, 'wide']);
    // labelled: the assets and dates travel with the matrix into the kernels
    expect([r.returns.columns, r.returns.index]).toEqual([r.assets, r.dates]);
    expect(kernels({ backend: 'reference' }).performanceStats(r.returns).sharpe.index).toBe(r.returns.columns);
    // without a date column: names only
    writeFileSync(at('nodate.csv'), 'EQUITY,BONDS\n0.01,0.02\n');
    const undated = await readReturns(at('nodate.csv'));
    expect([undated.returns.columns, undated.returns.index]).toEqual([['EQUITY', 'BONDS'], undefined]);
  });

  it('long: date, symbol, return pivoted (dates ascending, assets by first appearance, absent cells NaN); two rows for one cell refused', async () => {
    writeFileSync(
      at('long.csv'),
      'date,symbol,return\n2025-01-02,A,0.01\n2025-01-02,B,0.02\n2025-01-01,B,-0.01\n2025-01-03,A,0.03\n2025-01-03,C,0.5\n',
    );
    const r = await readReturns(at('long.csv'));
    expect(r.info.layout).toBe('long');
    expect(r.assets).toEqual(['A', 'B', 'C']);
    expect(Array.from(r.dates)).toEqual(['2025-01-01', '2025-01-02', '2025-01-03'].map((d) => Date.parse(d)));
    const N = Number.NaN;
    expect(Array.from(r.returns.data)).toEqual([N, -0.01, N, 0.01, 0.02, N, 0.03, N, 0.5]);
    // the same pivot from Parquet and Arrow
    const table = await readTable(at('long.csv'));
    for (const ext of ['parquet', 'arrow']) {
      await writeTable(at(`long.${ext}`), table);
      const other = await readReturns(at(`long.${ext}`));
      expect([other.assets, Array.from(other.returns.data)]).toEqual([r.assets, Array.from(r.returns.data)]);
    }
    writeFileSync(at('twice.csv'), 'date,asset,ret\n2025-01-02,A,0.01\n2025-01-02,A,0.02\n');
    await expect(readReturns(at('twice.csv'))).rejects.toThrow(
      `${at('twice.csv')}: row 2: expected one row per date and asset, got a second row for A at 2025-01-02`,
    );
    await expect(readReturns(at('wide.csv'), { layout: 'long' })).rejects.toThrow(/expected a long header with date/);
  });
});

describe('kernelbus/io', () => {
  it('loads no Parquet or Arrow code until used: neither module is in the static import closure of src/io/index.ts', () => {
    const src = join(import.meta.dirname, '..', '..', 'src');
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const s of specifiersOf(readFileSync(file, 'utf8'))) {
        if (s.startsWith('.')) visit(join(file, '..', s.replace(/\.js$/, '.ts')));
        else expect(s, `${file} imports ${s}`).not.toMatch(/apache-arrow|parquet-wasm/);
      }
    };
    visit(join(src, 'io', 'index.ts'));
    const names = [...seen].map((f) => f.slice(src.length + 1));
    expect(names).toContain('io/csv.ts');
    expect(names).toContain('io/trades.ts');
    expect(names.filter((n) => /io\/(arrow|parquet)\.ts$/.test(n))).toEqual([]);
  });

  it("docs/io.md's example: readTableChunks into vpinStream gives vpin() of the whole file", async () => {
    const path = join(import.meta.dirname, '..', '..', 'examples', 'trades.csv');
    const k = kernels({ backend: 'reference' });
    const options = { bucketVolume: 5000, window: 10, sigma: { ewma: 0.94 } };
    const stream = k.vpinStream(options);
    const parts: Float64Array[] = [];
    let chunks = 0;
    for await (const t of readTableChunks(path, { columns: ['ts', 'price', 'volume'], chunkRows: 4000 })) {
      chunks++;
      const c = t.columns as Record<string, Float64Array>;
      parts.push(Float64Array.from(stream.update({ ts: c.ts, price: c.price, volume: c.volume }).vpin));
    }
    parts.push(Float64Array.from(stream.flush().vpin));
    expect(chunks).toBe(4);
    const { trades } = await readTrades(path);
    const whole = k.vpin(trades, options).vpin;
    expect(whole.length).toBeGreaterThan(100);
    expect(Float64Array.from(parts.flatMap((p) => Array.from(p)))).toEqual(whole);
  });
});

describe('tableOf and writeTable of records (a kernel result through toRecords)', () => {
  it('numbers, text and dates round-trip through CSV; a missing key is NaN or missing text', async () => {
    const ref = kernels({ backend: 'reference' });
    const returns = {
      data: Float64Array.of(0.01, -0.02, 0.03, 0.01),
      rows: 2,
      cols: 2,
      columns: ['A', 'B'],
      index: Float64Array.of(Date.UTC(2025, 0, 2), Date.UTC(2025, 0, 3)),
    };
    const records = toRecords(ref.performanceStats(returns));
    await writeTable(at('stats.csv'), records);
    const back = await readTable(at('stats.csv'));
    expect(back.names.slice(0, 3)).toEqual(['name', 'annualReturn', 'annualVolatility']);
    expect(back.rows).toBe(2);
    expect((back.columns.sharpe as Float64Array)[1]).toBe(records[1].sharpe);
    const table = tableOf([
      { date: 1, name: 'x', v: 2 },
      { date: 2, v: 3 },
    ]);
    expect(table.types).toEqual({ date: 'time', name: 'text', v: 'number' });
    expect((table.columns.name as TextColumn).codes).toEqual(Int32Array.of(0, -1));
    expect(() => tableOf([{ v: true as never }])).toThrow(/records\[0\]\.v: expected a number or a string/);
  });
});
