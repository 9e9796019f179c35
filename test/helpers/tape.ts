/** Recorded tapes for the replay tests: a seeded multi-symbol tape with quotes, as a table and as files. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyntheticMarket } from '../../src/replay/synthetic-market.js';
import { writeTable, type Table } from '../../src/io/index.js';
import type { Trades } from '../../src/index.js';

/** A tape of `n` trades of `symbols` symbols from the synthetic market, `gapMs` apart (ts from T0), with bid and ask. */
export function seededTape(n: number, symbols = 8, gapMs = 1, seed = 3, t0 = 1_790_000_000_000): Table {
  const market = new SyntheticMarket({ symbols, seed });
  const ts = new Float64Array(n);
  const price = new Float64Array(n);
  const volume = new Float64Array(n);
  const bid = new Float64Array(n);
  const ask = new Float64Array(n);
  const codes = new Int32Array(n);
  const index = new Map(market.symbols.map((s, i) => [s, i]));
  let i = 0;
  market.next(n, (key, p, v, b, a) => {
    ts[i] = t0 + Math.floor(i * gapMs);
    price[i] = p;
    volume[i] = v;
    bid[i] = b;
    ask[i] = a;
    codes[i++] = index.get(key)!;
  });
  return {
    rows: n,
    names: ['ts', 'symbol', 'price', 'volume', 'bid', 'ask'],
    columns: { ts, symbol: { codes, values: [...market.symbols] }, price, volume, bid, ask },
    types: { ts: 'time', symbol: 'text', price: 'number', volume: 'number', bid: 'number', ask: 'number' },
  };
}

/** Writes `table` to a fresh temporary directory as `name` (its extension picks the format); returns the path. */
export async function tapeFile(table: Table, name: string): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'kb-tape-')), name);
  await writeTable(path, table);
  return path;
}

/** One symbol's rows of a seeded tape, as Trades (quotes included). */
export function rowsOf(table: Table, symbol: string): Trades {
  const s = table.columns.symbol as { codes: Int32Array; values: string[] };
  const code = s.values.indexOf(symbol);
  const keep = [...s.codes.keys()].filter((i) => s.codes[i] === code);
  const col = (name: string) => Float64Array.from(keep, (i) => (table.columns[name] as Float64Array)[i]);
  return { ts: col('ts'), price: col('price'), volume: col('volume'), bid: col('bid'), ask: col('ask') };
}
