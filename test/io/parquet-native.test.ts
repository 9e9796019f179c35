/**
 * The native Parquet reader (src/io/parquet-native.ts over native/io/parquet*.cpp) against the formulas
 * that made its fixtures (test/fixtures/parquet/make.py, pyarrow): every value of every column, for each
 * codec x encoding x page version x optional/required; the reasons it gives for what it does not
 * decode; and corrupt files (truncated, flipped bytes) -> KernelInputError, never a crash.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { KernelInputError } from '../../src/errors.js';
import {
  decodeParquetNative,
  openParquetFileNative,
  type OpenedParquet,
  type ParquetUnsupported,
  readParquetNative,
} from '../../src/io/parquet-native.js';
import { isText, type Table, type TextColumn } from '../../src/io/types.js';
import { inCI } from '../helpers/backends.js';

const loaded = loadNative();
const suite = loaded.binding || inCI ? describe : describe.skip;
const dir = join(import.meta.dirname, '..', 'fixtures', 'parquet');
const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));

const BASE = 1.7e12;
const DAY = 86_400_000;
/** Row i of each column, as make.py wrote it (null: undefined). */
const FORMULAS: Record<string, (i: number) => number | string> = {
  price: (i) => 100 + (i % 97) * 0.01,
  f32: (i) => (i % 64) * 0.25,
  volume: (i) => (i % 50) + 1,
  qty: (i) => (i % 1000) - 500,
  big: (i) => 2 ** 40 + i * 1000003,
  u32: (i) => 3000000000 + i,
  flag: (i) => (i % 3 === 0 ? 1 : 0),
  day: (i) => (19000 + (i % 400)) * DAY,
  ts_ms: (i) => BASE + i * 137,
  ts_us: (i) => BASE + i * 137 + (i % 1000) / 1000,
  ts_ns: (i) => BASE + i * 137 + ((i % 1000) * 1000 + 7) / 1e6,
  symbol: (i) => `S${i % 8}`,
  name: (i) => `N${Math.floor(i / 7) % 11}`,
};
const TIMES = new Set(['day', 'ts_ms', 'ts_us', 'ts_ns']);
const TEXTS = new Set(['symbol', 'name']);

function table(result: Table | ParquetUnsupported): Table {
  if ('unsupported' in result) throw new Error(`unsupported: ${result.unsupported}`);
  return result;
}

/** Checks column `name` of `t` row by row against its formula; null where `isNull(i)`. */
function checkColumn(t: Table, name: string, formula: (i: number) => number | string, isNull: (i: number) => boolean): void {
  const column = t.columns[name];
  expect(column, name).toBeDefined();
  if (TEXTS.has(name) || (column && isText(column))) {
    const text = column as TextColumn;
    expect(text.codes).toBeInstanceOf(Int32Array);
    const firstSeen: string[] = [];
    for (let i = 0; i < t.rows; i++) {
      const want = isNull(i) ? undefined : (formula(i) as string);
      const code = text.codes[i] as number;
      if (want === undefined) {
        if (code !== -1) expect.fail(`${name}[${i}]: code ${code}, want -1 (null)`);
      } else {
        if (text.values[code] !== want) expect.fail(`${name}[${i}]: ${text.values[code]}, want ${want}`);
        if (!firstSeen.includes(want)) firstSeen.push(want);
      }
    }
    expect(text.values, `${name}: values in order of first appearance`).toEqual(firstSeen);
    return;
  }
  expect(column).toBeInstanceOf(Float64Array);
  const numbers = column as Float64Array;
  expect(numbers.length).toBe(t.rows);
  for (let i = 0; i < t.rows; i++) {
    const want = isNull(i) ? Number.NaN : (formula(i) as number);
    if (!Object.is(numbers[i], want)) expect.fail(`${name}[${i}]: ${numbers[i]}, want ${want}`);
  }
}

// name: rows, optional (make.py's FILES)
const FILES: [string, number, boolean][] = [
  ['plain-none-v1-req.parquet', 200, false],
  ['plain-zstd-v2-opt.parquet', 600, true],
  ['plain-snappy-v1-opt.parquet', 600, true],
  ['dict-none-v2-opt.parquet', 200, true],
  ['dict-snappy-v1-req.parquet', 600, false],
  ['dict-zstd-v1-opt.parquet', 600, true],
  ['dict-zstd-v2-req.parquet', 600, false],
  ['delta-zstd-v1-opt.parquet', 600, true],
  ['delta-snappy-v2-req.parquet', 600, false],
  ['delta-none-v1-req.parquet', 200, false],
  ['plain-lz4-v2-opt.parquet', 600, true],
];

suite('readParquetNative', () => {
  it.each(FILES)('%s: every value of every column against its formula', (name, rows, optional) => {
    const t = table(readParquetNative(file(name), { source: name }));
    expect(t.rows).toBe(rows);
    expect(t.names).toEqual(Object.keys(FORMULAS));
    for (const [column, formula] of Object.entries(FORMULAS)) {
      expect(t.types[column]).toBe(TIMES.has(column) ? 'time' : TEXTS.has(column) ? 'text' : 'number');
      checkColumn(t, column, formula, (i) => optional && i % 5 === 2);
    }
    expect(t.info).toMatchObject({ source: name, format: 'parquet', skippedRows: 0 });
    expect(t.info?.timeUnits).toEqual({
      ts_ms: { unit: 'ms', detected: false },
      ts_us: { unit: 'us', detected: false },
      ts_ns: { unit: 'ns', detected: false },
    });
  });

  it('reads a file by its path as it reads its bytes, on the thread pool', async () => {
    const path = join(dir, 'dict-fallback.parquet');
    const opened = openParquetFileNative(path) as OpenedParquet;
    const pending = decodeParquetNative(opened, {}, true);
    expect(pending).toBeInstanceOf(Promise);
    const t = table(await pending);
    expect(t.columns).toEqual(table(readParquetNative(file('dict-fallback.parquet'))).columns);
    expect(t.info?.source).toBe(path);
    expect(() => openParquetFileNative(join(dir, 'missing.parquet'))).toThrow(
      /missing\.parquet: expected a readable file, got ENOENT: no such file or directory/,
    );
  });

  it('reads the chosen columns in the order given (a name matched ignoring case)', () => {
    const t = table(readParquetNative(file('dict-zstd-v1-opt.parquet'), { columns: ['SYMBOL', 'ts_ns', 'price'] }));
    expect(t.names).toEqual(['symbol', 'ts_ns', 'price']);
    expect(Object.keys(t.columns).sort()).toEqual(['price', 'symbol', 'ts_ns']);
    for (const name of t.names) checkColumn(t, name, FORMULAS[name] as (i: number) => number, (i) => i % 5 === 2);
  });

  it('gives the same table on one thread as on several', () => {
    const binding = loaded.binding as NonNullable<typeof loaded.binding>;
    const bytes = file('dict-fallback.parquet');
    const many = table(readParquetNative(bytes));
    binding.setThreads(1);
    try {
      const one = table(readParquetNative(bytes));
      expect(one.columns).toEqual(many.columns);
    } finally {
      binding.setThreads(0);
    }
  });

  it('merges row groups whose dictionaries start elsewhere, and dictionary pages that fall back to PLAIN', () => {
    // name: row group 1 starts at N2 (its dictionary's first value); word: 1500 values overflow the dictionary
    const t = table(readParquetNative(file('dict-fallback.parquet')));
    expect(t.rows).toBe(3000);
    checkColumn(
      t,
      'word',
      (i) => `W${(i * 7919) % 1500}`,
      (i) => i % 11 === 3,
    );
    expect((t.columns.word as TextColumn).values.length).toBe(1500);
  });

  it('reads text in the delta encodings (DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY)', () => {
    const t = table(readParquetNative(file('delta-text.parquet')));
    expect(t.rows).toBe(600);
    for (const name of ['price', 'symbol', 'name']) checkColumn(t, name, FORMULAS[name] as (i: number) => string, (i) => i % 5 === 2);
  });

  it('reads legacy INT96 timestamps as epoch ms times', () => {
    const t = table(readParquetNative(file('int96.parquet')));
    expect(t.names).toEqual(['price', 'ts_ms', 'ts_us', 'ts_ns']);
    for (const name of t.names) {
      if (name !== 'price') expect(t.types[name]).toBe('time');
      checkColumn(t, name, FORMULAS[name] as (i: number) => number, (i) => i % 5 === 2);
    }
  });

  it('reads a file without rows', () => {
    const t = table(readParquetNative(file('empty.parquet')));
    expect(t.rows).toBe(0);
    expect(t.names).toEqual(Object.keys(FORMULAS));
    expect(t.columns.price).toEqual(new Float64Array(0));
    expect(t.columns.symbol).toEqual({ codes: new Int32Array(0), values: [] });
  });

  it('names what it does not decode, so that the caller falls back', () => {
    expect(readParquetNative(file('nested.parquet'))).toEqual({
      unsupported: 'a nested schema (the root has 1 children of 3 schema elements)',
    });
    expect(readParquetNative(file('decimal.parquet'))).toEqual({ unsupported: 'column amount: DECIMAL' });
    expect(readParquetNative(file('gzip.parquet'))).toEqual({ unsupported: 'column price: the GZIP codec' });
    expect(readParquetNative(file('time.parquet'))).toEqual({ unsupported: 'column at: TIME (time of day)' });
    // the columns it does decode read without the others
    const t = table(readParquetNative(file('decimal.parquet'), { columns: ['price'] }));
    checkColumn(t, 'price', FORMULAS.price as (i: number) => number, () => false);
    expect(table(readParquetNative(file('time.parquet'), { columns: ['price'] })).rows).toBe(100);
  });

  it('refuses bad arguments with KernelInputError', () => {
    const bytes = file('dict-zstd-v1-opt.parquet');
    expect(() => readParquetNative(bytes, { columns: ['nope'] })).toThrow(
      new KernelInputError(
        'options.columns',
        'names of columns in buffer (price, f32, volume, qty, big, u32, flag, day, ts_ms, ts_us, ts_ns, symbol, name)',
        '"nope"',
      ),
    );
    expect(() => readParquetNative(bytes, { columns: ['price', 'PRICE'] })).toThrow(
      'options.columns: expected each column once, got "price" twice',
    );
    expect(() => readParquetNative([1, 2, 3] as unknown as Uint8Array)).toThrow(
      'bytes: expected a Uint8Array (the Parquet file), got Array',
    );
  });

  it('the binding checks its arguments before it reads anything', () => {
    const b = loaded.binding as NonNullable<typeof loaded.binding>;
    const bytes = file('dict-zstd-v1-opt.parquet');
    const { footer } = b.parquetFooter(bytes);
    const other = bytes.slice();
    const one = new Int32Array(1);
    const decode = (columns: Int32Array, outs: (Float64Array | Int32Array)[], epochs = new Int32Array(columns.length)) =>
      b.parquetDecode(bytes, footer, columns, epochs, outs);
    const cases: [() => unknown, string][] = [
      [() => decode(new Int32Array([0]), [new Int32Array(600)]), 'outs[0]: expected a Float64Array, got Int32Array'],
      [() => decode(new Int32Array([11]), [new Float64Array(600)]), 'outs[0]: expected an Int32Array, got Float64Array'],
      [() => decode(new Int32Array([0]), [new Float64Array(5)]), 'outs[0]: expected length 600, got length 5'],
      [() => decode(new Int32Array([99]), [new Float64Array(600)]), 'columns[0]: expected a column index below 13, got 99'],
      [
        () => decode(new Int32Array([0, 0]), [new Float64Array(600), new Float64Array(600)]),
        'columns[1]: expected each column once, got a repeat',
      ],
      [() => decode(new Int32Array([0]), []), 'outs: expected one array per column (1), got 0'],
      [() => decode(new Int32Array([0]), [new Float64Array(600)], new Int32Array(2)), 'epochs: expected one unit per column (1), got 2'],
      [() => decode(new Int32Array([0]), [new Float64Array(600)], new Int32Array([6])), 'epochs[0]: expected a unit code in [0, 5], got 6'],
      [() => decode(new Int32Array([11]), [new Int32Array(600)], new Int32Array([1])), 'epochs[0]: expected 0 (a text column), got 1'],
      [() => b.parquetDecode(bytes, footer, [0] as unknown as Int32Array, one, []), 'columns: expected an Int32Array, got an Array'],
      [() => b.parquetDecode(bytes, {}, one, one, [new Float64Array(600)]), 'footer: expected the footer parquetFooter() returned, got'],
      [
        () => b.parquetDecode(other, footer, one, one, [new Float64Array(600)]),
        "footer: expected the footer of these bytes, got another array's",
      ],
      [
        () => b.parquetDecodeAsync(bytes, footer, one, new Int32Array(0), [new Float64Array(600)]),
        'epochs: expected one unit per column (1), got 0',
      ],
      [() => b.parquetFooter('x' as unknown as Uint8Array), 'bytes: expected a Uint8Array, got a string'],
      [() => b.parquetReadFile(5 as unknown as string, new Uint8Array(1)), 'path: expected a string, got 5'],
    ];
    for (const [call, message] of cases) {
      expect(call).toThrow(message);
      expect(call).toThrow(KernelInputError);
    }
  });

  it('says what is wrong with a corrupt file', () => {
    const bytes = file('dict-snappy-v1-req.parquet');
    const cases: [Uint8Array, string][] = [
      [bytes.subarray(0, 5), 'a file of 5 bytes (a Parquet file has at least 12)'],
      [bytes.subarray(0, bytes.length - 100), 'no PAR1 magic at the start and end of the file'],
    ];
    const longFooter = bytes.slice();
    new DataView(longFooter.buffer).setUint32(longFooter.length - 8, 0x7fffffff, true);
    cases.push([longFooter, `a footer of 2147483647 bytes in a file of ${bytes.length} bytes`]);
    // the first page header (price's dictionary page, at byte 4) scrambled
    const badPage = bytes.slice();
    badPage.fill(0xff, 4, 8);
    for (const [input, message] of cases) {
      expect(() => readParquetNative(input, { source: 'x.parquet' })).toThrow(
        new KernelInputError('x.parquet', 'a Parquet file', `a file the Parquet reader refused: ${message}`),
      );
    }
    expect(() => readParquetNative(badPage, { source: 'x.parquet' })).toThrow(
      new KernelInputError(
        'x.parquet',
        'a Parquet file',
        'a file the Parquet reader refused: row group 0, column price: the page header at byte 4 has an unknown field type 15',
      ),
    );
  });

  it('never crashes on truncated or bit-flipped files: a table, unsupported, or KernelInputError', () => {
    let seed = 12345;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const outcomes = { table: 0, unsupported: 0, error: 0 };
    const attempt = (bytes: Uint8Array) => {
      try {
        const r = readParquetNative(bytes);
        outcomes['unsupported' in r ? 'unsupported' : 'table']++;
      } catch (e) {
        if (!(e instanceof KernelInputError)) throw e;
        outcomes.error++;
      }
    };
    for (const name of ['dict-zstd-v1-opt.parquet', 'delta-snappy-v2-req.parquet', 'plain-none-v1-req.parquet', 'dict-fallback.parquet']) {
      const bytes = file(name);
      for (let cut = 0; cut < bytes.length; cut += 97) attempt(bytes.subarray(0, cut));
      for (let trial = 0; trial < 300; trial++) {
        const copy = bytes.slice();
        const flips = 1 + Math.floor(random() * 4);
        // half the trials hit the footer, where every byte matters
        const from = trial % 2 ? 0 : Math.max(0, copy.length - 600);
        for (let f = 0; f < flips; f++) copy[from + Math.floor(random() * (copy.length - from))] ^= 1 << Math.floor(random() * 8);
        attempt(copy);
      }
    }
    expect(outcomes.error).toBeGreaterThan(100);
    expect(outcomes.table).toBeGreaterThan(10);
  });
});
