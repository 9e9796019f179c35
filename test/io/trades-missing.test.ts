/**
 * readTrades with a trade screen (`badTrades`) on Parquet and Arrow leaves the missing-value check to
 * the screen: a read the rule finds all good runs no NaN scan (the rule takes only finite times, prices
 * and volumes), and a missing ts, price or volume (NaN or null) is refused with the same error, naming
 * the same row, under every policy and without one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { KernelInputError } from '../../src/errors.js';
import { writeArrow } from '../../src/io/arrow.js';
import { writeParquet } from '../../src/io/parquet.js';
import { readTrades } from '../../src/io/trades.js';
import type { Table } from '../../src/io/types.js';
import { inCI } from '../helpers/backends.js';

const binding = loadNative().binding;
const suite = binding || inCI ? describe : describe.skip;
const dir = mkdtempSync(join(tmpdir(), 'kb-trades-missing-'));
const at = (name: string) => join(dir, name);
const n = 300_000; // past one scan chunk (2^18 rows) of the native scans
const POLICIES = [undefined, 'fail', 'skip', 'reject'] as const;

/** A good tape of n rows (times rising, prices > 0, volumes >= 0). */
function tape() {
  return {
    ts: Float64Array.from({ length: n }, (_, i) => 1.7e12 + i),
    price: Float64Array.from({ length: n }, (_, i) => 100 + (i % 7)),
    volume: Float64Array.from({ length: n }, (_, i) => i % 5),
  };
}

type Columns = ReturnType<typeof tape>;

async function write(format: 'arrow' | 'parquet', name: string, columns: Columns): Promise<string> {
  const path = at(`${name}.${format}`);
  const table: Table = { rows: n, names: ['ts', 'price', 'volume'], columns, types: { ts: 'time', price: 'number', volume: 'number' } };
  await (format === 'arrow' ? writeArrow(path, table) : writeParquet(path, table));
  return path;
}

afterEach(() => {
  vi.restoreAllMocks();
});

suite('readTrades: the screen checks missing values', () => {
  for (const format of ['arrow', 'parquet'] as const) {
    it(`${format}: a NaN in ts, price or volume is refused as without a screen, under every policy`, async () => {
      for (const [column, row] of [
        ['ts', 0],
        ['price', 280_001],
        ['volume', n - 1],
      ] as const) {
        const columns = tape();
        columns[column][row] = Number.NaN;
        // a bad trade (a price <= 0) before the NaN: the screen stops at it first, the missing value is still named
        columns.price[5] = -1;
        const path = await write(format, `nan-${column}`, columns);
        const error = new KernelInputError(`${path}: row ${row + 1}`, `a value in column ${column}`, 'a missing value');
        for (const badTrades of POLICIES) await expect(readTrades(path, { badTrades }), `${column} ${badTrades}`).rejects.toThrow(error);
      }
    }, 60_000);

    it(`${format}: bad trades without a missing value are screened as before`, async () => {
      const columns = tape();
      columns.price[7] = 0;
      columns.volume[280_000] = -2;
      const path = await write(format, 'bad', columns);
      const skip = await readTrades(path, { badTrades: 'skip' });
      expect(skip.trades.ts.length).toBe(n - 2);
      expect(skip.info.badTrades).toMatchObject({ count: 2, byReason: { price: 1, volume: 1 } });
      const reject = await readTrades(path, { badTrades: 'reject' });
      expect(reject.info.badTrades?.rejected?.map((r) => r.row)).toEqual([8, 280_001]);
      await expect(readTrades(path, { badTrades: 'fail' })).rejects.toThrow(/row 8\b/);
    }, 30_000);
  }

  it('arrow: a null price is refused under every policy (nulls read as NaN)', async () => {
    const { ts, price, volume } = tape();
    const withNull = arrow.vectorFromArray(
      Array.from(price, (p, i) => (i === 123_456 ? null : p)),
      new arrow.Float64(),
    );
    const path = at('null-price.arrow');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      path,
      arrow.tableToIPC(new arrow.Table({ ts: arrow.makeVector(ts), price: withNull, volume: arrow.makeVector(volume) }), 'file'),
    );
    const error = new KernelInputError(`${path}: row 123457`, 'a value in column price', 'a missing value');
    for (const badTrades of POLICIES) await expect(readTrades(path, { badTrades }), String(badTrades)).rejects.toThrow(error);
  }, 30_000);

  it('arrow: a good read with a screen runs no NaN scan; without one it does', async () => {
    const path = await write('arrow', 'good', tape());
    const scan = vi.spyOn(binding!, 'firstNaN');
    const screened = await readTrades(path, { badTrades: 'fail' });
    expect(screened.trades.ts.length).toBe(n);
    expect(screened.info.badTrades?.count).toBe(0);
    expect(scan).not.toHaveBeenCalled();
    const plain = await readTrades(path);
    expect(Array.from(plain.trades.price)).toEqual(Array.from(screened.trades.price));
    expect(scan).toHaveBeenCalled(); // the zero-copy float columns (a column the decode converted is known)
  }, 30_000);
});
