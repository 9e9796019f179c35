/**
 * The damaged tape of issue 88: examples/tape.csv with one trade of JPM at a negative price (the 10th
 * of JPM's trades, as a user's tape had one), written to a fresh folder. Every command and engine test
 * of the trade rule reads this same file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The damaged tape: its path, the line and data row of the bad trade, the symbol and the price written. */
export interface DamagedTape {
  path: string;
  /** 1-based line of the damaged record. */
  line: number;
  /** 0-based data row of the damaged record. */
  row: number;
  symbol: string;
  price: number;
  /** JPM's trades in the clean tape. */
  symbolTrades: number;
  /** Trades in the clean tape. */
  trades: number;
}

const CLEAN = new URL('../../examples/tape.csv', import.meta.url);

/** Writes the damaged tape (JPM's `nth` trade, 1-based, at `price`) into a fresh temporary folder. */
export function damagedTape(price = -557.53, nth = 10, symbol = 'JPM'): DamagedTape {
  const lines = readFileSync(CLEAN, 'utf8').split('\n');
  let seen = 0;
  let at = -1;
  for (let i = 1; i < lines.length && at < 0; i++) {
    if (lines[i].split(',')[1] === symbol && ++seen === nth) at = i;
  }
  if (at < 0) throw new Error(`damagedTape: ${symbol} has fewer than ${nth} trades`);
  const fields = lines[at].split(',');
  fields[2] = String(price);
  lines[at] = fields.join(',');
  const path = join(mkdtempSync(join(tmpdir(), 'kb-damaged-')), 'tape.csv');
  writeFileSync(path, lines.join('\n'));
  const data = lines.slice(1).filter((l) => l !== '');
  return {
    path,
    line: at + 1,
    row: at - 1,
    symbol,
    price,
    symbolTrades: data.filter((l) => l.split(',')[1] === symbol).length,
    trades: data.length,
  };
}

/** The clean tape's path. */
export const cleanTapePath = CLEAN.pathname;
