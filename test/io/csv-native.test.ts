/**
 * The native CSV block parser (native/io/, src/io/csv-native.ts) on hand-written blocks: one test per
 * rule of docs/io.md "The CSV dialect" and "Errors" (the block parser's part: the BOM and the header
 * are the reader's), the BlockResult contract of src/io/types.ts (needRows, blocks that are not final,
 * skipBadRows, rowOffset), results independent of the thread count on blocks split into chunks, and
 * the binding's argument errors by message. The parity suite (test/io/csv-parity.test.ts) holds it to
 * the TypeScript reference on random files.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { KernelInputError } from '../../src/errors.js';
import { nativeParseBlock, packBlockParams } from '../../src/io/csv-native.js';
import { type BlockOut, type BlockPlan, type BlockResult, CsvFault, type ParseBlock, type ParseBlockAsync } from '../../src/io/types.js';
import { describeNativeCsv } from '../helpers/csv-native.js';

const KIND: Record<string, number> = { '-': 0, n: 1, t: 2, s: 3, m: 4, u: 5, N: 6 };
const encoder = new TextEncoder();

interface Options {
  /** A letter per column: '-' skip, n number, t text, s / m / u / N time in s / ms / us / ns. */
  kinds: string;
  /** '1' per required column. */
  required?: string;
  delimiter?: string;
  firstLine?: number;
  final?: boolean;
  skipBadRows?: boolean;
  rowOffset?: number;
  capacity?: number;
}

/** A filler no parse writes: rows outside the block's keep it. */
const UNTOUCHED = -12345;

function planOf(o: Options): BlockPlan {
  return {
    delimiter: (o.delimiter ?? ',').charCodeAt(0),
    kinds: Uint8Array.from(o.kinds, (c) => KIND[c] as number),
    required: Uint8Array.from(o.kinds, (_, i) => (o.required?.[i] === '1' ? 1 : 0)),
    firstLine: o.firstLine ?? 1,
    final: o.final ?? true,
    skipBadRows: o.skipBadRows ?? false,
    rowOffset: o.rowOffset ?? 0,
  };
}

function outFor(plan: BlockPlan, capacity: number): BlockOut {
  return Array.from(plan.kinds, (k) =>
    k === 0 ? null : k === 2 ? new Int32Array(capacity).fill(UNTOUCHED) : new Float64Array(capacity).fill(UNTOUCHED),
  );
}

/** Parses `text` by `o`; the rows written as plain values (text decoded, null for a missing one). */
function parseWith(parse: ParseBlock, text: string | Uint8Array, o: Options) {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text;
  const plan = planOf(o);
  const out = outFor(plan, o.capacity ?? 16);
  const result = parse(bytes, plan, out);
  const from = plan.rowOffset;
  const columns = out.map((a, c) => {
    if (a === null) return null;
    const rows = a.subarray(from, from + result.rows);
    if (a instanceof Float64Array) return Array.from(rows);
    const values = result.dictionaries[c] as string[];
    return Array.from(rows, (code) => (code < 0 ? null : values[code]));
  });
  return { result, columns, out };
}

/** The one column of a one-column block. */
const single = (parse: ParseBlock, text: string, kinds: string) =>
  parseWith(parse, text, { kinds, delimiter: '|', capacity: text.split('\n').length }).columns[0];

const bits = (x: number) => new BigUint64Array(Float64Array.of(x).buffer)[0];

describeNativeCsv('native CSV block parser', (parse, binding) => {
  // --- Records and lines ---
  it('reads records ended by \\n, CRLF, or the end of a final block', () => {
    const { result, columns } = parseWith(parse, '1,2\r\n3,4\n5,6', { kinds: 'nn' });
    expect(columns).toEqual([
      [1, 3, 5],
      [2, 4, 6],
    ]);
    expect(result).toEqual({ rows: 3, consumed: 12, lines: 2, badRows: 0, dictionaries: [undefined, undefined] });
  });

  it('drops a \\r before the end of the input, keeps one elsewhere', () => {
    expect(parseWith(parse, 'a,1\r', { kinds: 'tn' }).columns).toEqual([['a'], [1]]);
    expect(parseWith(parse, 'a\rb,1\n', { kinds: 'tn' }).columns).toEqual([['a\rb'], [1]]);
  });

  it('skips blank lines (empty or only \\r) but counts them', () => {
    const { result, columns } = parseWith(parse, '\n\r\n1\n\n\r\n2\r\n\n', { kinds: 'n' });
    expect(columns).toEqual([[1, 2]]);
    expect(result.lines).toBe(7);
    expect(result.consumed).toBe(12);
    // a line of spaces is not blank: one empty field
    expect(parseWith(parse, '1\n  \n2\n', { kinds: 'n' }).columns).toEqual([[1, Number.NaN, 2]]);
  });

  it('counts quoted line breaks as lines and reports faults on the line they are on', () => {
    const { result } = parseWith(parse, 'a,"x\ny\nz",1\nb,"q",zz\n', { kinds: 'ttn', firstLine: 10 });
    expect(result.rows).toBe(1);
    expect(result.fault).toEqual({ code: 2, line: 13, column: 7, field: 2, text: 'zz' });
    expect(result.lines).toBe(3);
    expect(result.consumed).toBe(12);
  });

  // --- Fields ---
  it('skips spaces and tabs at a field start and drops them at its end', () => {
    expect(parseWith(parse, ' \t1 \t, a b \t\n', { kinds: 'nt' }).columns).toEqual([[1], ['a b']]);
    // with a tab delimiter tabs are delimiters
    expect(parseWith(parse, ' 1\t\tx \n', { kinds: 'n-t', delimiter: '\t' }).columns).toEqual([[1], null, ['x']]);
  });

  it('reads quoted fields: delimiters and line breaks inside, "" as one quote', () => {
    const { columns } = parseWith(parse, '"a,b","say ""hi""","line\r\nbreak",""\n', { kinds: 'tttt' });
    expect(columns).toEqual([['a,b'], ['say "hi"'], ['line\r\nbreak'], ['']]);
  });

  it('appends bytes after the closing quote, less trailing spaces and tabs; keeps spaces inside quotes', () => {
    const { columns } = parseWith(parse, '"a"b,  "c"  ,"d"e f \t," x "\n', { kinds: 'tttt' });
    expect(columns).toEqual([['ab'], ['c'], ['de f'], [' x ']]);
  });

  it('reads a quote inside an unquoted field as an ordinary byte', () => {
    const { columns } = parseWith(parse, 'say "hi", then go;1\nab"c;2\n', { kinds: 'tn', delimiter: ';' });
    expect(columns).toEqual([
      ['say "hi", then go', 'ab"c'],
      [1, 2],
    ]);
  });

  // --- Missing values ---
  it('reads empty fields and NA, N/A, NaN, null, None (any case) as missing numbers and times', () => {
    const { columns, result } = parseWith(parse, ',\nNA,na\nn/a,N/A\nNaN,nan\nnull,NULL\nNone,none\n"NA","nan"\n', {
      kinds: 'nm',
      capacity: 8,
    });
    expect(result.fault).toBeUndefined();
    expect(columns).toEqual([Array(7).fill(Number.NaN), Array(7).fill(Number.NaN)]);
    // a quoted empty field is not missing, and not a time either
    expect(parseWith(parse, '1,""\n', { kinds: 'nm' }).result.fault).toEqual({ code: 3, line: 1, column: 3, field: 1, text: '""' });
  });

  it('refuses a quoted empty field in a number column', () => {
    const { result } = parseWith(parse, '1\n""\n', { kinds: 'n' });
    expect(result.fault).toEqual({ code: 2, line: 2, column: 1, field: 0, text: '""' });
  });

  it('reads only an unquoted empty field as missing text (code -1); "" is the empty string, NA is text', () => {
    const { columns, result, out } = parseWith(parse, ',x\n"",NA\nx,\n', { kinds: 'tt' });
    expect(columns).toEqual([
      [null, '', 'x'],
      ['x', 'NA', null],
    ]);
    expect(result.dictionaries).toEqual([
      ['', 'x'],
      ['x', 'NA'],
    ]);
    expect(Array.from((out[0] as Int32Array).subarray(0, 3))).toEqual([-1, 0, 1]);
  });

  it('refuses a missing value in a required column', () => {
    expect(parseWith(parse, '1,2\n3, \n', { kinds: 'nn', required: '01' }).result.fault).toEqual({
      code: 4,
      line: 2,
      column: 3,
      field: 1,
      text: ' ',
    });
    expect(parseWith(parse, 'a,NaN\n', { kinds: 'tm', required: '01' }).result.fault).toEqual({
      code: 4,
      line: 1,
      column: 3,
      field: 1,
      text: 'NaN',
    });
    expect(parseWith(parse, '1,\n', { kinds: 'nt', required: '01' }).result.fault).toEqual({
      code: 4,
      line: 1,
      column: 3,
      field: 1,
      text: '',
    });
    // a required text column takes "" and NA
    expect(parseWith(parse, '"",NA\n', { kinds: 'tt', required: '11' }).columns).toEqual([[''], ['NA']]);
  });

  // --- Numbers ---
  it('reads numbers to the double nearest the decimal, as Number() does', () => {
    const texts = [
      '0',
      '-0',
      '+1.5',
      '.5',
      '5.',
      '-.5e-3',
      '1E5',
      '1e+5',
      '00012',
      '101.37',
      '1e400',
      '-1e400',
      '1e-400',
      '4.9e-324',
      '2.2250738585072011e-308',
      '1.7976931348623157e308',
      '0.1',
      '9007199254740993',
      '123456789012345678901234567890',
    ];
    const got = single(parse, `${texts.join('\n')}\n`, 'n') as number[];
    expect(got.map(bits)).toEqual(texts.map((t) => bits(Number(t))));
    expect(Object.is(got[1], -0)).toBe(true);
  });

  it('reads decimals of 1 to 17 digits, the point at each place, signed or not, to the bits of Number() (eight digits at a time, 15 the most without fast_float)', () => {
    const texts: string[] = [];
    const digits = '98765432109876543';
    for (let n = 1; n <= 17; n++) {
      const d = digits.slice(0, n);
      for (let point = 0; point <= n; point++) texts.push(point === n ? d : `${d.slice(0, point)}.${d.slice(point)}`);
    }
    texts.push(
      '9007199254740991',
      '9007199254740993',
      '999999999999999',
      '999999999999999.9',
      '0.000000000000001',
      '0.0000000000000001',
      '00000000000000012.5',
      '123456789.',
      '12345678e1',
      '12345678.125e-2',
      '1234567.8E2',
    );
    // and negative (returns), -0 included
    texts.push(...texts.map((t) => `-${t}`), '-0', '-0.0');
    const got = single(parse, `${texts.join('\n')}\n`, 'n') as number[];
    expect(got.map(bits)).toEqual(texts.map((t) => bits(Number(t))));
    fc.assert(
      fc.property(fc.stringMatching(/^-?[0-9]{1,18}(\.[0-9]{0,18})?$/), (t) => {
        expect(bits((single(parse, `${t}\n`, 'n') as number[])[0])).toBe(bits(Number(t)));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('reads epoch integers of 1 to 19 digits in ms eight digits at a time; a non-digit among them is no time', () => {
    const texts = Array.from({ length: 19 }, (_, i) => '1234567890123456789'.slice(0, i + 1));
    const got = single(parse, `${texts.join('\n')}\n`, 'm') as number[];
    expect(got.map(bits)).toEqual(texts.map((t) => bits(Number(t))));
    for (const t of ['1234567x9', '12345678x', '1234567890123456x']) {
      expect(parseWith(parse, `${t}\n`, { kinds: 'm', delimiter: '|' }).result.fault?.code, t).toBe(CsvFault.badTime);
    }
  });

  it('reads back every double written by Number.prototype.toString and Python repr', () => {
    const values: number[] = [];
    let seed = 1;
    const next = () => (seed = (seed * 48271) % 2147483647);
    const raw = new Float64Array(1);
    const words = new Uint32Array(raw.buffer);
    while (values.length < 2000) {
      words[0] = next() * 2;
      words[1] = next() * 2;
      if (Number.isFinite(raw[0])) values.push(raw[0] as number);
    }
    values.push(0.1 + 0.2, 1 / 3, Number.MIN_VALUE, Number.MAX_VALUE, 2 ** -1074, 1e21, 1e-7);
    const python = ['1e-05', '1.7976931348623157e+308', '5e-324', '0.30000000000000004', '1e+16'];
    const got = single(parse, `${values.map(String).concat(python).join('\n')}\n`, 'n') as number[];
    expect(got.map(bits)).toEqual(values.concat(python.map(Number)).map(bits));
  });

  it('reads inf and infinity in any case, signed', () => {
    expect(single(parse, 'inf\n-INF\n+Infinity\n-infinity\n', 'n')).toEqual([Infinity, -Infinity, Infinity, -Infinity]);
  });

  it('refuses what is not a number: hexadecimal, separators, a decimal comma, trailing text', () => {
    for (const text of ['0x10', '1_000', '1 000', '1e', '.', '-', '+-1', '1.5.2', 'abc', 'infinit', '+nan', '12abc', 'Infinityy']) {
      const { result } = parseWith(parse, `1;${text}\n`, { kinds: 'nn', delimiter: ';' });
      expect(result.fault, text).toEqual({ code: 2, line: 1, column: 3, field: 1, text });
    }
    expect(parseWith(parse, '"1,5"\n', { kinds: 'n' }).result.fault?.text).toBe('"1,5"');
  });

  it('reads numbers right with a delimiter that numbers are written with', () => {
    expect(parseWith(parse, '1e2e3\n', { kinds: 'nnn', delimiter: 'e' }).columns).toEqual([[1], [2], [3]]);
    expect(parseWith(parse, '101.37\n', { kinds: 'nn', delimiter: '.' }).columns).toEqual([[101], [37]]);
  });

  // --- Times ---
  it('reads epoch numbers in s, ms, us and ns to epoch ms', () => {
    const { columns } = parseWith(parse, '1700000000,1700000000123,1700000000123456,1700000000123456789\n1.5,2.5,-1234567,+123\n', {
      kinds: 'smuN',
    });
    expect(columns).toEqual([
      [1700000000 * 1000, 1.5 * 1000],
      [1700000000123, 2.5],
      [1700000000123 + 456 / 1e3, -(1234 + 567 / 1e3)],
      [1700000000123 + 456789 / 1e6, 123 / 1e6],
    ]);
  });

  it('splits us and ns integers into high and low digits, and divides any other number', () => {
    const { columns } = parseWith(parse, '999,123456,1e3,1.5e9,-0000001,12345678901234567890123\n', { kinds: 'uNuNNN' });
    expect(columns.map((c) => (c as number[])[0])).toEqual([
      999 / 1e3,
      123456 / 1e6,
      1e3 / 1e3,
      1.5e9 / 1e6,
      -(0 + 1 / 1e6),
      Number('12345678901234567') + 890123 / 1e6,
    ]);
  });

  it('reads ISO 8601 dates and times, with T, t or a space, UTC or an offset', () => {
    const texts = [
      '2024-02-29',
      '2024-02-29T13:45',
      '2024-02-29t13:45:07',
      '2024-02-29 13:45:07.5',
      '2024-02-29T13:45:07,123Z',
      '2024-02-29T13:45:07.123456789z',
      '2024-02-29T13:45:07.1234567891234',
      '2024-02-29T13:45:07+05',
      '2024-02-29T13:45:07-0530',
      '2024-02-29T13:45:07.25+05:30',
      '1969-12-31T23:59:59.9995',
      '0000-01-01',
      '9999-12-31T23:59:59.999999',
    ];
    const at = Date.UTC(2024, 1, 29, 13, 45, 7);
    const year0 = Date.UTC(2000, 0, 1) - 730485 * 86400000;
    const got = single(parse, `${texts.join('\n')}\n`, 'm');
    expect(got).toEqual([
      Date.UTC(2024, 1, 29),
      Date.UTC(2024, 1, 29, 13, 45),
      at,
      at + 500,
      at + 123,
      at + 123 + 456789 / 1e6,
      at + 123 + 456789 / 1e6,
      at - 5 * 3600000,
      at + 5.5 * 3600000,
      at + 250 - 5.5 * 3600000,
      -1 + 5 / 10,
      year0,
      Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 999 / 1e3,
    ]);
    // ISO is read whatever the column's unit
    expect(single(parse, '2024-02-29\n', 'N')).toEqual([Date.UTC(2024, 1, 29)]);
  });

  it('refuses what is not a time, out-of-range fields included', () => {
    const bad = [
      'yesterday',
      '2023-02-29',
      '2024-13-01',
      '2024-00-10',
      '2024-04-31',
      '2024-01-01T24:00',
      '2024-01-01T23:60',
      '2024-01-01T23:59:60',
      '2024-01-01T12:00+24',
      '2024-01-01T12:00+05:60',
      '2024-01-01T12:00:00.',
      '2024-01-01T',
      '2024-01-01Z',
      '2024-1-01',
      '24-01-01',
      '2024-01-01T12',
      '2024-01-01T12:00+5',
      '2024-01-01  12:00',
      '1.2.3',
    ];
    for (const text of bad) {
      expect(parseWith(parse, `${text},1\n`, { kinds: 'mn' }).result.fault, text).toEqual({ code: 3, line: 1, column: 1, field: 0, text });
    }
  });

  // --- Text ---
  it('lists text values in order of first appearance, codes into that list', () => {
    const { columns, result, out } = parseWith(parse, 'MSFT\nAAPL\nMSFT\n"AAPL"\nIBM\n', { kinds: 't' });
    expect(result.dictionaries).toEqual([['MSFT', 'AAPL', 'IBM']]);
    expect(Array.from((out[0] as Int32Array).subarray(0, 5))).toEqual([0, 1, 0, 1, 2]);
    expect(columns[0]).toEqual(['MSFT', 'AAPL', 'MSFT', 'AAPL', 'IBM']);
  });

  it('reads text as UTF-8, invalid sequences as U+FFFD (one value however they were spelled)', () => {
    const bytes = Uint8Array.of(0xc3, 0xa9, 10, 0xff, 10, 0xfe, 10, 0xe2, 0x82, 10, 0xed, 0xa0, 0x80, 10, 0xf0, 0x9f, 0x98, 0x80, 10);
    const { columns, result } = parseWith(parse, bytes, { kinds: 't' });
    expect(columns[0]).toEqual(['é', '\ufffd', '\ufffd', '\ufffd', '\ufffd\ufffd\ufffd', '😀']);
    expect(result.dictionaries[0]).toEqual(['é', '\ufffd', '\ufffd\ufffd\ufffd', '😀']);
  });

  it('skips the columns of kind skip whatever they hold', () => {
    expect(parseWith(parse, 'junk,1,"x\ny"\n', { kinds: '-n-' }).columns).toEqual([null, [1], null]);
  });

  // --- Faults ---
  it('refuses a record of the wrong width at column 1 of its first line, quoting its first 64 bytes', () => {
    const long = `${'x'.repeat(70)},1,2`;
    expect(parseWith(parse, `1,2\n1,2,3\r\n`, { kinds: 'nn', firstLine: 5 }).result.fault).toEqual({
      code: 1,
      line: 6,
      column: 1,
      field: 3,
      text: '1,2,3',
    });
    expect(parseWith(parse, '1\n', { kinds: 'nn' }).result.fault).toEqual({ code: 1, line: 1, column: 1, field: 1, text: '1' });
    expect(parseWith(parse, `${long}\n`, { kinds: 'tn' }).result.fault).toEqual({
      code: 1,
      line: 1,
      column: 1,
      field: 3,
      text: long.slice(0, 64),
    });
  });

  it('checks the width before the fields', () => {
    expect(parseWith(parse, 'abc,1,2\n', { kinds: 'nn' }).result.fault?.code).toBe(1);
  });

  it('points a field fault at the field first byte (after the delimiter) and quotes it as written', () => {
    const { result } = parseWith(parse, '1,2\n3,  "4"x  \r\n', { kinds: 'nn', firstLine: 7 });
    expect(result.fault).toEqual({ code: 2, line: 8, column: 3, field: 1, text: '  "4"x  ' });
    const text = 'é'.repeat(40);
    expect(parseWith(parse, `${text}\n`, { kinds: 'n' }).result.fault?.text).toBe(`${'é'.repeat(32)}`);
    expect(parseWith(parse, `x${text}\n`, { kinds: 'n' }).result.fault?.text).toBe(`x${'é'.repeat(31)}\ufffd`);
  });

  it('refuses an unclosed quote at the end of a final block, pointing at the quote', () => {
    const { result } = parseWith(parse, '1,a\n2,  "b\nc', { kinds: 'nt', firstLine: 3 });
    expect(result).toEqual({
      rows: 1,
      consumed: 4,
      lines: 1,
      badRows: 0,
      fault: { code: 5, line: 4, column: 5, field: 1, text: '"b\nc' },
      dictionaries: [undefined, ['a']],
    });
  });

  it('stops at the first refused record: rows before it are written, consumed and lines end before it', () => {
    const { result, columns } = parseWith(parse, '1,a\n\n2,b\nx,c\n3,d\n', { kinds: 'nt' });
    expect(columns).toEqual([
      [1, 2],
      ['a', 'b'],
    ]);
    expect(result).toMatchObject({ rows: 2, consumed: 9, lines: 3, badRows: 0 });
    expect(result.dictionaries).toEqual([undefined, ['a', 'b']]);
  });

  // --- skipBadRows ---
  it('skips refused records with skipBadRows: counted, the first reported, the rows compacted', () => {
    const text = '1,a\nx,b\n2,c\n3\n4,"d\n5,e';
    const { result, columns } = parseWith(parse, text, { kinds: 'nt', skipBadRows: true, firstLine: 2 });
    expect(columns).toEqual([
      [1, 2],
      ['a', 'c'],
    ]);
    expect(result).toEqual({
      rows: 2,
      consumed: text.length,
      lines: 5,
      badRows: 3,
      firstBad: { code: 2, line: 3, column: 1, field: 0, text: 'x' },
      dictionaries: [undefined, ['a', 'c']],
    });
  });

  // --- needRows, rowOffset, blocks that are not final ---
  it('answers needRows with the block records, writing nothing, when they do not fit', () => {
    const { result, out } = parseWith(parse, '1,a\n2,b\n\n3,c\n', { kinds: 'nt', capacity: 4, rowOffset: 2 });
    expect(result).toEqual({ rows: 0, consumed: 0, lines: 0, badRows: 0, needRows: 3, dictionaries: [undefined, []] });
    expect(Array.from(out[0] as Float64Array)).toEqual(Array(4).fill(UNTOUCHED));
    expect(Array.from(out[1] as Int32Array)).toEqual(Array(4).fill(UNTOUCHED));
    expect(parseWith(parse, '1,a\n2,b\n', { kinds: 'nt', capacity: 4, rowOffset: 2 }).result.rows).toBe(2);
  });

  it('writes rows from rowOffset and nothing before it', () => {
    const { out } = parseWith(parse, '1\n2\n', { kinds: 'n', capacity: 5, rowOffset: 3 });
    expect(Array.from(out[0] as Float64Array)).toEqual([UNTOUCHED, UNTOUCHED, UNTOUCHED, 1, 2]);
  });

  it('stops a block that is not final at its last complete record', () => {
    const cases: [string, number, number, number][] = [
      ['1\n2\n3', 2, 4, 2],
      ['1\n2\n3\n', 3, 6, 3],
      ['1\n2\r', 1, 2, 1],
      ['1\n"2\n3', 1, 2, 1],
      ['1\n\n\n', 1, 4, 3],
      ['"1\n', 0, 0, 0],
      ['', 0, 0, 0],
    ];
    for (const [text, rows, consumed, lines] of cases) {
      expect(parseWith(parse, text, { kinds: 'n', final: false }).result, JSON.stringify(text)).toEqual({
        rows,
        consumed,
        lines,
        badRows: 0,
        dictionaries: [undefined],
      });
    }
  });

  // --- parallel chunks ---
  it('gives the same result on 1 and 2 threads for blocks split inside quoted fields and CRLF pairs', () => {
    // ~1 MB: records with quoted line breaks everywhere (two in a third of the records), so that a
    // chunk start guessed at the first line break after the middle often falls inside a quoted field
    // (the blocks below move the middle); text, numbers, times, a few bad rows.
    const parts: string[] = [];
    let seed = 7;
    const next = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (let i = 0; i < 25000; i++) {
      const quoted = next(3) === 0 ? `"sym\n${next(50)},""x""\r\n"` : `S${next(40)}`;
      const price = next(200) === 0 ? 'bad' : `${next(100000) / 100}`;
      parts.push(`${1700000000000 + i},${quoted},${price}${next(2) ? '\r\n' : '\n'}${next(20) === 0 ? '\n' : ''}`);
    }
    const bytes = encoder.encode(parts.join(''));
    const run = (threads: number, size: number, skipBadRows: boolean) => {
      binding.setThreads(threads);
      try {
        const plan = planOf({ kinds: 'mtn', skipBadRows, final: size === bytes.length });
        const out = outFor(plan, 30000);
        const result = parse(bytes.subarray(0, size), plan, out);
        return { result, out: out.map((a) => a?.slice(0, result.rows)) };
      } finally {
        binding.setThreads(0);
      }
    };
    for (const cut of [0, 5, 11, 17, 23, 31]) {
      for (const skip of [true, false]) {
        const one = run(1, bytes.length - cut, skip);
        const two = run(2, bytes.length - cut, skip);
        expect(two.result).toEqual(one.result);
        expect(two.out).toEqual(one.out);
        expect(one.result.rows).toBeGreaterThan(skip ? 20000 : 10);
      }
    }
  });

  // --- the binding's arguments ---
  it('refuses bad arguments with a KernelInputError naming them', () => {
    const call = binding.csvParseBlock as (...args: unknown[]) => BlockResult;
    const bytes = encoder.encode('1\n');
    const params = packBlockParams(planOf({ kinds: 'n' }));
    const ok: unknown[] = [bytes, params, Uint8Array.of(1), Uint8Array.of(0), [new Float64Array(4)]];
    const withArg = (i: number, value: unknown) => ok.map((v, j) => (j === i ? value : v));
    const withParam = (i: number, value: number) => {
      const p = params.slice();
      p[i] = value;
      return withArg(1, p);
    };
    const detached = new Uint8Array(4);
    const detachedColumn = new Float64Array(4);
    for (const a of [detached, detachedColumn]) structuredClone(a.buffer, { transfer: [a.buffer] });
    const cases: [unknown[], string][] = [
      [ok.slice(0, 4), 'arguments: expected 5 arguments, got 4'],
      [withArg(1, new Float64Array(4)), 'params: expected 5 values [delimiter, firstLine, final, skipBadRows, rowOffset], got length 4'],
      [withArg(1, [44, 1, 1, 0, 0]), 'params: expected a Float64Array, got an Array'],
      [withParam(0, 34), `plan.delimiter: expected a byte (0-255) other than '"', '\\r', '\\n' and ' ', got 34`],
      [withParam(0, 256), `plan.delimiter: expected a byte (0-255) other than '"', '\\r', '\\n' and ' ', got 256`],
      [withParam(0, Number.NaN), `plan.delimiter: expected a byte (0-255) other than '"', '\\r', '\\n' and ' ', got NaN`],
      [withParam(1, 0), 'plan.firstLine: expected an integer >= 1, got 0'],
      [withParam(2, 2), 'plan.final: expected 0 or 1, got 2'],
      [withParam(3, 0.5), 'plan.skipBadRows: expected 0 or 1, got 0.5'],
      [withParam(4, -1), 'plan.rowOffset: expected an integer >= 0, got -1'],
      [withArg(4, new Float64Array(4)), 'out: expected an Array of Float64Array, Int32Array or null, got Float64Array'],
      [withArg(2, [1]), 'plan.kinds: expected a Uint8Array, got an Array'],
      [withArg(3, Int8Array.of(0)), 'plan.required: expected a Uint8Array, got Int8Array'],
      [withArg(2, new Uint8Array(0)), 'plan.kinds: expected a Kind per header column (at least one), got length 0'],
      [withArg(3, Uint8Array.of(0, 0)), 'plan.required: expected length 1 (as plan.kinds), got length 2'],
      [withArg(4, [new Float64Array(4), null]), 'out: expected length 1 (as plan.kinds), got length 2'],
      [withArg(2, Uint8Array.of(7)), 'plan.kinds[0]: expected a Kind code 0 to 6, got 7'],
      [withArg(3, Uint8Array.of(2)), 'plan.required[0]: expected 0 or 1, got 2'],
      [withArg(4, [new Int32Array(4)]), 'out[0]: expected a Float64Array (a number column), got Int32Array'],
      [withArg(4, [null]), 'out[0]: expected a Float64Array (a number column), got null'],
      [
        [bytes, params, Uint8Array.of(2, 0, 6), Uint8Array.of(0, 0, 0), [new Int32Array(4), new Float64Array(4), new Float64Array(4)]],
        'out[1]: expected null (a skipped column), got Float64Array',
      ],
      [
        [bytes, params, Uint8Array.of(2, 4), Uint8Array.of(0, 0), [new Float64Array(4), new Float64Array(4)]],
        'out[0]: expected an Int32Array (a text column), got Float64Array',
      ],
      [
        [bytes, params, Uint8Array.of(2, 4), Uint8Array.of(0, 0), [new Int32Array(4), new Float64Array(3)]],
        'out[1]: expected length 4 (as out[0]), got length 3',
      ],
      [withArg(4, [detachedColumn]), 'out[0]: expected a Float64Array (a number column) with an attached buffer, got a detached buffer'],
      [withArg(0, detached), 'bytes: expected a Uint8Array with an attached buffer, got a detached buffer'],
      [withArg(0, 'text'), 'bytes: expected a Uint8Array, got a string'],
    ];
    // the async variant checks them at the call, before any work is queued
    const callAsync = binding.csvParseBlockAsync as (...args: unknown[]) => Promise<BlockResult>;
    for (const [args, message] of cases) {
      expect(() => call(...args), message).toThrow(KernelInputError);
      expect(() => call(...args)).toThrow(message);
      expect(() => callAsync(...args), message).toThrow(KernelInputError);
      expect(() => callAsync(...args)).toThrow(message);
    }
    // and the arguments above, unchanged, parse
    expect(call(...ok)).toMatchObject({ rows: 1, consumed: 2 });
  });

  it('parses on the thread pool as on the calling thread: rows, faults, needRows and dictionaries', async () => {
    const parseAsync = nativeParseBlock().parseAsync as ParseBlockAsync;
    let seed = 11;
    const next = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const price = next(500) === 0 ? 'bad' : `${next(100000) / 100}`;
      lines.push(`${1700000000000 + i},${next(4) === 0 ? `"S,${next(9)}"` : `S${next(30)}`},${price}${next(2) ? '\r\n' : '\n'}`);
    }
    const bytes = encoder.encode(lines.join(''));
    for (const [skipBadRows, capacity, size] of [
      [true, 6000, bytes.length],
      [false, 6000, bytes.length],
      [true, 6000, bytes.length - 7],
      [true, 100, bytes.length],
    ] as const) {
      const plan = planOf({ kinds: 'mtn', skipBadRows, final: size === bytes.length });
      const block = bytes.subarray(0, size);
      const outSync = outFor(plan, capacity);
      const outAsync = outFor(plan, capacity);
      const pending = parseAsync(block, plan, outAsync);
      expect(pending).toBeInstanceOf(Promise);
      const r = await pending;
      expect(r).toEqual(parse(block, plan, outSync));
      expect(outAsync).toEqual(outSync);
      if (capacity === 100) expect(r.needRows).toBe(5000);
      else expect(skipBadRows ? r.badRows : r.fault?.code).toBeGreaterThan(0);
    }
  });

  it('reads out arrays with no number or text column (all skipped) without a capacity', () => {
    expect(parseWith(parse, 'a,b\nc,d\n', { kinds: '--', capacity: 0 }).result).toMatchObject({ rows: 2, consumed: 8 });
  });
});
