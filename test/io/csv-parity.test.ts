/**
 * CSV parity: random files (fast-check: quoting, delimiters, CRLF/LF, BOM, blank lines, number
 * notations, times in every accepted form and unit, text with delimiters, quotes and line breaks,
 * bad rows) read with tiny and random block sizes, so that block boundaries fall inside quoted fields
 * and CRLF pairs. The native reader must equal the reference bit for bit (faults: by message); the
 * reference must read the same table whatever its block size. Without the addon the native suite is
 * skipped locally and fails under CI.
 */
import fc from 'fast-check';
import { csvByte } from '../helpers/csv-bytes.js';
import { describe, expect, it } from 'vitest';
import { type CsvReadOptions, readCsv, readCsvChunks } from '../../src/io/csv.js';
import { nativeParseBlock } from '../../src/io/csv-native.js';
import { parseBlockReference } from '../../src/io/csv-reference.js';
import {
  type BlockOut,
  type BlockPlan,
  Kind as K,
  type KindCode,
  type ParseBlock,
  type Table,
  type TextColumn,
  type TimeUnit,
} from '../../src/io/types.js';

const inCI = process.env.CI === 'true' || process.env.CI === '1';
const native = nativeParseBlock();
const RUNS = Number(process.env.CSV_PARITY_RUNS ?? 150);

type Kind = 'number' | 'time' | 'text';
const TIME_NAMES = ['ts', 'time', 'date', 'timestamp', 'datetime'];

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

const arbNumberField = fc.oneof(
  fc.double().map((x) => String(x)),
  fc.integer().map(String),
  fc.tuple(fc.integer({ min: -99999, max: 99999 }), fc.integer({ min: 0, max: 9999 })).map(([a, b]) => `${a}.${b}`),
  fc.constantFrom('1.', '.5', '-0', '+7', '1e5', '2.5E-3', '-1.e-2', 'inf', '-INF', '+Infinity', '007', '9007199254740993'),
  fc.constantFrom('', 'NA', 'n/a', 'NaN', 'null', 'None', 'nan'),
);

const arbIsoField = fc
  .record({
    y: fc.oneof(fc.integer({ min: 1, max: 9999 }), fc.constantFrom(1969, 1970)), // near 1970 every fraction digit counts
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    sep: fc.constantFrom('T', 't', ' '),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 59 }),
    frac: fc
      .integer({ min: 1, max: 13 })
      .chain((n) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((d) => d.join(''))),
    fracSep: fc.constantFrom('.', ','),
    tz: fc.constantFrom('', 'Z', 'z', '+05', '-0330', '+01:00', '-23:59', '+00'),
    form: fc.integer({ min: 0, max: 3 }),
  })
  .map((t) => {
    let s = `${pad(t.y, 4)}-${pad(t.mo, 2)}-${pad(t.d, 2)}`;
    if (t.form === 0) return s;
    s += `${t.sep}${pad(t.h, 2)}:${pad(t.mi, 2)}`;
    if (t.form >= 2) s += `:${pad(t.s, 2)}`;
    if (t.form === 3) s += `${t.fracSep}${t.frac}`;
    return s + t.tz;
  });

const arbNumericTime = fc.oneof(
  fc.bigInt({ min: 1_000_000_000_000_000_000n, max: 2n * 1_000_000_000_000_000_000n }).map(String), // ns, 19 digits
  fc.bigInt({ min: -10_000_000_000_000_000n, max: 10_000_000_000_000_000n }).map(String), // us and below
  fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }).map(String), // s
  fc.tuple(fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }), fc.integer({ min: 0, max: 999999 })).map(([a, b]) => `${a}.${b}`),
  fc.double({ min: -1e18, max: 1e18, noNaN: true }).map(String),
  fc.constantFrom('', 'NA', 'null', '-0', '1e3'),
);

const arbTimeField = fc.oneof(arbIsoField, arbNumericTime);

const arbTextField = fc.oneof(
  fc
    .array(fc.constantFrom('a', 'b', 'Z', ' ', '\t', ',', ';', '|', '"', '\n', '\r', '\r\n', 'é', '€', '😀', 'x', 'NA'), { maxLength: 8 })
    .map((a) => a.join('')),
  fc.constantFrom('', 'NA', 'null', 'AAPL', 'MSFT', 'say "hi", then go'),
);

const fieldOf: Record<Kind, fc.Arbitrary<string>> = { number: arbNumberField, time: arbTimeField, text: arbTextField };

/** A field as written: quoted when it must be (or when `quote`), padded with spaces when `padded`. */
function render(value: string, delimiter: string, quote: boolean, padded: boolean): string {
  const must = value.includes(delimiter) || /[\r\n]/.test(value) || /^[ \t]|[ \t]$/.test(value) || value.startsWith('"');
  let s = must || quote ? `"${value.replaceAll('"', '""')}"` : value;
  if (padded) s = ` ${s} `;
  return s;
}

interface CsvCase {
  text: Uint8Array;
  options: CsvReadOptions;
}

const arbBad = fc.constantFrom(
  'extra',
  'short',
  'notANumber',
  'badTime',
  'unclosed',
  'none',
  'none',
  'none',
  'none',
  'none',
  'none',
  'none',
);

/** A file's shape: its columns, dialect and read options. */
interface Shape {
  kinds: Kind[];
  delimiter: string;
  crlf: 'lf' | 'crlf' | 'mixed';
  bom: boolean;
  finalBreak: boolean;
  tsUnit: TimeUnit | undefined;
  inferRows: number | undefined;
  skipBadRows: boolean;
  seed: number;
}

const arbShape: fc.Arbitrary<Shape> = fc.record({
  kinds: fc.array(fc.constantFrom<Kind>('number', 'time', 'text'), { minLength: 1, maxLength: 5 }),
  delimiter: fc.constantFrom(',', ';', '\t', '|'),
  crlf: fc.constantFrom<Shape['crlf']>('lf', 'crlf', 'mixed'),
  bom: fc.boolean(),
  finalBreak: fc.boolean(),
  tsUnit: fc.constantFrom<TimeUnit | undefined>(undefined, undefined, 's', 'ms', 'us', 'ns'),
  inferRows: fc.constantFrom<number | undefined>(undefined, 1, 3),
  skipBadRows: fc.boolean(),
  seed: fc.integer(),
});

/** A record: its fields (value, quoted, padded), how it is spoiled, a blank line before it, its CRLF. */
const arbRow = (kinds: Kind[], bad: fc.Arbitrary<string>) =>
  fc.record({
    fields: fc.tuple(...kinds.map((k) => fc.tuple(fieldOf[k], fc.boolean(), fc.boolean()))),
    bad,
    blank: fc.constantFrom('', '', '', '', '\n', '\r\n'),
    crlf: fc.boolean(),
  });
type Row = { fields: [string, boolean, boolean][]; bad: string; blank: string; crlf: boolean };

/** Time columns named as times (ts, time, ... by position; t<i> past the fifth), the others c<i>. */
const columnNames = (kinds: Kind[]): string[] => kinds.map((k, i) => (k === 'time' ? (TIME_NAMES[i] ?? `t${i}`) : `c${i}`));

/** The file's bytes and read options. */
function renderFile(c: Shape, rows: Row[]): CsvCase {
  const names = columnNames(c.kinds);
  const eol = (crlf: boolean) => (c.crlf === 'crlf' || (c.crlf === 'mixed' && crlf) ? '\r\n' : '\n');
  const parts = [(c.bom ? '\ufeff' : '') + names.join(c.delimiter) + eol(false)];
  rows.forEach((row, r) => {
    let fields = row.fields.map(([v, q, p]) => render(v, c.delimiter, q, p));
    if (row.bad === 'extra') fields.push('1');
    if (row.bad === 'short' && fields.length > 1) fields = fields.slice(1);
    const col = Math.abs(c.seed + r) % fields.length;
    if (row.bad === 'notANumber' && c.kinds[col] === 'number') fields[col] = 'x1';
    if (row.bad === 'badTime' && c.kinds[col] === 'time') fields[col] = '2024-02-30';
    if (row.bad === 'unclosed') fields[col] = '"open';
    parts.push(row.blank + fields.join(c.delimiter));
    if (r < rows.length - 1 || c.finalBreak) parts.push(eol(row.crlf));
  });
  const options: CsvReadOptions = { delimiter: c.delimiter, name: 'p.csv', skipBadRows: c.skipBadRows };
  if (c.tsUnit) options.tsUnit = c.tsUnit;
  if (c.inferRows) options.inferRows = c.inferRows;
  return { text: new TextEncoder().encode(parts.join('')), options };
}

const arbCase: fc.Arbitrary<CsvCase> = fc
  .tuple(arbShape, fc.integer({ min: 0, max: 25 }))
  .chain(([shape, count]) =>
    fc.array(arbRow(shape.kinds, arbBad), { minLength: count, maxLength: count }).map((rows) => renderFile(shape, rows as Row[])),
  );

/** A large file (megabytes: the native reader's parallel path) of the shape, seeded. */
function largeCase(shape: Shape, rows: number, seed: number, bad: fc.Arbitrary<string>): CsvCase {
  // a fifth of the rows drawn, repeated five times (drawing is the slow part)
  const drawn = fc.sample(arbRow(shape.kinds, bad), { numRuns: Math.ceil(rows / 5), seed }) as Row[];
  const sampled = Array.from({ length: 5 }, () => drawn.map((r) => ({ ...r }))).flat();
  // no `""` in number and time columns (a fault): only the spoiled rows are bad
  for (const row of sampled) row.fields = row.fields.map(([v, q, p], i) => [v, q && (v !== '' || shape.kinds[i] === 'text'), p]);
  const file = renderFile(shape, sampled);
  const names = columnNames(shape.kinds);
  file.options.types = Object.fromEntries(names.map((n, i) => [n, shape.kinds[i]]));
  return file;
}

/** A read's table, or its error message. */
async function outcome(text: Uint8Array, options: CsvReadOptions): Promise<Table | string> {
  try {
    return await readCsv(text, options);
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

/** Float64 bits, every NaN as one pattern. */
function bits(a: Float64Array): bigint[] {
  const copy = Float64Array.from(a, (x) => (Number.isNaN(x) ? Number.NaN : x));
  return Array.from(new BigUint64Array(copy.buffer));
}

/**
 * Asserts two columns hold the same values, bit for bit (every NaN alike): a loop, then one
 * expectation on the first row that differs (a deep equality over megabytes is slow).
 */
function expectSameColumn(name: string, got: Float64Array | Int32Array, want: Float64Array | Int32Array): void {
  expect(got.length).toBe(want.length);
  const g = got instanceof Float64Array ? bits(got) : Array.from(got);
  const w = want instanceof Float64Array ? bits(want) : Array.from(want);
  const i = g.findIndex((x, k) => x !== w[k]);
  if (i >= 0) expect(`${name}[${i}] = ${got[i]} (${g[i]})`).toBe(`${name}[${i}] = ${want[i]} (${w[i]})`);
}

/** Asserts two outcomes are the same table (bit for bit) or the same error. */
function expectSame(got: Table | string, want: Table | string): void {
  if (typeof want === 'string' || typeof got === 'string') {
    expect(got).toEqual(want);
    return;
  }
  expect(got.rows).toBe(want.rows);
  expect(got.names).toEqual(want.names);
  expect(got.types).toEqual(want.types);
  expect(got.info?.skippedRows).toBe(want.info?.skippedRows);
  expect(got.info?.firstSkipped).toBe(want.info?.firstSkipped);
  expect(got.info?.timeUnits).toEqual(want.info?.timeUnits);
  expect(got.info?.bytes).toBe(want.info?.bytes);
  for (const name of want.names) {
    const w = want.columns[name];
    const g = got.columns[name];
    if (w instanceof Float64Array) {
      expect(g).toBeInstanceOf(Float64Array);
      expectSameColumn(name, g as Float64Array, w);
    } else {
      expect((g as TextColumn).values).toEqual(w.values);
      expectSameColumn(name, (g as TextColumn).codes, w.codes);
    }
  }
}

const arbBlockBytes = fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 9, max: 4096 }));

describe('CSV reference: block boundaries change nothing', () => {
  it('reads every random file the same with any block size', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, arbBlockBytes, async ({ text, options }, blockBytes) => {
        const whole = await outcome(text, { ...options, backend: 'reference' });
        expectSame(await outcome(text, { ...options, backend: 'reference', blockBytes }), whole);
      }),
      { numRuns: RUNS, seed: 37 },
    );
  });
});

const nativeSuite = native.parse ? describe : inCI ? describe : describe.skip;
nativeSuite('CSV parity: native equals the reference', () => {
  if (!native.parse) {
    it('loads the native CSV reader (required in CI)', () => {
      throw native.error;
    });
    return;
  }
  it('reads every random file bit for bit like the reference, any block size', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, arbBlockBytes, async ({ text, options }, blockBytes) => {
        const want = await outcome(text, { ...options, backend: 'reference' });
        expectSame(await outcome(text, { ...options, backend: 'native', blockBytes }), want);
        expectSame(await outcome(text, { ...options, backend: 'native' }), want);
      }),
      { numRuns: RUNS * 2, seed: 3737 },
    );
  });

  it('reads large random files (split across threads) bit for bit like the reference', async () => {
    const rare = fc.constantFrom('extra', 'notANumber', 'badTime', 'short', ...Array<string>(400).fill('none'));
    const shapes = fc.sample(arbShape, { numRuns: 4, seed: 2024 });
    for (const [i, shape] of shapes.entries()) {
      const skipBadRows = i % 3 !== 2;
      const { text, options } = largeCase(
        { ...shape, kinds: ['time', 'text', ...shape.kinds], skipBadRows },
        40_000,
        i,
        skipBadRows ? rare : fc.constant('none'),
      );
      expect(text.length).toBeGreaterThan(1 << 20);
      const want = await outcome(text, { ...options, backend: 'reference' });
      if (typeof want === 'string') throw new Error(want);
      expect(want.rows).toBeGreaterThan(35_000);
      expectSame(await outcome(text, { ...options, backend: 'native' }), want);
      expectSame(await outcome(text, { ...options, backend: 'native', blockBytes: 700_001 }), want);
    }
  });

  it('reports the first fault of a large file, wherever the threads split it', async () => {
    const shape: Shape = {
      kinds: ['time', 'text', 'number'],
      delimiter: ',',
      crlf: 'mixed',
      bom: false,
      finalBreak: true,
      tsUnit: 'ms',
      inferRows: undefined,
      skipBadRows: false,
      seed: 5,
    };
    const base = largeCase(shape, 40_000, 77, fc.constant('none'));
    const text = new TextDecoder().decode(base.text);
    for (const at of [0.3, 0.6, 0.95]) {
      const cut = text.indexOf('\n', Math.floor(text.length * at)) + 1;
      const spoiled = new TextEncoder().encode(`${text.slice(0, cut)}1,x,abc\n${text.slice(cut)}2,y,bad\n`);
      const want = await outcome(spoiled, { ...base.options, backend: 'reference' });
      expect(want).toMatch(/^KernelInputError: p\.csv:\d+:\d+: expected a number in column c2, got "abc"$/);
      expectSame(await outcome(spoiled, { ...base.options, backend: 'native' }), want);
    }
  });

  it('reads any bytes like the reference: the same table or the same KernelInputError', async () => {
    const byte = csvByte();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.array(byte, { maxLength: 300 }).map((a) => Uint8Array.from(a)),
        ),
        arbBlockBytes,
        fc.boolean(),
        fc.constantFrom<TimeUnit | undefined>(undefined, 's', 'us', 'ns'),
        fc.constantFrom(',', ';', '\t'),
        async (bytes, blockBytes, skipBadRows, tsUnit, delimiter) => {
          const options: CsvReadOptions = { name: 'p.csv', skipBadRows, tsUnit, delimiter, inferRows: 2 };
          const want = await outcome(bytes, { ...options, backend: 'reference' });
          if (typeof want === 'string') expect(want).toMatch(/^KernelInputError: p\.csv:/);
          expectSame(await outcome(bytes, { ...options, backend: 'native', blockBytes }), want);
        },
      ),
      { numRuns: RUNS * 2, seed: 4242 },
    );
  });

  it('parses random blocks to the same BlockResult: rows, consumed, lines, faults, needRows, outputs', () => {
    const parse = native.parse as ParseBlock;
    const arbKinds = fc.array(fc.constantFrom<KindCode>(K.skip, K.number, K.text, K.timeS, K.timeMs, K.timeUs, K.timeNs), {
      minLength: 1,
      maxLength: 5,
    });
    fc.assert(
      fc.property(
        arbCase,
        arbKinds,
        fc.record({
          final: fc.boolean(),
          skipBadRows: fc.boolean(),
          rowOffset: fc.integer({ min: 0, max: 3 }),
          capacity: fc.integer({ min: 0, max: 40 }),
        }),
        fc.nat(),
        ({ text, options }, kinds, p, cut) => {
          const bytes = text.subarray(0, cut % (text.length + 1));
          const width = kinds.length;
          const plan: BlockPlan = {
            delimiter: (options.delimiter as string).charCodeAt(0),
            kinds: Uint8Array.from(kinds),
            required: Uint8Array.from(kinds, (_, i) => (i === 0 ? 1 : 0)),
            firstLine: 3,
            final: p.final,
            skipBadRows: p.skipBadRows,
            rowOffset: p.rowOffset,
          };
          const capacity = p.rowOffset + p.capacity;
          const make = (): BlockOut =>
            kinds.map((k) =>
              k === K.skip ? null : k === K.text ? new Int32Array(capacity).fill(-9) : new Float64Array(capacity).fill(-9),
            );
          const [wantOut, gotOut] = [make(), make()];
          const want = parseBlockReference(bytes, plan, wantOut);
          const got = parse(bytes, plan, gotOut);
          expect(got.needRows).toBe(want.needRows);
          if (want.needRows !== undefined) return;
          expect([got.rows, got.consumed, got.lines, got.badRows]).toEqual([want.rows, want.consumed, want.lines, want.badRows]);
          expect(got.fault).toEqual(want.fault);
          expect(got.firstBad).toEqual(want.firstBad);
          if (want.fault) return; // the dictionaries of a block that stopped are not used
          for (let c = 0; c < width; c++) {
            expect(got.dictionaries[c]).toEqual(want.dictionaries[c]);
            const w = wantOut[c];
            if (w instanceof Float64Array)
              expect(bits((gotOut[c] as Float64Array).subarray(0, p.rowOffset + want.rows))).toEqual(
                bits(w.subarray(0, p.rowOffset + want.rows)),
              );
            else if (w)
              expect(Array.from((gotOut[c] as Int32Array).subarray(0, p.rowOffset + want.rows))).toEqual(
                Array.from(w.subarray(0, p.rowOffset + want.rows)),
              );
          }
        },
      ),
      { numRuns: RUNS * 4, seed: 5151 },
    );
  });

  // pass 1 counts the lines before a quote in bulk (native/io/csv_scan.cpp countLines): a block that
  // starts with blank lines, seen through a view whose byte before it is not a line break (a line's test
  // there must not look before the block), then blank, "\r" and data lines past the 16-byte lanes
  it('counts the blank lines at a block start, and past 16-byte lanes, as the reference does', () => {
    const parse = native.parse as ParseBlock;
    const plan: BlockPlan = {
      delimiter: 44,
      kinds: Uint8Array.of(K.number, K.number),
      required: Uint8Array.of(1, 0),
      firstLine: 1,
      final: true,
      skipBadRows: false,
      rowOffset: 0,
    };
    const body = [
      '',
      '\r',
      '',
      '1,2',
      '',
      '30,40',
      '\r',
      '\r',
      ...Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? '' : `${i},${i * 2}`)),
    ];
    for (const start of ['\n', '\r\n', '\n\n', '']) {
      const text = `${start}${body.join('\n')}\n`;
      const backing = new TextEncoder().encode(`x${text}`);
      const bytes = backing.subarray(1);
      // room for exactly the rows: pass 1's count of them sizes the block (one too many asks for more)
      const rows = body.filter((l) => l !== '' && l !== '\r').length;
      const [wantOut, gotOut] = [0, 1].map((): BlockOut => [new Float64Array(rows), new Float64Array(rows)]);
      const want = parseBlockReference(bytes, plan, wantOut);
      const got = parse(bytes, plan, gotOut);
      expect([want.needRows, want.rows]).toEqual([undefined, rows]);
      expect([got.needRows, got.rows, got.consumed, got.lines, got.fault]).toEqual([
        undefined,
        want.rows,
        want.consumed,
        want.lines,
        want.fault,
      ]);
      expect(bits((gotOut[0] as Float64Array).subarray(0, want.rows))).toEqual(bits((wantOut[0] as Float64Array).subarray(0, want.rows)));
    }
  });

  it('reads random files in chunks (native) to the rows of the whole (reference)', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, fc.integer({ min: 1, max: 10 }), arbBlockBytes, async ({ text, options }, chunkRows, blockBytes) => {
        const want = await outcome(text, { ...options, backend: 'reference' });
        const chunks: Table[] = [];
        try {
          for await (const c of readCsvChunks(text, { ...options, backend: 'native', chunkRows, blockBytes })) chunks.push(c);
        } catch (err) {
          expect(`${(err as Error).name}: ${(err as Error).message}`).toEqual(want);
          return;
        }
        if (typeof want === 'string') throw new Error(`the chunks read, the whole did not: ${want}`);
        expect(chunks.reduce((n, c) => n + c.rows, 0)).toBe(want.rows);
        for (const name of want.names) {
          const w = want.columns[name];
          if (w instanceof Float64Array) {
            const got = chunks.flatMap((c) => bits(c.columns[name] as Float64Array));
            expect(got).toEqual(bits(w));
          } else {
            const got = chunks.flatMap((c) =>
              Array.from((c.columns[name] as TextColumn).codes, (k) => (k < 0 ? null : (c.columns[name] as TextColumn).values[k])),
            );
            expect(got).toEqual(Array.from(w.codes, (k) => (k < 0 ? null : w.values[k])));
          }
        }
      }),
      { numRuns: RUNS, seed: 777 },
    );
  });

  it('reads random doubles and 19-digit nanosecond stamps to the same bits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.double({ noNaN: true }), fc.bigInt({ min: 0n, max: 9n * 1_000_000_000_000_000_000n })), {
          minLength: 1,
          maxLength: 200,
        }),
        async (rows) => {
          const text = new TextEncoder().encode(`x,ts\n${rows.map(([x, t]) => `${x},${t}`).join('\n')}\n`);
          const options: CsvReadOptions = { tsUnit: 'ns', types: { x: 'number' } };
          const want = await outcome(text, { ...options, backend: 'reference' });
          expect(typeof want).not.toBe('string');
          expectSame(await outcome(text, { ...options, backend: 'native' }), want);
        },
      ),
      { numRuns: RUNS, seed: 99 },
    );
  });
});
