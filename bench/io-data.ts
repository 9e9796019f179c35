/**
 * The io bench's input files, deterministic (seeded mulberry32) and written once to a cache folder
 * under os.tmpdir() (never the repo), reused by later runs and by the peers' script
 * (bench/peers/io.py reads the same folder):
 * - `trades-<n>.csv`: a single-symbol tape `ts,price,volume` of n trades: ts 13-digit epoch ms rising
 *   by 0-19 ms (about 100 trades a second), price a cent-grid walk around 100 with 2 decimals (45 %
 *   zero ticks), integer volumes 1-199; about 25 bytes a row (2*10^6 rows: 49 MB, as in issue 37);
 * - `tape8-<n>.csv`: 8 symbols interleaved, `symbol,ts,price,size,bid,ask` (bid and ask a cent or two
 *   either side of the price);
 * - `returns-2520x500.csv`: a date column (ISO business days from 2015-01-02) and 500 assets of daily
 *   returns (about 1 % a day) written with at most 7 significant digits;
 * - `trades-<n>.parquet` (zstd) and `trades-<n>.arrow` (IPC file): the same tape, written by our own
 *   writers (src/io/parquet.ts, src/io/arrow.ts) once they exist.
 * A file is written under a temporary name and renamed when complete, so that an interrupted run
 * leaves nothing to reuse. `npx tsx bench/io-data.ts [n ...]` writes the files and prints their paths.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Table } from '../src/io/types.js';
import { prng } from './lib.js';

/** The cache folder (its version changes with the generators, so stale files are never reused). */
export const IO_DATA_DIR = join(tmpdir(), 'kernelbus-bench-io-v1');

/** Rows of the single-symbol tapes: the 49 MB file and its 10^7-trade target. */
export const SMALL_TAPE = 2_000_000;
export const BIG_TAPE = 10_000_000;
/** Rows of the 8-symbol tape. */
export const TAPE8_ROWS = 2_000_000;
/** The returns panel: ten years of business days of 500 assets. */
export const RETURNS_DATES = 2520;
export const RETURNS_ASSETS = 500;

/** '2e6', '1e7', '12345': a row count as a file name part. */
export function countLabel(n: number): string {
  const exp = Math.floor(Math.log10(n));
  const mantissa = n / 10 ** exp;
  return Number.isInteger(mantissa) && exp >= 3 ? `${mantissa}e${exp}` : String(n);
}

/** The path of a cache file. */
export const dataPath = (name: string) => join(IO_DATA_DIR, name);

/** '100.25' from 10025 cents (cents >= 0). */
function cents(c: number): string {
  const r = c % 100;
  return `${(c - r) / 100}.${r < 10 ? '0' : ''}${r}`;
}

/** One trade of a cent-grid walk: the state a tape generator carries from row to row. */
interface Walk {
  ts: number;
  cents: number;
}

/** Advances a walk by one trade: 0-19 ms later, 45 % zero ticks, else a cent up or down (kept above $10). */
function step(w: Walk, rnd: () => number): void {
  w.ts += Math.floor(rnd() * 20);
  const u = rnd();
  if (u >= 0.45) w.cents += u < 0.725 ? -1 : 1;
  if (w.cents < 1000) w.cents = 1000;
}

/** Volumes 1-199. */
const volumeOf = (rnd: () => number) => 1 + Math.floor(rnd() * 199);

/**
 * Writes a file of `rows` lines from `line(i)` (after `header`), in 64k-line pieces, under a temporary
 * name renamed when complete. Does nothing when the file exists. Returns the path.
 */
function writeLines(name: string, header: string, rows: number, line: (i: number) => string): string {
  const path = dataPath(name);
  if (existsSync(path)) return path;
  mkdirSync(IO_DATA_DIR, { recursive: true });
  const part = `${path}.${process.pid}.part`;
  const fd = openSync(part, 'w');
  try {
    writeSync(fd, `${header}\n`);
    const piece: string[] = [];
    for (let i = 0; i < rows; i++) {
      piece.push(line(i));
      if (piece.length === 65_536 || i === rows - 1) {
        writeSync(fd, `${piece.join('\n')}\n`);
        piece.length = 0;
      }
    }
  } finally {
    closeSync(fd);
  }
  renameSync(part, path);
  return path;
}

/** The single-symbol tape of n trades as columns: the values its CSV holds, as a reader returns them. */
export function tradesColumns(n: number): { ts: Float64Array; price: Float64Array; volume: Float64Array } {
  const rnd = prng(37);
  const w: Walk = { ts: 1_700_000_000_000, cents: 10_000 };
  const ts = new Float64Array(n);
  const price = new Float64Array(n);
  const volume = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    step(w, rnd);
    ts[i] = w.ts;
    price[i] = w.cents / 100; // correctly rounded: the double nearest the CSV's 2-decimal text
    volume[i] = volumeOf(rnd);
  }
  return { ts, price, volume };
}

/** `trades-<n>.csv`: the single-symbol tape (the same walk as tradesColumns(n)); returns its path. */
export function tradesCsv(n: number): string {
  const rnd = prng(37);
  const w: Walk = { ts: 1_700_000_000_000, cents: 10_000 };
  return writeLines(`trades-${countLabel(n)}.csv`, 'ts,price,volume', n, () => {
    step(w, rnd);
    return `${w.ts},${cents(w.cents)},${volumeOf(rnd)}`;
  });
}

/** The 8 symbols of the multi-symbol tape. */
export const TAPE8_SYMBOLS = ['AAPL', 'MSFT', 'AMZN', 'NVDA', 'GOOGL', 'META', 'TSLA', 'BRK.B'];

/** `tape8-<n>.csv`: 8 symbols interleaved, `symbol,ts,price,size,bid,ask`; returns its path. */
export function tape8Csv(n = TAPE8_ROWS): string {
  const rnd = prng(38);
  const walks: Walk[] = TAPE8_SYMBOLS.map((_, s) => ({ ts: 0, cents: 5_000 + 5_000 * s }));
  let ts = 1_700_000_000_000;
  return writeLines(`tape8-${countLabel(n)}.csv`, 'symbol,ts,price,size,bid,ask', n, () => {
    const s = Math.floor(rnd() * TAPE8_SYMBOLS.length);
    const w = walks[s];
    step(w, rnd);
    ts += Math.floor(rnd() * 3);
    const spread = 1 + Math.floor(rnd() * 2);
    return `${TAPE8_SYMBOLS[s]},${ts},${cents(w.cents)},${volumeOf(rnd)},${cents(w.cents - spread)},${cents(w.cents + spread)}`;
  });
}

/** `returns-2520x500.csv`: a date column and 500 assets of daily returns; returns its path. */
export function returnsCsv(dates = RETURNS_DATES, assets = RETURNS_ASSETS): string {
  const rnd = prng(3);
  const names = Array.from({ length: assets }, (_, j) => `A${String(j + 1).padStart(3, '0')}`);
  let day = Date.UTC(2015, 0, 2);
  const row: string[] = new Array(assets + 1);
  return writeLines(`returns-${dates}x${assets}.csv`, `date,${names.join(',')}`, dates, (t) => {
    if (t > 0) {
      do day += 86_400_000;
      while (new Date(day).getUTCDay() % 6 === 0); // skip Saturday (6) and Sunday (0)
    }
    row[0] = new Date(day).toISOString().slice(0, 10);
    for (let j = 1; j <= assets; j++) row[j] = String(Number(((rnd() - 0.5) * 0.035).toPrecision(7)));
    return row.join(',');
  });
}

/** The single-symbol tape of n trades as a Table, as the readers return it (for our writers). */
export function tradesTable(n: number): Table {
  const { ts, price, volume } = tradesColumns(n);
  return {
    rows: n,
    names: ['ts', 'price', 'volume'],
    columns: { ts, price, volume },
    types: { ts: 'time', price: 'number', volume: 'number' },
  };
}

/**
 * Writes the cache file `name` once, by `write(path)` to a temporary path renamed when it returns
 * (for the Parquet and Arrow files, written by our own writers); returns its path.
 */
export async function writeOnce(name: string, write: (path: string) => Promise<unknown> | unknown): Promise<string> {
  const path = dataPath(name);
  if (existsSync(path)) return path;
  mkdirSync(IO_DATA_DIR, { recursive: true });
  const part = `${path}.${process.pid}.part${name.slice(name.lastIndexOf('.'))}`;
  try {
    await write(part);
    renameSync(part, path);
  } finally {
    rmSync(part, { force: true });
  }
  return path;
}

/** A file's size in bytes (0 when it does not exist). */
export function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const counts = process.argv.slice(2).map(Number);
  for (const n of counts.length > 0 ? counts : [SMALL_TAPE, BIG_TAPE]) {
    const t0 = performance.now();
    const path = tradesCsv(n);
    console.log(`${path}: ${fileBytes(path).toLocaleString('en-US')} bytes (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  for (const path of [tape8Csv(), returnsCsv()]) console.log(`${path}: ${fileBytes(path).toLocaleString('en-US')} bytes`);
}
