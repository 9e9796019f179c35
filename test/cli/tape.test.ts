/**
 * Issue 37's key test: a multi-symbol tape (8 symbols interleaved, bid/ask, a quoted text column with
 * commas) written as CSV, Parquet and Arrow: `kernelbus vpin` gives, per symbol, exactly vpin() on that
 * symbol's rows, with BVC and with Lee-Ready, in one output with a symbol column; the three formats
 * give identical outputs; --symbols filters; the summary has a row per symbol.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVpin } from '../../src/cli/vpin.js';
import { defaultBucketVolume } from '../../src/cli/vpin-symbols.js';
import { vpin } from '../../src/index.js';
import { isText, readTable, type Table, type TextColumn, writeTable } from '../../src/io/index.js';
import type { Trades, VpinOptions } from '../../src/kernels/vpin/vpin.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-tape-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOG', 'META', 'TSLA', 'JPM'];
const VENUES = ['XNAS, Nasdaq', 'XNYS, "Big Board"', 'ARCX, NYSE Arca', 'BATS'];
const ROWS = 12_000;

/** The seeded tape: one row per trade, symbols interleaved, each symbol's prices on a cent grid around its own mid. */
function makeTape(): { table: Table; bySymbol: Map<string, Trades> } {
  let seed = 37;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const ts = new Float64Array(ROWS);
  const price = new Float64Array(ROWS);
  const size = new Float64Array(ROWS);
  const bid = new Float64Array(ROWS);
  const ask = new Float64Array(ROWS);
  const symbol = new Int32Array(ROWS);
  const venue = new Int32Array(ROWS);
  const mids = SYMBOLS.map((_, i) => 50 + 40 * i);
  let t = 1795098600000;
  for (let i = 0; i < ROWS; i++) {
    t += 1 + Math.floor(random() * 4000);
    const s = Math.floor(random() * SYMBOLS.length);
    mids[s] *= 1 + 0.002 * (random() - 0.5);
    const half = 0.01 * (1 + Math.floor(random() * 3));
    bid[i] = Math.round((mids[s] - half) * 100) / 100;
    ask[i] = Math.round((mids[s] + half) * 100) / 100;
    const u = random();
    price[i] = u < 0.4 ? bid[i] : u < 0.8 ? ask[i] : Math.round(((bid[i] + ask[i]) / 2) * 100) / 100;
    // every 97th trade has no quote
    if (i % 97 === 0) bid[i] = ask[i] = Number.NaN;
    ts[i] = t;
    size[i] = 100 * (1 + Math.floor(random() * 20));
    symbol[i] = s;
    venue[i] = Math.floor(random() * VENUES.length);
  }
  const table: Table = {
    rows: ROWS,
    names: ['ts', 'symbol', 'price', 'size', 'bid', 'ask', 'venue'],
    columns: {
      ts,
      symbol: { codes: symbol, values: SYMBOLS },
      price,
      size,
      bid,
      ask,
      venue: { codes: venue, values: VENUES },
    },
    types: { ts: 'time', symbol: 'text', price: 'number', size: 'number', bid: 'number', ask: 'number', venue: 'text' },
  };
  const bySymbol = new Map<string, Trades>();
  SYMBOLS.forEach((name, s) => {
    const rows = [...symbol.keys()].filter((i) => symbol[i] === s);
    const pick = (c: Float64Array) => Float64Array.from(rows, (i) => c[i]);
    bySymbol.set(name, { ts: pick(ts), price: pick(price), volume: pick(size), bid: pick(bid), ask: pick(ask) });
  });
  return { table, bySymbol };
}

const { table, bySymbol } = makeTape();
const FORMATS = ['csv', 'parquet', 'arrow'] as const;
const files = Object.fromEntries(FORMATS.map((f) => [f, join(dir, `tape.${f}`)])) as Record<(typeof FORMATS)[number], string>;

beforeAll(async () => {
  for (const f of FORMATS) await writeTable(files[f], table);
});

/** The rows of an output table for one symbol, as columns. */
function symbolRows(out: Table, symbol: string): Record<string, Float64Array> {
  const s = out.columns.symbol as TextColumn;
  const code = s.values.indexOf(symbol);
  const rows = [...s.codes.keys()].filter((i) => s.codes[i] === code);
  return Object.fromEntries(
    out.names.filter((n) => n !== 'symbol').map((n) => [n, Float64Array.from(rows, (i) => (out.columns[n] as Float64Array)[i])]),
  );
}

describe('kernelbus vpin on a multi-symbol tape', () => {
  it('the tape holds what the test means: 8 symbols interleaved, a quoted venue with commas and quotes, some trades without a quote', () => {
    const csv = readFileSync(files.csv, 'utf8');
    expect(csv.split('\n')[0]).toBe('ts,symbol,price,size,bid,ask,venue');
    expect(csv).toContain('"XNYS, ""Big Board"""');
    expect(new Set((table.columns.symbol as TextColumn).codes.subarray(0, 60)).size).toBe(8);
    for (const [symbol, t] of bySymbol) expect(t.ts.length, symbol).toBeGreaterThan(500);
    expect(Array.from(bySymbol.get('AAPL')!.bid!).filter(Number.isNaN).length).toBeGreaterThan(5);
  });

  for (const [name, classifier, flags] of [
    ['BVC', undefined, []],
    ['Lee-Ready', { algorithm: 'lee-ready' as const }, ['--classifier', 'lee-ready']],
  ] as const) {
    it(`${name}: per symbol exactly vpin() on that symbol's rows, one output with a symbol column; CSV, Parquet and Arrow identical`, async () => {
      const outputs: string[] = [];
      for (const f of FORMATS) {
        const out = join(dir, `buckets-${name}-${f}.csv`);
        const lines: string[] = [];
        expect(await runVpin([files[f], '--bucket-volume', '20000', '--window', '20', ...flags, '--out', out], (l) => lines.push(l))).toBe(
          0,
        );
        outputs.push(readFileSync(out, 'utf8'));
        expect(lines[0]).toMatch(/^12000 trades, 8 symbols;/);
        expect(lines[1].split(/\s+/)).toEqual([
          'symbol',
          'trades',
          'bucket',
          'vol',
          'buckets',
          'with',
          'VPIN',
          'last',
          'mean',
          'max',
          'alerts',
        ]);
        expect(lines.slice(2, 10).map((l) => l.split(/\s+/)[0])).toEqual([...SYMBOLS].sort((a, b) => firstRow(a) - firstRow(b)));
      }
      expect(outputs[1]).toBe(outputs[0]);
      expect(outputs[2]).toBe(outputs[0]);
      const out = await readTable(join(dir, `buckets-${name}-csv.csv`));
      expect(out.names).toEqual(['symbol', 'startTs', 'endTs', 'duration', 'buyVolume', 'sellVolume', 'vpin', 'cdf']);
      const options: VpinOptions = { bucketVolume: 20000, window: 20, ...(classifier ? { classifier: { ...classifier } } : {}) };
      for (const symbol of SYMBOLS) {
        const expected = vpin(bySymbol.get(symbol)!, options);
        const got = symbolRows(out, symbol);
        expect(expected.vpin.length, symbol).toBeGreaterThan(20);
        for (const key of Object.keys(got)) expect(got[key], `${symbol} ${key}`).toEqual(expected[key as keyof typeof expected]);
      }
    });
  }

  it('--symbols filters (in its order), --json reports each symbol with its own default bucket volume; Parquet to --out', async () => {
    const lines: string[] = [];
    const out = join(dir, 'two.parquet');
    expect(await runVpin([files.arrow, '--symbols', 'TSLA,AAPL', '--json', '--out', out], (l) => lines.push(l))).toBe(0);
    const report = JSON.parse(lines.join('\n'));
    expect(report.symbols.map((s: { symbol: string }) => s.symbol)).toEqual(['TSLA', 'AAPL']);
    expect(report.trades).toBe(ROWS);
    for (const s of report.symbols) {
      const trades = bySymbol.get(s.symbol)!;
      expect(s.trades).toBe(trades.ts.length);
      expect(s.bucketVolume).toBe(defaultBucketVolume(trades));
      expect(s.buckets).toBe(vpin(trades, { bucketVolume: s.bucketVolume }).vpin.length);
    }
    expect(report.read).toMatchObject({ format: 'arrow', rows: ROWS, skippedRows: 0 });
    const written = await readTable(out);
    expect(isText(written.columns.symbol) && written.columns.symbol.values).toEqual(['TSLA', 'AAPL']);
    const firstSeen = [...SYMBOLS].sort((a, b) => firstRow(a) - firstRow(b)).join(', ');
    await expect(runVpin([files.csv, '--symbols', 'TSLA,IBM'], () => {})).rejects.toThrow(
      `--symbols: expected symbols of the tape (${firstSeen}), got "IBM"`,
    );
  });
});

/** The row of a symbol's first trade (the output's symbol order). */
function firstRow(symbol: string): number {
  const s = table.columns.symbol as TextColumn;
  return s.codes.indexOf(SYMBOLS.indexOf(symbol));
}

describe('defaultBucketVolume', () => {
  const tape = (n: number, spanMs: number, volume: (i: number) => number): Trades => ({
    ts: Float64Array.from({ length: n }, (_, i) => 1.7e12 + (n > 1 ? Math.round((i * spanMs) / (n - 1)) : 0)),
    price: new Float64Array(n).fill(100),
    volume: Float64Array.from({ length: n }, (_, i) => volume(i)),
  });

  it('is the volume per day / 50, days counted from the first trade to the last (any length, the four lanes and the tail)', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 1001]) {
      // integer volumes: every order of the additions gives the exact total
      const total = (n * (n + 1)) / 2;
      expect(defaultBucketVolume(tape(n, 3_600_000, (i) => i + 1))).toBe(total / 50);
      expect(defaultBucketVolume(tape(n, 2 * 86_400_000, (i) => i + 1))).toBe(n > 1 ? total / 3 / 50 : total / 50);
    }
  });

  it('is 1 for an empty tape or one without volume, and the float sum is the exact one to 1e-9', () => {
    expect(defaultBucketVolume(tape(0, 0, () => 1))).toBe(1);
    expect(defaultBucketVolume(tape(9, 1000, () => 0))).toBe(1);
    const trades = tape(100_003, 3_600_000, (i) => 0.1 + (i % 7) * 0.37);
    let exact = 0n;
    for (const v of trades.volume) exact += BigInt(Math.round(v * 100)); // each volume has two decimals
    expect(Math.abs(defaultBucketVolume(trades) * 50 - Number(exact) / 100)).toBeLessThan(1e-9 * (Number(exact) / 100));
  });
});
