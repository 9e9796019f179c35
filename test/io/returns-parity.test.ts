/**
 * readReturns of a wide CSV: the native path (native/io/csv_returns.cpp, one call into one row-major
 * matrix) against the JS path with the reference block parser (`backend: 'reference'`), on random wide
 * files (fast-check: a date column anywhere or none, ISO dates and times, epoch numbers, labels, missing
 * and NaN-text values, unsorted and tied dates, quoted header names, CRLF, BOM, blank lines, other
 * delimiters, bad records with and without skipBadRows) and on the edge cases named one by one. The
 * two must agree bit for bit (faults: by message). Without the addon the suite is skipped locally and
 * fails under CI.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { KernelInputError } from '../../src/errors.js';
import { type ReadReturnsOptions, type ReturnsRead, parseDate, readReturns } from '../../src/io/returns.js';

const inCI = process.env.CI === 'true' || process.env.CI === '1';
const binding = loadNative().binding;
const hasNative = typeof binding?.csvReadWideAsync === 'function';
const RUNS = Number(process.env.RETURNS_PARITY_RUNS ?? 200);
const enc = (s: string) => new TextEncoder().encode(s);

/** A read's outcome as plain data: every value bit for bit (NaN as 'NaN', -0 as '-0'), or the error's message. */
async function outcome(bytes: Uint8Array, options: ReadReturnsOptions): Promise<unknown> {
  const bits = (a: Float64Array | readonly number[] | undefined) =>
    a === undefined ? undefined : Array.from(a, (x) => (Object.is(x, -0) ? '-0' : Number.isNaN(x) ? 'NaN' : x));
  let r: ReturnsRead;
  try {
    r = await readReturns(bytes, { ...options, layout: 'wide' });
  } catch (e) {
    return { error: (e as Error).message, kernelInput: e instanceof KernelInputError };
  }
  const { seconds: _, ...info } = r.info;
  const m = r.returns;
  return {
    data: bits(m.data),
    shape: [m.rows, m.cols, m.data.length],
    columns: m.columns,
    index: bits(m.index as Float64Array | undefined),
    assets: r.assets,
    dates: bits(r.dates),
    info,
  };
}

/** The two paths on the same bytes: equal, and the native path is the one that ran (it reports no backend: checked by a spy below). */
async function expectParity(bytes: Uint8Array, options: ReadReturnsOptions = {}): Promise<unknown> {
  const native = await outcome(bytes, { ...options, backend: 'native' });
  const reference = await outcome(bytes, { ...options, backend: 'reference' });
  expect(native).toEqual(reference);
  return native;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const arbDay = fc.record({
  y: fc.integer({ min: 1990, max: 2030 }),
  m: fc.integer({ min: 1, max: 12 }),
  d: fc.integer({ min: 1, max: 31 }),
});
const arbDate = fc.oneof(
  arbDay.map(({ y, m, d }) => `${y}-${pad(m, 2)}-${pad(Math.min(d, 28), 2)}`),
  arbDay.map(({ y, m, d }) => `${y}-${pad(m, 2)}-${pad(d, 2)}`), // 2021-02-30 is no date: labels
  fc
    .tuple(arbDay, fc.integer({ min: 0, max: 86399 }), fc.constantFrom('', 'Z', '+05:30', '-0800', '+01', '.5', '.123456Z', ',25z'))
    .map(([{ y, m, d }, s, tail]) => {
      const t = `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`;
      return `${y}-${pad(m, 2)}-${pad(Math.min(d, 28), 2)}${['T', 't', ' '][s % 3]}${t}${tail}`;
    }),
  fc.integer({ min: 1_500_000_000, max: 1_800_000_000 }).map((s) => String(s * 1000)),
  fc.constantFrom('20200101', '-5', '+7', '1.5', '0', '-0', '1e3', '2020-01-01Z', '2020-01-01T24:00', 'NaN', 'd0', 'd1', '"2020-01-02"'),
);
const arbValue = fc.oneof(
  { weight: 6, arbitrary: fc.double({ noNaN: true }).map(String) },
  { weight: 2, arbitrary: fc.integer({ min: -999, max: 999 }).map((n) => `${n / 1000}`) },
  { weight: 1, arbitrary: fc.constantFrom('', 'NA', 'NaN', 'nan', 'null', 'None', ' 0.5 ', '"0.25"', '1e-3', '-inf', '.5', '+2') },
  { weight: 1, arbitrary: fc.constantFrom('x', '"a,b"', '1.2.3') }, // refused: not a number
);
const arbName = fc.oneof(
  fc.constantFrom('A', 'B', 'SPY', 'bond', 'x1'),
  fc.string({ minLength: 1, maxLength: 4, unit: fc.constantFrom('a', 'b', 'Z', '9', '_', ' ', ',', '"', 'é') }),
);

/** A random wide file: its bytes and the options to read it with. */
const arbWide = fc
  .record({
    assets: fc.uniqueArray(arbName, { minLength: 1, maxLength: 6, selector: (s) => s.trim().toLowerCase() }),
    dateAt: fc.option(fc.nat(), { nil: undefined }),
    dateName: fc.constantFrom('date', 'Date', 'ts', 'TIME', 'timestamp', 'datetime'),
    dateKind: fc.constantFrom('iso', 'mixed', 'labels', 'epoch'),
    rows: fc.array(
      fc.record({ date: arbDate, values: fc.array(arbValue, { minLength: 6, maxLength: 6 }), width: fc.integer({ min: -8, max: 8 }) }),
      {
        maxLength: 25,
      },
    ),
    eol: fc.constantFrom('\n', '\r\n'),
    delimiter: fc.constantFrom(',', ';', '\t'),
    bom: fc.boolean(),
    blank: fc.boolean(),
    trailing: fc.boolean(),
    skipBadRows: fc.boolean(),
  })
  .filter((w) =>
    w.assets.every((a) => a.trim() !== '' && !['date', 'ts', 'time', 'timestamp', 'datetime'].includes(a.trim().toLowerCase())),
  )
  .map((w) => {
    const quote = (s: string) => (/[",;\t\r\n]|^ | $/.test(s) || s === '' ? `"${s.replaceAll('"', '""')}"` : s);
    const names = [...w.assets];
    const dateAt = w.dateAt === undefined ? -1 : w.dateAt % (names.length + 1);
    if (dateAt >= 0) names.splice(dateAt, 0, w.dateName);
    const lines = [names.map(quote).join(w.delimiter)];
    w.rows.forEach((row, t) => {
      const fields = w.assets.map((_, c) =>
        w.delimiter !== ',' && row.values[c].includes(',') ? row.values[c].replaceAll(',', ';') : row.values[c],
      );
      const date =
        w.dateKind === 'labels'
          ? `d${t}`
          : w.dateKind === 'epoch'
            ? String(1.7e12 + ((t * 7919) % 13) * 86400000)
            : w.dateKind === 'iso'
              ? `2024-01-${pad(1 + ((t * 7) % 28), 2)}`
              : row.date;
      if (dateAt >= 0) fields.splice(dateAt, 0, date);
      if (row.width === 8) fields.push('extra'); // a record wider than the header: refused
      if (row.width === -8 && fields.length > 1) fields.pop(); // narrower: refused
      lines.push(fields.join(w.delimiter));
      if (w.blank && t % 5 === 2) lines.push('');
    });
    const text = (w.bom ? '\ufeff' : '') + lines.join(w.eol) + (w.trailing ? w.eol : '');
    return { bytes: enc(text), options: { delimiter: w.delimiter, skipBadRows: w.skipBadRows } as ReadReturnsOptions };
  });

describe.skipIf(!hasNative && !inCI)('readReturns wide: native vs the JS reference', () => {
  it('random wide files: the same matrix, labels, dates, report and faults', async () => {
    await fc.assert(
      fc.asyncProperty(arbWide, async ({ bytes, options }) => {
        await expectParity(bytes, options);
      }),
      { numRuns: RUNS },
    );
  });

  it('takes the native path for a CSV path or bytes (the addon called once), and not for reference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-returns-'));
    const path = join(dir, 'wide.csv');
    writeFileSync(path, 'date,A\n2024-01-02,0.5\n');
    const calls: number[] = [];
    const original = binding!.csvReadWideAsync;
    binding!.csvReadWideAsync = (b, p) => {
      calls.push(b.length);
      return original.call(binding, b, p);
    };
    try {
      await readReturns(enc('date,A\n2024-01-02,0.5\n'));
      const fromPath = await readReturns(path); // the file mapped (src/io/file-bytes.ts)
      expect([Array.from(fromPath.returns.data), fromPath.info.source, fromPath.info.bytes]).toEqual([[0.5], path, 22]);
      await readReturns(enc('date,A\n2024-01-02,0.5\n'), { backend: 'reference' });
      await readReturns(enc('date,A\n2024-01-02,0.5\n'), { inferRows: 5 }); // an option it does not read: the reference path
    } finally {
      binding!.csvReadWideAsync = original;
      rmSync(dir, { recursive: true, force: true });
    }
    expect(calls).toEqual([15, 15]);
  });

  it('edge cases, each read by both paths alike, with their values', async () => {
    const N = 'NaN';
    const cases: [string, Record<string, unknown>][] = [
      // missing values and NaN text: NaN cells
      ['date,A,B\n2024-01-02,,NaN\n2024-01-03,NA,0.5\n', { data: [N, N, N, 0.5], dates: [1704153600000, 1704240000000] }],
      // a date column holding labels: the file's order, no dates, no index
      ['date,A\nd2,1\nd1,2\nd3,3\n', { data: [1, 2, 3], dates: [N, N, N], index: undefined }],
      // one label among dates: all unknown
      ['date,A\n2024-01-03,1\nsoon,2\n2024-01-01,3\n', { data: [1, 2, 3], dates: [N, N, N] }],
      // no date column
      ['A,B\n1,2\n3,4\n', { data: [1, 2, 3, 4], dates: [N, N], columns: ['A', 'B'] }],
      // CRLF, a BOM, blank lines, no final line break
      ['\ufeffdate,A\r\n\r\n2024-01-03,1\r\n2024-01-02,2', { data: [2, 1], dates: [1704153600000, 1704240000000] }],
      // quoted header names, the date column last
      ['"A,1","B ""x""",date\n1,2,2024-01-02\n', { columns: ['A,1', 'B "x"'], data: [1, 2] }],
      // unsorted dates with ties: sorted, stable
      ['date,A\n2024-01-03,1\n2024-01-01,2\n2024-01-03,3\n2024-01-01,4\n', { data: [2, 4, 1, 3] }],
      // epoch numbers and ISO times with offsets, in one column
      ['ts,A\n1704153600000,1\n2024-01-02T00:00:00+01:00,2\n', { data: [2, 1], dates: [1704153600000 - 3600000, 1704153600000] }],
      // a date Date.parse takes but the documented rule does not (Feb 30): labels
      ['date,A\n2024-02-30,1\n2024-01-01,2\n', { data: [1, 2], dates: [N, N] }],
      // a header alone
      ['date,A,B\n', { data: [], shape: [0, 2, 0] }],
    ];
    for (const [text, want] of cases) {
      const got = (await expectParity(enc(text))) as Record<string, unknown>;
      expect(got, text).toMatchObject(want);
    }
  });

  it('faults name file:line:column, as the reference does', async () => {
    const cases: [string, string][] = [
      ['date,A,B\n2024-01-02,0.1,0.2\n2024-01-03,0.1,abc\n', 'buffer:3:16: expected a number in column B, got "abc"'],
      ['date,A\n2024-01-02,0.1\n,0.2\n', 'buffer:3:1: expected a value in column date, got an empty field'],
      ['date,A\r\n2024-01-02,0.1,9\r\n', 'buffer:2:1: expected 2 fields (as the header), got 3'],
      ['date,A\n2024-01-02,"0.1\n', 'buffer:2:12: expected a closing quote, got the end of the input'],
    ];
    for (const [text, message] of cases) {
      expect(await expectParity(enc(text))).toEqual({ error: message, kernelInput: true });
    }
    // skipped instead: counted, the first one's message kept
    const skipped = (await expectParity(enc(cases[0][0]), { skipBadRows: true })) as { info: Record<string, unknown>; data: unknown[] };
    expect([skipped.data, skipped.info.skippedRows, skipped.info.firstSkipped]).toEqual([[0.1, 0.2], 1, cases[0][1]]);
  });

  it('a file larger than one parser chunk: rows across threads, bad rows skipped, dates shuffled', async () => {
    const T = 3000;
    const N = 60;
    const lines = [`${Array.from({ length: N }, (_, c) => `S${c}`).join(',')},date`];
    for (let t = 0; t < T; t++) {
      const day = (t * 7919) % T; // a permutation of the days
      const values = Array.from({ length: N }, (_, c) => ((t * 31 + c) % 97 === 0 ? '' : String(((t * N + c) % 1000) / 997)));
      if (t % 499 === 7) values[3] = 'bad';
      lines.push(`${values.join(',')},${new Date(Date.UTC(2000, 0, 1 + day)).toISOString().slice(0, 10)}`);
    }
    const bytes = enc(lines.join('\n'));
    const got = (await expectParity(bytes, { skipBadRows: true })) as { dates: number[]; shape: number[]; info: { skippedRows: number } };
    const bad = Array.from({ length: T }, (_, t) => t).filter((t) => t % 499 === 7).length;
    expect([got.shape[0], got.info.skippedRows]).toEqual([T - bad, bad]);
    expect(got.dates.every((d, i) => i === 0 || d > got.dates[i - 1])).toBe(true);
  });

  it('parses on the thread pool: the event loop runs meanwhile, and the result is the same', async () => {
    // 2,000 dates x 100 assets (about 1.5 MB): its parse takes milliseconds, a turn of the loop microseconds
    const lines = ['date,' + Array.from({ length: 100 }, (_, i) => `A${i}`).join(',')];
    for (let t = 0; t < 2000; t++) {
      const day = new Date(Date.UTC(2020, 0, 1) + t * 86_400_000).toISOString().slice(0, 10);
      lines.push(`${day},${Array.from({ length: 100 }, (_, i) => ((((t * 31 + i * 7) % 97) - 48) / 1e4).toFixed(4)).join(',')}`);
    }
    const bytes = enc(`${lines.join('\n')}\n`);
    const first = await Promise.race([
      readReturns(bytes).then(() => 'read'),
      new Promise<string>((resolve) => setImmediate(() => resolve('the loop'))),
    ]);
    expect(first).toBe('the loop');
    const read = await readReturns(bytes);
    expect([read.returns.rows, read.returns.cols, read.returns.data[100 * 1999 + 99]]).toEqual([
      2000,
      100,
      (((1999 * 31 + 99 * 7) % 97) - 48) / 1e4,
    ]);
    const reference = await readReturns(bytes, { backend: 'reference' });
    expect([read.returns.data, read.dates, read.assets]).toEqual([reference.returns.data, reference.dates, reference.assets]);
  });

  it('the addon checks its arguments before its promise: KernelInputError naming each', async () => {
    const read = (bytes: unknown, params: unknown) => () =>
      (binding!.csvReadWideAsync as (a: unknown, b: unknown) => unknown)(bytes, params);
    const ok = enc('1,2\n');
    expect(read(ok, Float64Array.of(44, 1, 0, 2))).toThrow(/params: expected 5 values/);
    expect(read(ok, Float64Array.of(34, 1, 0, 2, -1))).toThrow(/plan.delimiter/);
    expect(read(ok, Float64Array.of(44, 0, 0, 2, -1))).toThrow(/plan.firstLine: expected an integer >= 1/);
    expect(read(ok, Float64Array.of(44, 1, 2, 2, -1))).toThrow(/plan.skipBadRows/);
    expect(read(ok, Float64Array.of(44, 1, 0, 0, -1))).toThrow(/plan.width/);
    expect(read(ok, Float64Array.of(44, 1, 0, 2, 2))).toThrow(/plan.dateColumn: expected -1 \(none\) or a column below plan.width/);
    expect(read('1,2', Float64Array.of(44, 1, 0, 2, -1))).toThrow(KernelInputError);
    const r = await binding!.csvReadWideAsync(ok, Float64Array.of(44, 1, 0, 2, -1));
    expect([Array.from(r.returns), r.rows, r.dates]).toEqual([[1, 2], 1, undefined]);
  });
});

describe('parseDate (the reference of native/io/csv_returns.cpp parseDate)', () => {
  it('ISO 8601 as the CSV reader reads times, plain numbers as they are, anything else NaN', () => {
    expect(parseDate('2024-01-02')).toBe(Date.UTC(2024, 0, 2));
    expect(parseDate('2024-01-02 03:04:05.5')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 500));
    expect(parseDate('2024-01-02T03:04+0130')).toBe(Date.UTC(2024, 0, 2, 1, 34));
    expect(parseDate('2024-01-02T00:00:00.0001Z')).toBe(Date.UTC(2024, 0, 2) + 0.1);
    expect([parseDate('17'), parseDate('-2.5'), parseDate('+3')]).toEqual([17, -2.5, 3]);
    for (const no of ['2024-02-30', '2024-01-02Z', '2024-01-02T24:00', '1e3', '1.', 'd0', '', ' 2024-01-02']) {
      expect(parseDate(no), no).toBeNaN();
    }
  });
});
