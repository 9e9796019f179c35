/**
 * CSV parity: random files (fast-check: quoting, delimiters, CRLF/LF, BOM, blank lines, number
 * notations, times in every accepted form and unit, text with delimiters, quotes and line breaks,
 * bad rows) read with tiny and random block sizes, so that block boundaries fall inside quoted fields
 * and CRLF pairs. The native reader must equal the reference bit for bit (faults: by message); the
 * reference must read the same table whatever its block size. Without the addon the native suite is
 * skipped locally and fails under CI.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CsvReadOptions, readCsv } from '../../src/io/csv.js';
import { nativeParseBlock } from '../../src/io/csv-native.js';
import type { Table, TextColumn, TimeUnit } from '../../src/io/types.js';

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
    y: fc.integer({ min: 1, max: 9999 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    sep: fc.constantFrom('T', 't', ' '),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 59 }),
    frac: fc.stringMatching(/^[0-9]{1,13}$/),
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

const arbCase: fc.Arbitrary<CsvCase> = fc
  .record({
    kinds: fc.array(fc.constantFrom<Kind>('number', 'time', 'text'), { minLength: 1, maxLength: 5 }),
    delimiter: fc.constantFrom(',', ';', '\t', '|'),
    crlf: fc.constantFrom('lf', 'crlf', 'mixed'),
    bom: fc.boolean(),
    finalBreak: fc.boolean(),
    tsUnit: fc.constantFrom<TimeUnit | undefined>(undefined, undefined, 's', 'ms', 'us', 'ns'),
    inferRows: fc.constantFrom<number | undefined>(undefined, 1, 3),
    skipBadRows: fc.boolean(),
    seed: fc.integer(),
    rowCount: fc.integer({ min: 0, max: 25 }),
  })
  .chain((c) =>
    fc
      .array(
        fc.record({
          fields: fc.tuple(...c.kinds.map((k) => fc.tuple(fieldOf[k], fc.boolean(), fc.boolean()))),
          bad: arbBad,
          blank: fc.constantFrom('', '', '', '', '\n', '\r\n'),
          crlf: fc.boolean(),
        }),
        { minLength: c.rowCount, maxLength: c.rowCount },
      )
      .map((rows) => {
        const names = c.kinds.map((k, i) => (k === 'time' ? TIME_NAMES[i] : `c${i}`));
        const eol = (crlf: boolean) => (c.crlf === 'crlf' || (c.crlf === 'mixed' && crlf) ? '\r\n' : '\n');
        let text = (c.bom ? '\ufeff' : '') + names.join(c.delimiter) + eol(false);
        rows.forEach((row, r) => {
          let fields = row.fields.map(([v, q, p]) => render(v, c.delimiter, q, p));
          if (row.bad === 'extra') fields.push('1');
          if (row.bad === 'short' && fields.length > 1) fields = fields.slice(1);
          const col = Math.abs(c.seed + r) % fields.length;
          if (row.bad === 'notANumber' && c.kinds[col] === 'number') fields[col] = 'x1';
          if (row.bad === 'badTime' && c.kinds[col] === 'time') fields[col] = '2024-02-30';
          if (row.bad === 'unclosed') fields[col] = '"open';
          text += row.blank + fields.join(c.delimiter);
          if (r < rows.length - 1 || c.finalBreak) text += eol(row.crlf);
        });
        const options: CsvReadOptions = {
          delimiter: c.delimiter,
          name: 'p.csv',
          skipBadRows: c.skipBadRows,
        };
        if (c.tsUnit) options.tsUnit = c.tsUnit;
        if (c.inferRows) options.inferRows = c.inferRows;
        return { text: new TextEncoder().encode(text), options };
      }),
  );

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
      expect(bits(g as Float64Array)).toEqual(bits(w));
    } else {
      expect((g as TextColumn).values).toEqual(w.values);
      expect(Array.from((g as TextColumn).codes)).toEqual(Array.from(w.codes));
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
