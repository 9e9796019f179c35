/** The trade rule (src/kernels/trade-check.ts) and readTrades' `badTrades` (src/io/trade-screen.ts). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelInputError } from '../../src/errors.js';
import { readTrades, readTradesChunks } from '../../src/io/index.js';
import { RowLines } from '../../src/io/row-lines.js';
import { LastTimes, screenTrades, tradeFault, type BadTrade } from '../../src/kernels/trade-check.js';
import { cleanTapePath, damagedTape } from '../helpers/damaged-tape.js';

const f64 = (...x: number[]) => Float64Array.from(x);

describe('tradeFault', () => {
  it('names the first rule a trade breaks', () => {
    expect(tradeFault(1, 10, 5, 0)).toBeUndefined();
    expect(tradeFault(1, 10, 0, 1)).toBeUndefined(); // equal times and volume 0 are good
    expect(tradeFault(Number.NaN, 10, 5, 0)).toBe('ts');
    expect(tradeFault(Number.POSITIVE_INFINITY, 10, 5, 0)).toBe('ts');
    expect(tradeFault(1, 10, 5, 2)).toBe('order');
    expect(tradeFault(3, -557.53, 5, 2)).toBe('price');
    expect(tradeFault(3, 0, 5, 2)).toBe('price');
    expect(tradeFault(3, Number.NaN, 5, 2)).toBe('price');
    expect(tradeFault(3, Number.POSITIVE_INFINITY, 5, 2)).toBe('price');
    expect(tradeFault(3, 1, -1, 2)).toBe('volume');
    expect(tradeFault(3, 1, Number.NaN, 2)).toBe('volume');
  });
});

describe('screenTrades', () => {
  it('returns the columns given when every trade is good', () => {
    const trades = { ts: f64(1, 2, 2), price: f64(1, 2, 3), volume: f64(1, 0, 1) };
    const out = screenTrades(trades, undefined, new LastTimes(), () => {
      throw new Error('no bad trade');
    });
    expect(out.trades).toBe(trades);
    expect(out.bad).toBe(0);
  });

  it('leaves out the bad rows (bid and ask too), holding each symbol to its own order', () => {
    const trades = {
      ts: f64(5, 1, 4, 3, 6, Number.NaN),
      price: f64(1, 2, -3, 4, 5, 6),
      volume: f64(1, 1, 1, 1, -1, 1),
      bid: f64(0.5, 1.5, 2.5, 3.5, 4.5, 5.5),
      ask: f64(1.5, 2.5, 3.5, 4.5, 5.5, 6.5),
    };
    // symbols 0 1 0 1 0 1: symbol 0 at 5, 4 (order), 6; symbol 1 at 1, 3, NaN
    const codes = Int32Array.from([0, 1, 0, 1, 0, 1]);
    const bad: BadTrade[] = [];
    const out = screenTrades(trades, codes, new LastTimes(), (b) => bad.push(b));
    expect(bad.map((b) => [b.row, b.reason, b.value, b.code])).toEqual([
      [2, 'order', 4, 0],
      [4, 'volume', -1, 0],
      [5, 'ts', Number.NaN, 1],
    ]);
    expect(bad[0].previous).toBe(5);
    expect(Array.from(out.trades.ts)).toEqual([5, 1, 3]);
    expect(Array.from(out.trades.bid!)).toEqual([0.5, 1.5, 3.5]);
    expect(Array.from(out.codes!)).toEqual([0, 1, 1]);
    expect(out.bad).toBe(3);
    expect(Array.from(trades.ts)).toEqual([5, 1, 4, 3, 6, Number.NaN]); // the input untouched
  });

  it('carries each symbol last time from one call to the next', () => {
    const lasts = new LastTimes();
    screenTrades({ ts: f64(10), price: f64(1), volume: f64(1) }, Int32Array.of(20), lasts, () => undefined);
    const bad: BadTrade[] = [];
    screenTrades({ ts: f64(9, 11), price: f64(1, 1), volume: f64(1, 1) }, Int32Array.of(20, 3), lasts, (b) => bad.push(b));
    expect(bad.map((b) => [b.row, b.reason])).toEqual([[0, 'order']]);
  });
});

describe('screenTrades, property', () => {
  it('over any chunking equals the rule applied row by row to the whole (seeded)', () => {
    const value = fc.oneof(
      { weight: 12, arbitrary: fc.integer({ min: 1, max: 50 }) },
      { weight: 1, arbitrary: fc.constantFrom(Number.NaN, 0, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
    );
    const row = fc.record({ dt: fc.integer({ min: -3, max: 5 }), p: value, v: value, code: fc.integer({ min: 0, max: 4 }) });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1 }), (rows, cuts) => {
        let t = 0;
        const ts = Float64Array.from(rows, (r) => (t += r.dt));
        const price = Float64Array.from(rows, (r) => r.p);
        const volume = Float64Array.from(rows, (r) => r.v - 1); // volume 0 and -1 in range too
        const codes = Int32Array.from(rows, (r) => r.code);
        // the oracle: tradeFault row by row, each symbol's last good time
        const last = new Map<number, number>();
        const want: number[] = [];
        for (let i = 0; i < rows.length; i++) {
          if (tradeFault(ts[i], price[i], volume[i], last.get(codes[i]) ?? Number.NEGATIVE_INFINITY) === undefined) {
            want.push(i);
            last.set(codes[i], ts[i]);
          }
        }
        const lasts = new LastTimes();
        const got = { ts: [] as number[], price: [] as number[], volume: [] as number[], codes: [] as number[] };
        for (let from = 0, c = 0; from < rows.length; c++) {
          const to = Math.min(rows.length, from + cuts[c % cuts.length]);
          const part = (x: Float64Array) => x.slice(from, to);
          const out = screenTrades(
            { ts: part(ts), price: part(price), volume: part(volume) },
            codes.slice(from, to),
            lasts,
            () => undefined,
          );
          got.ts.push(...out.trades.ts);
          got.price.push(...out.trades.price);
          got.volume.push(...out.trades.volume);
          got.codes.push(...out.codes!);
          from = to;
        }
        const take = (x: ArrayLike<number>) => want.map((i) => x[i]);
        expect(got).toEqual({ ts: take(ts), price: take(price), volume: take(volume), codes: take(codes) });
      }),
      { numRuns: 300 },
    );
  });
});

describe('RowLines', () => {
  const file = (text: string | Buffer, name = 'x.csv') => {
    const path = join(mkdtempSync(join(tmpdir(), 'kb-lines-')), name);
    writeFileSync(path, text);
    return path;
  };
  const text = '\n\nts,price,note\r\n1,2,"a\nb"\n\n\r\n2,3,x"y\n3,4,"c ""\nd"" e"\n4,5,\n';

  it('finds the line each data row starts on: blank lines, CRLF, quoted fields over lines', async () => {
    const lines = (await RowLines.of(file(text), ','))!;
    expect([await lines.lineOf(0), await lines.lineOf(1), await lines.lineOf(2), await lines.lineOf(3)]).toEqual([4, 8, 9, 11]);
    expect(await lines.lineOf(4)).toBeUndefined();
  });

  it('reads gzip files', async () => {
    const lines = (await RowLines.of(file(gzipSync(text), 'x.csv.gz'), ','))!;
    expect(await lines.lineOf(2)).toBe(9);
  });
});

describe('readTrades badTrades', () => {
  const tape = damagedTape();

  it('fail names the file and line, the rule, the value and the symbol', async () => {
    const error = await readTrades(tape.path, { badTrades: 'fail' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelInputError);
    expect((error as Error).message).toBe(`${tape.path}:${tape.line}: expected a finite price > 0, got -557.53 (JPM)`);
  });

  it('skip leaves the trade out and counts it; the others stay', async () => {
    const clean = await readTrades(cleanTapePath);
    const read = await readTrades(tape.path, { badTrades: 'skip' });
    expect(read.trades.ts.length).toBe(clean.trades.ts.length - 1);
    expect(read.symbols!.codes.length).toBe(read.trades.ts.length);
    const report = read.info.badTrades!;
    expect(report).toMatchObject({ policy: 'skip', count: 1, byReason: { ts: 0, order: 0, price: 1, volume: 0 } });
    expect(report.first).toMatchObject({ where: `${tape.path}:${tape.line}`, row: tape.row + 1, symbol: 'JPM', value: -557.53 });
    expect(report.rejected).toBeUndefined();
    // every other row as the clean tape has it
    const drop = (x: Float64Array) => Array.from(x).filter((_, i) => i !== tape.row);
    expect(Array.from(read.trades.price)).toEqual(drop(clean.trades.price));
    expect(Array.from(read.trades.bid!)).toEqual(drop(clean.trades.bid!));
  });

  it('reject lists every bad trade; a chunked read keeps rows, lines and order across chunks', async () => {
    const read: { rows: number; report?: unknown }[] = [];
    let last: Awaited<ReturnType<typeof readTrades>> | undefined;
    for await (const chunk of readTradesChunks(tape.path, { badTrades: 'reject', chunkRows: 64 })) {
      read.push({ rows: chunk.trades.ts.length });
      last = chunk;
    }
    expect(read.reduce((n, c) => n + c.rows, 0)).toBe(tape.trades - 1);
    expect(last!.info.badTrades!.rejected!.map((r) => r.where)).toEqual([`${tape.path}:${tape.line}`]);
  });

  it('without badTrades the rows are as the file has them', async () => {
    const read = await readTrades(tape.path);
    expect(read.trades.price[tape.row]).toBe(-557.53);
    expect(read.info.badTrades).toBeUndefined();
  });

  it('names rows of a Parquet or stdin-like source, and refuses an unknown policy', async () => {
    const bytes = new TextEncoder().encode('ts,price,volume\n1,2,3\n2,-1,3\n');
    const error = await readTrades(bytes, { badTrades: 'fail' }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('buffer: row 2: expected a finite price > 0, got -1');
    await expect(readTrades(bytes, { badTrades: 'drop' as never })).rejects.toThrow(
      "options.badTrades: expected 'fail', 'skip', 'reject', got \"drop\"",
    );
  });
});

describe('readTrades badTrades on gzip', () => {
  it('names the line of a gzip CSV', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kb-gz-')), 't.csv.gz');
    writeFileSync(path, gzipSync('ts,price,volume\n1,2,3\n\n2,3,-3\n'));
    await expect(readTrades(path, { badTrades: 'fail' })).rejects.toThrow(`${path}:4: expected a finite volume >= 0, got -3`);
  });
});

describe('screenTrades, a row without a symbol', () => {
  it('is refused, naming the row', () => {
    const trades = { ts: f64(1, 2), price: f64(1, 1), volume: f64(1, 1) };
    expect(() => screenTrades(trades, Int32Array.of(0, -1), new LastTimes(), () => undefined)).toThrow(
      'symbols: expected a symbol on every trade, got none at row 1',
    );
  });
});
