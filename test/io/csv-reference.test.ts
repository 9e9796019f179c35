/**
 * The reference CSV reader against docs/io.md, rule by rule, on hand-written inputs: records and
 * lines, fields and quoting, the header, missing values, numbers (doubles round-trip), times in every
 * form and unit, inference, every fault's exact message, skipBadRows, gzip, streams and chunks.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { csvByte } from '../helpers/csv-bytes.js';
import { mulberry32 } from '../../src/math/mulberry32.js';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, KernelInputError } from '../../src/errors.js';
import { type CsvReadOptions, readCsv, readCsvChunks } from '../../src/io/csv.js';
import { nativeParseBlock } from '../../src/io/csv-native.js';
import { parseBlockReference, parseNumber } from '../../src/io/csv-reference.js';
import { Kind, type Table, type TextColumn } from '../../src/io/types.js';

const enc = new TextEncoder();
const dir = mkdtempSync(join(tmpdir(), 'kb-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads text with the reference backend, named t.csv in messages. */
const read = (text: string | Uint8Array, options: CsvReadOptions = {}): Promise<Table> =>
  readCsv(typeof text === 'string' ? enc.encode(text) : text, { backend: 'reference', name: 't.csv', ...options });

/** The message of the KernelInputError reading text throws. */
async function fault(text: string, options: CsvReadOptions = {}): Promise<string> {
  try {
    await read(text, options);
  } catch (err) {
    expect(err).toBeInstanceOf(KernelInputError);
    return (err as Error).message;
  }
  throw new Error('expected a KernelInputError');
}

const nums = (t: Table, name: string): number[] => Array.from(t.columns[name] as Float64Array);
const texts = (t: Table, name: string): (string | null)[] => {
  const c = t.columns[name] as TextColumn;
  return Array.from(c.codes, (k) => (k < 0 ? null : c.values[k]));
};

describe('records, lines and fields', () => {
  it('reads numbers and text, skipping blank lines (empty or only \\r)', async () => {
    const t = await read('a,b\n\n1,x\r\n\r\n2,y\n\n');
    expect(t.rows).toBe(2);
    expect(t.names).toEqual(['a', 'b']);
    expect(t.types).toEqual({ a: 'number', b: 'text' });
    expect(nums(t, 'a')).toEqual([1, 2]);
    expect(texts(t, 'b')).toEqual(['x', 'y']);
  });

  it('drops the \\r of CRLF and the \\r before the end of the input, keeps other \\r', async () => {
    const t = await read('a,b\r\n1,x\r\n2,y\r', { types: { b: 'text' } });
    expect(texts(t, 'b')).toEqual(['x', 'y']);
    const u = await read('a,b\n1,x\r\r\n2,y\rz\n');
    expect(texts(u, 'b')).toEqual(['x\r', 'y\rz']);
  });

  it('skips a UTF-8 BOM at the start, and keeps one inside a field', async () => {
    const t = await read('\ufeffname,v\n\ufeffx,1\n');
    expect(t.names).toEqual(['name', 'v']);
    expect(texts(t, 'name')).toEqual(['\ufeffx']);
  });

  it('reads quoted fields: delimiters, doubled quotes, line breaks, bytes after the closing quote', async () => {
    const t = await read('s,n\n"a,b",1\n"say ""hi""",2\n"two\nlines",3\n"a"b,4\n  "pad"  ,5\n"a " ,6\n"cr\r\nlf",7\n', {
      types: { s: 'text' },
    });
    expect(texts(t, 's')).toEqual(['a,b', 'say "hi"', 'two\nlines', 'ab', 'pad', 'a ', 'cr\r\nlf']);
    expect(nums(t, 'n')).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads a quote inside an unquoted field as a byte: `say "hi", then go` with ;', async () => {
    const t = await read('id;text\n1;say "hi", then go\n2;he said "no"\n', { delimiter: ';' });
    expect(texts(t, 'text')).toEqual(['say "hi", then go', 'he said "no"']);
  });

  it('trims spaces and tabs around unquoted fields (not a tab delimiter)', async () => {
    const t = await read('a,b\n  1 ,\t x y \t\n');
    expect(nums(t, 'a')).toEqual([1]);
    expect(texts(t, 'b')).toEqual(['x y']);
    const tsv = await read('a\tb\n1\t x \n', { delimiter: '\t' });
    expect(texts(tsv, 'b')).toEqual(['x']);
  });

  it('reads a last record without a line break, and an empty last field', async () => {
    const t = await read('a,b,c\n1,x,');
    expect(nums(t, 'a')).toEqual([1]);
    expect(texts(t, 'b')).toEqual(['x']);
    expect(nums(t, 'c')).toEqual([Number.NaN]);
  });

  it('reads text as UTF-8, invalid bytes as U+FFFD; dictionaries in order of first appearance', async () => {
    const bytes = new Uint8Array([...enc.encode('s\nb\né€\na\n'), 0xff, 0x41, 0x0a, ...enc.encode('b\n')]);
    const t = await read(bytes);
    const c = t.columns.s as TextColumn;
    expect(c.values).toEqual(['b', 'é€', 'a', '\ufffdA']);
    expect(Array.from(c.codes)).toEqual([0, 1, 2, 3, 0]);
  });

  it('reads input with no record as an empty table, and a header alone as no rows', async () => {
    expect(await read('')).toMatchObject({ rows: 0, names: [] });
    expect(await read('\n\r\n')).toMatchObject({ rows: 0, names: [] });
    const t = await read('a,b\n');
    expect(t.rows).toBe(0);
    expect(t.names).toEqual(['a', 'b']);
  });
});

describe('the header', () => {
  it('names empty header fields column_<i>, quoted names are their text', async () => {
    const t = await read('"x,y",,z\n1,2,3\n');
    expect(t.names).toEqual(['x,y', 'column_2', 'z']);
  });

  it('refuses two names equal ignoring case, naming the file and line', async () => {
    expect(await fault('\n\nPrice,ts,price\n1,2,3\n')).toBe(
      't.csv:3: expected column names that differ ignoring case, got "Price" (column 1) and "price" (column 3)',
    );
  });

  it('selects columns by name ignoring case, in file order; unknown names list the header', async () => {
    const t = await read('a,B,c\n1,2,3\n', { columns: ['C', 'b'] });
    expect(t.names).toEqual(['B', 'c']);
    expect(nums(t, 'c')).toEqual([3]);
    expect(await fault('a,B,c\n1,2,3\n', { columns: ['d'] })).toBe('options.columns: expected a column of the header (a, B, c), got "d"');
  });
});

describe('missing values', () => {
  it('are NaN in number and time columns: empty, NA, N/A, NaN, null, None in any case', async () => {
    const t = await read('ts,x\n,\nNA,na\nn/a,N/A\nnan,NAN\nnull,NULL\nNone,none\n"NA",  \n');
    expect(nums(t, 'x').every(Number.isNaN)).toBe(true);
    expect(nums(t, 'ts').every(Number.isNaN)).toBe(true);
    expect(t.rows).toBe(7);
  });

  it('in a text column only the unquoted empty field is missing', async () => {
    const t = await read('s,n\n,1\n"",2\nNA,3\nnull,4\n', { types: { s: 'text' } });
    expect(texts(t, 's')).toEqual([null, '', 'NA', 'null']);
  });

  it('a quoted empty field is not a missing number', async () => {
    expect(await fault('n\n1\n""\n', { types: { n: 'number' } })).toBe('t.csv:3:1: expected a number in column n, got "\\"\\""');
  });
});

describe('numbers', () => {
  it('reads every form of the grammar', async () => {
    const forms = ['1', '-2', '+3', '1.', '.5', '-.25', '1.5e3', '2E-2', '1.e2', '007', 'inf', '-Infinity', '+INF', '-0'];
    const t = await read(`x\n${forms.join('\n')}\n`);
    const want = [1, -2, 3, 1, 0.5, -0.25, 1500, 0.02, 100, 7, Infinity, -Infinity, Infinity, -0];
    expect(nums(t, 'x')).toEqual(want);
    expect(Object.is(nums(t, 'x')[13], -0)).toBe(true);
  });

  it('refuses hexadecimal, separators, decimal commas and trailing text', async () => {
    for (const bad of ['0x10', '1_000', '1e', '.', '1.2.3', '12abc', 'e5', '--1', '1 2', 'infinit']) {
      expect(await fault(`x\n${bad}\n`, { types: { x: 'number' } })).toBe(
        `t.csv:2:1: expected a number in column x, got ${JSON.stringify(bad)}`,
      );
    }
    expect(await fault('x;y\n1;1,5\n', { delimiter: ';', types: { y: 'number' } })).toBe(
      't.csv:2:3: expected a number in column y, got "1,5"',
    );
  });

  it('reads back every double that Number.prototype.toString writes, to the bit', async () => {
    const uniform = mulberry32(37);
    const rng = () => uniform() * 2 ** 32; // the generator's uint32 (its [0, 1) value times 2^32 is exact)
    const bits = new BigUint64Array(4000);
    const f = new Float64Array(bits.buffer);
    for (let i = 0; i < bits.length; i++) {
      do bits[i] = (BigInt(rng() >>> 0) << 32n) | BigInt(rng() >>> 0);
      while (!Number.isFinite(f[i]));
    }
    f.set([5e-324, -5e-324, 1.7976931348623157e308, 2.2250738585072014e-308, 0.1, 1 / 3, 2 ** 53 + 2, 123456789012345680000], 0);
    const t = await read(`x\n${Array.from(f, (x) => x.toString()).join('\n')}\n`);
    const got = new BigUint64Array((t.columns.x as Float64Array).slice().buffer);
    expect(got).toEqual(bits);
  });
});

describe('numbers: the parser equals Number() of the text, to the bit', () => {
  it('on random decimals of every notation (the exact fast path and the rest)', () => {
    const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
    const arb = fc
      .tuple(fc.constantFrom('', '+', '-'), digits(0, 20), fc.boolean(), digits(0, 20), fc.option(fc.integer({ min: -330, max: 330 })))
      .filter(([, i, dot, f]) => i.length + (dot ? f.length : 0) > 0 && (dot || f === ''))
      .map(([sign, i, dot, f, e]) => `${sign}${i}${dot ? `.${f}` : ''}${e === null ? '' : `e${e}`}`);
    fc.assert(
      fc.property(arb, (text) => {
        const got = parseNumber(enc.encode(text), 0, text.length) as number;
        expect(Object.is(got, Number(text)) || (Number.isNaN(got) && Number.isNaN(Number(text)))).toBe(true);
      }),
      { numRuns: 20000, seed: 7 },
    );
  });
});

describe('times', () => {
  const ms = (iso: string): number => Date.parse(iso);
  it('reads ISO 8601 dates, times, fractions and offsets', async () => {
    const cases: [string, number][] = [
      ['2024-01-02', ms('2024-01-02T00:00:00Z')],
      ['2024-01-02T03:04', ms('2024-01-02T03:04:00Z')],
      ['2024-01-02t03:04:05', ms('2024-01-02T03:04:05Z')],
      ['2024-01-02 03:04:05.5', ms('2024-01-02T03:04:05.500Z')],
      ['2024-01-02T03:04:05,25Z', ms('2024-01-02T03:04:05.250Z')],
      ['2024-01-02T03:04:05.123z', ms('2024-01-02T03:04:05.123Z')],
      ['2024-01-02T03:04:05.123456', ms('2024-01-02T03:04:05.123Z') + 456 / 1000],
      ['2024-01-02T03:04:05.123456789+02', ms('2024-01-02T01:04:05.123Z') + 456789 / 1e6],
      ['2024-01-02T03:04:05.1234567891234-0530', ms('2024-01-02T08:34:05.123Z') + 456789 / 1e6],
      ['2024-01-02T03:04+05:30', ms('2024-01-01T21:34:00Z')],
      ['2024-02-29T23:59:59Z', ms('2024-02-29T23:59:59Z')],
      ['1969-12-31T23:59:59.9999', -1 + 0.9],
      ['1970-01-01T00:00:00.123456789', 123 + 456789 / 1e6],
      ['1970-01-01T00:00:00.1234567891', 123 + 456789 / 1e6],
      ['1970-01-01T00:00:00.00000001', 1 / 1e5],
      ['1970-01-01T00:00:00.0000000001', 0],
      ['1970-01-01T00:00:00.000000001Z', 0 + 1 / 1e6],
      ['0001-01-01', -62135596800000],
    ];
    const t = await read(`when\n${cases.map((c) => c[0]).join('\n')}\n`, { delimiter: ';' });
    expect(t.types.when).toBe('time');
    expect(nums(t, 'when')).toEqual(cases.map((c) => c[1]));
  });

  it('refuses out-of-range fields and other forms as badTime', async () => {
    const bad = [
      '2024-13-01',
      '2023-02-29',
      '2024-04-31',
      '2024-01-02T24:00',
      '2024-01-02T23:60',
      '2024-01-02T23:59:60',
      '2024-01-02T01:00+24',
      '2024-01-02T01:00+01:60',
      '2024-01-02Z',
      '2024-1-02',
      '2024-01-02T01',
      '2024-01-02T01:00:00.',
      'yesterday',
      '2024/01/02',
    ];
    for (const b of bad) {
      expect(await fault(`ts\n${b}\n`)).toBe(`t.csv:2:1: expected a time in column ts (epoch ms or ISO 8601), got ${JSON.stringify(b)}`);
    }
  });

  it('reads numeric times in each unit: s x 1000, ms, us and ns split into high and low digits', async () => {
    const s = await read('ts\n1700000000\n1700000000.5\n', { tsUnit: 's' });
    expect(nums(s, 'ts')).toEqual([1700000000000, 1700000000500]);
    const m = await read('ts\n1700000000123.25\n', { tsUnit: 'ms' });
    expect(nums(m, 'ts')).toEqual([1700000000123.25]);
    const us = await read('ts\n1700000000123456\n-1700000000123456\n999\n12.5\n', { tsUnit: 'us' });
    expect(nums(us, 'ts')).toEqual([1700000000123 + 456 / 1000, -(1700000000123 + 456 / 1000), 0.999, 12.5 / 1000]);
    const ns = await read('ts\n1700000000123456789\n+1700000000123456789\n123456\n1.7e18\n', { tsUnit: 'ns' });
    expect(nums(ns, 'ts')).toEqual([1700000000123 + 456789 / 1e6, 1700000000123 + 456789 / 1e6, 123456 / 1e6, 1.7e18 / 1e6]);
    expect(ns.info?.timeUnits).toEqual({ ts: { unit: 'ns', detected: false } });
  });

  it('detects the unit from the first numeric field by magnitude, and says so', async () => {
    const cases: [string, string, number][] = [
      ['1700000000123456789', 'ns', 1700000000123 + 456789 / 1e6],
      ['1700000000123456', 'us', 1700000000123 + 456 / 1e3],
      ['1700000000123', 'ms', 1700000000123],
      ['1700000000', 's', 1700000000000],
      ['1234', 'ms', 1234],
    ];
    for (const [field, unit, value] of cases) {
      const t = await read(`time,x\n,1\n2024-01-02,2\n${field},3\n`);
      expect(t.info?.timeUnits).toEqual({ time: { unit, detected: true } });
      expect(nums(t, 'time')[2]).toBe(value);
    }
  });
});

describe('column types', () => {
  it('infers time by name, then number, ISO time, text from the sample', async () => {
    const t = await read('Timestamp,n,iso,s,e\n1,1,2024-01-02,a,\n2,NA,,1,\n');
    expect(t.types).toEqual({ Timestamp: 'time', n: 'number', iso: 'time', s: 'text', e: 'number' });
  });

  it('samples inferRows records; a later field that does not fit is an error naming line and column', async () => {
    const text = 'id,x\n1,1\n2,2\n3,abc\n';
    expect(await fault(text, { inferRows: 2 })).toBe('t.csv:4:3: expected a number in column x, got "abc"');
    expect((await read(text, { inferRows: 3 })).types.x).toBe('text');
  });

  it('takes types from the option, by name ignoring case', async () => {
    const t = await read('a,b\n1,2\n', { types: { A: 'text' } });
    expect(t.types).toEqual({ a: 'text', b: 'number' });
    expect(texts(t, 'a')).toEqual(['1']);
  });
});

describe('faults', () => {
  it('width: the record first line, column 1', async () => {
    expect(await fault('ts,price,volume\n1,2,3\n\n"a\nb",2,3,4\n')).toBe('t.csv:4:1: expected 3 fields (as the header), got 4');
    expect(await fault('a,b\n1\n')).toBe('t.csv:2:1: expected 2 fields (as the header), got 1');
  });

  it('notANumber and badTime point at the field (after a quoted line break: its own line)', async () => {
    expect(await fault('ts,s,price\n1,"x\ny",abc\n', { types: { s: 'text', price: 'number' } })).toBe(
      't.csv:3:4: expected a number in column price, got "abc"',
    );
    expect(await fault('ts,price\nyesterday,1\n')).toBe('t.csv:2:1: expected a time in column ts (epoch ms or ISO 8601), got "yesterday"');
  });

  it('quotes the field as written: spaces and quotes included, a dropped \\r not', async () => {
    expect(await fault('a,n\n1, "x"y \r\n', { types: { n: 'number' } })).toBe('t.csv:2:3: expected a number in column n, got " \\"x\\"y "');
    expect(await fault('a,n,b\n1,  ,2\n', { required: ['n'] })).toBe('t.csv:2:3: expected a value in column n, got an empty field');
  });

  it('quotes at most the first 64 bytes of the field', async () => {
    const long = 'x'.repeat(100);
    expect(await fault(`n\n${long}\n`, { types: { n: 'number' } })).toBe(
      `t.csv:2:1: expected a number in column n, got "${'x'.repeat(64)}"`,
    );
  });

  it('missing: an empty or NA field in a required column', async () => {
    expect(await fault('ts,price,volume\n1,2,\n', { required: ['volume'] })).toBe(
      't.csv:2:5: expected a value in column volume, got an empty field',
    );
    expect(await fault('ts,price,volume\n1,NA,3\n', { required: ['price'] })).toBe('t.csv:2:3: expected a value in column price, got "NA"');
    expect(await fault('s,n\n,1\n', { required: ['s'], types: { s: 'text' } })).toBe(
      't.csv:2:1: expected a value in column s, got an empty field',
    );
  });

  it('unclosedQuote: at the opening quote', async () => {
    expect(await fault('a,b\n1,2\n3,  "abc\n')).toBe('t.csv:3:5: expected a closing quote, got the end of the input');
    expect(await fault('"a,b\n')).toBe('t.csv:1:1: expected a closing quote, got the end of the input');
  });

  it('the first fault of a record: unclosed quote, then width, then fields left to right', async () => {
    expect(await fault('a,b\nx,y,z\n', { types: { a: 'number' } })).toBe('t.csv:2:1: expected 2 fields (as the header), got 3');
    expect(await fault('a,b\nx,y\n', { types: { a: 'number', b: 'number' } })).toBe('t.csv:2:1: expected a number in column a, got "x"');
  });

  it('skipBadRows skips and counts refused records, with the first message; their text enters no dictionary', async () => {
    const t = await read('n,s\n1,a\nx,b\n2\n3,c\n4,"d\n', { skipBadRows: true, types: { n: 'number', s: 'text' } });
    expect(nums(t, 'n')).toEqual([1, 3]);
    expect((t.columns.s as TextColumn).values).toEqual(['a', 'c']);
    expect(t.info?.skippedRows).toBe(3);
    expect(t.info?.firstSkipped).toBe('t.csv:3:1: expected a number in column n, got "x"');
  });

  it('refuses a bad delimiter and an unknown backend naming the option', async () => {
    expect(await fault('a\n1\n', { delimiter: '"' })).toBe(
      'options.delimiter: expected one ASCII byte other than \'"\', "\\r", "\\n" and " ", got "\\""',
    );
    expect(await fault('a\n1\n', { delimiter: ';;' })).toContain('options.delimiter: expected one ASCII byte');
    expect(await fault('a\n1\n', { backend: 'gpu' as 'auto' })).toBe(
      "options.backend: expected 'auto', 'native' or 'reference', got \"gpu\"",
    );
  });

  it("backend 'native' without the addon is BackendUnavailableError; 'auto' falls back", async () => {
    const native = nativeParseBlock();
    if (native.error) {
      await expect(read('a\n1\n', { backend: 'native' })).rejects.toBeInstanceOf(BackendUnavailableError);
    } else {
      expect(nums(await read('a\n1\n', { backend: 'native' }), 'a')).toEqual([1]);
    }
    expect(nums(await read('a\n1\n', { backend: 'auto' }), 'a')).toEqual([1]);
  });
});

describe('sources, blocks and chunks', () => {
  const text =
    'ts,sym,price\r\n1700000000000,AAPL,1.5\r\n\r\n1700000000001,"MS,FT",2.5\n1700000000002,AAPL,NA\n1700000000003,"q""x\ny",4\r\n';

  it('reads the same table whatever the block size (boundaries in quotes and CRLF pairs)', async () => {
    const whole = await read(text);
    for (let blockBytes = 1; blockBytes < 40; blockBytes++) {
      const t = await read(text, { blockBytes });
      expect(stripInfo(t)).toEqual(stripInfo(whole));
    }
  });

  it('reads bytes in a SharedArrayBuffer, at an offset', async () => {
    const bytes = enc.encode(`x${text}`);
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length + 8), 8);
    shared.set(bytes);
    const view = shared.subarray(1);
    for (const backend of ['reference', 'auto'] as const) {
      expect(stripInfo(await readCsv(view, { backend, blockBytes: 16 }))).toEqual(stripInfo(await read(text)));
      expect(stripInfo(await readCsv(view, { backend }))).toEqual(stripInfo(await read(text)));
    }
  });

  it('reads files: plain, .tsv (tab by default) and gzip by extension or magic bytes', async () => {
    const plain = join(dir, 'a.csv');
    writeFileSync(plain, text);
    const t = await readCsv(plain, { backend: 'reference', blockBytes: 7 });
    expect(t.info?.source).toBe(plain);
    expect(t.info?.bytes).toBe(enc.encode(text).length);
    expect(stripInfo(t)).toEqual(stripInfo(await read(text)));
    const tsv = join(dir, 'a.tsv');
    writeFileSync(tsv, 'a\tb\n1\t2\n');
    expect((await readCsv(tsv)).names).toEqual(['a', 'b']);
    const gz = join(dir, 'a.csv.gz');
    writeFileSync(gz, gzipSync(text));
    expect(stripInfo(await readCsv(gz, { backend: 'reference', blockBytes: 5 }))).toEqual(stripInfo(t));
    const hidden = join(dir, 'gzip-without-extension.csv');
    writeFileSync(hidden, gzipSync(text));
    expect(stripInfo(await readCsv(hidden, { backend: 'reference' }))).toEqual(stripInfo(t));
    expect(stripInfo(await read(gzipSync(text)))).toEqual(stripInfo(t));
  });

  it('names a missing file and bad gzip in a KernelInputError', async () => {
    await expect(readCsv(join(dir, 'none.csv'))).rejects.toThrow(/none\.csv: expected a readable file, got ENOENT/);
    const broken = join(dir, 'broken.csv.gz');
    writeFileSync(broken, gzipSync(text).subarray(0, 20));
    await expect(readCsv(broken)).rejects.toBeInstanceOf(KernelInputError);
    await expect(readCsv(broken)).rejects.toThrow(/broken\.csv\.gz: expected gzip data/);
  });

  it('names a directory and a failing stream in a KernelInputError', async () => {
    await expect(readCsv(dir)).rejects.toThrow(
      new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: expected a readable file, got EISDIR`),
    );
    const failing = new Readable({
      read() {
        this.push(Buffer.from('a,b\n1,2\n'));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(readCsv(failing, { name: 'feed' })).rejects.toThrow('feed: expected a readable stream, got connection reset');
  });

  it('reads a stdin-like Readable of odd chunks, plain or gzip', async () => {
    const bytes = enc.encode(text);
    const pieces = (b: Uint8Array) => Array.from({ length: Math.ceil(b.length / 3) }, (_, i) => Buffer.from(b.subarray(i * 3, i * 3 + 3)));
    const want = stripInfo(await read(text));
    const t = await readCsv(Readable.from(pieces(bytes)), { backend: 'reference' });
    expect(t.info?.source).toBe('stream');
    expect(stripInfo(t)).toEqual(want);
    expect(stripInfo(await readCsv(Readable.from(pieces(gzipSync(text))), { backend: 'reference', blockBytes: 4 }))).toEqual(want);
  });

  it("reads stdin for the path '-' (named stdin in messages)", () => {
    const script = [
      "const { readCsv } = await import('./src/io/csv.ts');",
      "const t = await readCsv('-', { backend: 'reference' });",
      'console.log(JSON.stringify({ rows: t.rows, a: Array.from(t.columns.a), b: t.columns.b.values, source: t.info.source }));',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      input: 'a,b\r\n1,x\r\n2,"y\nz"\r\n',
      encoding: 'utf8',
      cwd: join(import.meta.dirname, '../..'),
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ rows: 2, a: [1, 2], b: ['x', 'y\nz'], source: 'stdin' });
  });

  it('reads chunks equal to the whole, with one growing dictionary per text column', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => `${i},s${i % 7}${i % 3 === 0 ? ',"a,b"' : ',x'}`);
    const csv = `n,sym,t\n${rows.join('\n')}\n`;
    const whole = await read(csv);
    for (const [chunkRows, blockBytes] of [
      [1, 13],
      [37, 64],
      [100, undefined],
      [1000, 5],
    ] as const) {
      const chunks: Table[] = [];
      for await (const c of readCsvChunks(enc.encode(csv), { backend: 'reference', chunkRows, blockBytes })) chunks.push(c);
      expect(chunks.reduce((s, c) => s + c.rows, 0)).toBe(500);
      if (chunkRows < 500) expect(chunks.length).toBeGreaterThan(1);
      for (const c of chunks) expect(c.rows).toBeLessThanOrEqual(Math.ceil(chunkRows * 1.5) + 1);
      expect(concatNums(chunks, 'n')).toEqual(nums(whole, 'n'));
      expect(chunks.flatMap((c) => texts(c, 'sym'))).toEqual(texts(whole, 'sym'));
      const dict = (chunks[chunks.length - 1].columns.sym as TextColumn).values;
      expect(dict).toEqual((whole.columns.sym as TextColumn).values);
    }
  });

  it('reports progress with rows and bytes', async () => {
    const csv = `a\n${'1\n'.repeat(20000)}`;
    const seen: { rows: number; bytes: number; totalBytes?: number }[] = [];
    await read(csv, { blockBytes: 64, onProgress: (p) => seen.push(p) });
    expect(seen.every((p, i) => i === 0 || p.rows >= seen[i - 1].rows)).toBe(true);
    expect(seen[seen.length - 1]).toEqual({ rows: 20000, bytes: csv.length, totalBytes: csv.length });
  });

  it('reports progress at most every ~100 ms', async () => {
    const csv = `a,b\n${'1,"x"\n'.repeat(100_000)}`;
    const at: number[] = [];
    await read(csv, { blockBytes: 256, onProgress: () => at.push(performance.now()) });
    expect(at.length).toBeGreaterThan(0);
    const gaps = at.slice(1, -1).map((t, i) => t - at[i]); // the last call (at the end) may come sooner
    expect(gaps.every((g) => g >= 95)).toBe(true);
  });
});

describe('any bytes', () => {
  it('read to a table or a KernelInputError, never anything else', async () => {
    const byte = csvByte();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(byte, { maxLength: 200 }),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        fc.constantFrom(undefined, 's', 'ns'),
        async (noise, shaped, blockBytes, skipBadRows, tsUnit) => {
          for (const bytes of [noise, Uint8Array.from(shaped)]) {
            try {
              const t = await read(bytes, { blockBytes, skipBadRows, tsUnit: tsUnit as 's' | undefined });
              for (const name of t.names) {
                const c = t.columns[name];
                expect(c instanceof Float64Array ? c.length : c.codes.length).toBe(t.rows);
              }
            } catch (err) {
              expect(err).toBeInstanceOf(KernelInputError);
              expect((err as Error).message).toMatch(/^t\.csv:\d+(:\d+)?: expected /);
            }
          }
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });
});

describe('the block parser', () => {
  const plan = (over: Partial<Parameters<typeof parseBlockReference>[1]> = {}) => ({
    delimiter: 0x2c,
    kinds: new Uint8Array([Kind.number, Kind.text]),
    required: new Uint8Array(2),
    firstLine: 2,
    final: false,
    skipBadRows: false,
    rowOffset: 0,
    ...over,
  });

  it('consumes complete records only when not final, counting lines', () => {
    const out = [new Float64Array(4), new Int32Array(4)];
    const r = parseBlockReference(enc.encode('1,"a\nb"\n\n2,c\n3,"d'), plan(), out);
    expect(r).toMatchObject({ rows: 2, consumed: 13, lines: 4, badRows: 0 });
    expect(r.dictionaries).toEqual([undefined, ['a\nb', 'c']]);
    const cr = parseBlockReference(enc.encode('1,a\r'), plan(), out);
    expect(cr).toMatchObject({ rows: 0, consumed: 0, lines: 0 });
  });

  it('asks for rows when the block does not fit, writing nothing', () => {
    const out = [new Float64Array(3), new Int32Array(3)];
    out[0].fill(-7);
    const r = parseBlockReference(enc.encode('1,a\n2,b\n3,c\n'), plan({ rowOffset: 1 }), out);
    expect(r.needRows).toBe(3);
    expect(Array.from(out[0])).toEqual([-7, -7, -7]);
    const none = [new Float64Array(0), new Int32Array(0)];
    expect(parseBlockReference(enc.encode('1,a'), plan({ final: true }), none).needRows).toBe(1);
    expect(parseBlockReference(enc.encode('1,a'), plan(), none)).toMatchObject({ rows: 0, consumed: 0 });
  });
});

/** The table without its info (the time it took differs). */
function stripInfo(t: Table): Omit<Table, 'info'> {
  const { info: _, ...rest } = t;
  return rest;
}

function concatNums(chunks: Table[], name: string): number[] {
  return chunks.flatMap((c) => nums(c, name));
}
