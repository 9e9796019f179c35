/**
 * The readers' threads: a native read runs on its `threads` option, else on the default
 * (KERNELBUS_THREADS, else the cores), never on whatever count a `kernels({ threads })` call set
 * before it (the addon's count is process-wide: a read after a one-thread kernel took 1.8x as long).
 * Observed through the addon's setThreads, which each native read calls when the count it needs is
 * not the one set; the tables are the same whatever the count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { kernels } from '../../src/api/kernels.js';
import { KernelInputError } from '../../src/errors.js';
import { readArrow, writeArrow } from '../../src/io/arrow.js';
import { readCsv } from '../../src/io/csv.js';
import { readParquet, writeParquet } from '../../src/io/parquet.js';
import { readReturns } from '../../src/io/returns.js';
import { splitBySymbol } from '../../src/io/symbol-split.js';
import type { Table } from '../../src/io/types.js';
import { inCI } from '../helpers/backends.js';

const binding = loadNative().binding;
const dir = mkdtempSync(join(tmpdir(), 'kb-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = 5000;
const csv = Buffer.from(
  `ts,price,volume,symbol\n${Array.from({ length: rows }, (_, i) => `${1700000000000 + i},${100 + (i % 97) / 10},${1 + (i % 13)},${'ABC'[i % 3]}`).join('\n')}\n`,
);
const returnsCsv = Buffer.from(
  `date,A,B\n${Array.from({ length: 300 }, (_, i) => `2024-01-${String((i % 28) + 1).padStart(2, '0')},${(i % 7) / 100},${-(i % 5) / 100}`).join('\n')}\n`,
);

/** A one-thread kernel call: the addon's count is then 1. */
const oneThreadKernel = () =>
  kernels({ backend: 'native', threads: 1 }).sma(
    Float64Array.from({ length: 64 }, (_, i) => i),
    { timePeriod: 5 },
  );

/** The counts a read set on the addon (after a one-thread kernel call). */
async function countsSetBy(read: () => Promise<unknown> | unknown): Promise<number[]> {
  oneThreadKernel();
  const spy = vi.spyOn(binding!, 'setThreads');
  try {
    await read();
    return spy.mock.calls.map((c) => c[0] as number);
  } finally {
    spy.mockRestore();
  }
}

const plain = (t: Table) => ({ rows: t.rows, names: t.names, columns: t.columns });

describe.runIf(binding || inCI)('the readers run on their own threads, not on the last kernel call’s', () => {
  it('the addon loads (required in CI)', () => {
    expect(binding).toBeDefined();
  });

  it('readCsv: the default after a one-thread kernel, else `threads`; the same table', async () => {
    const byDefault = await readCsv(csv, { backend: 'native' });
    expect(await countsSetBy(() => readCsv(csv, { backend: 'native' }))).toEqual([0]);
    expect(await countsSetBy(() => readCsv(csv, { backend: 'native', threads: 2 }))).toEqual([2]);
    expect(await countsSetBy(() => readCsv(csv, { backend: 'native', threads: 1 }))).toEqual([]);
    expect(plain(await readCsv(csv, { backend: 'native', threads: 1 }))).toEqual(plain(byDefault));
  });

  it('readReturns (its wide native reader): the default, else `threads`', async () => {
    expect(await countsSetBy(() => readReturns(returnsCsv, { backend: 'native' }))).toEqual([0]);
    expect(await countsSetBy(() => readReturns(returnsCsv, { backend: 'native', threads: 2 }))).toEqual([2]);
  });

  it('readParquet and readArrow: the default, else `threads`; the same table', async () => {
    const table = await readCsv(csv, { backend: 'native', columns: ['ts', 'price', 'volume'] });
    const parquet = join(dir, 't.parquet');
    const arrow = join(dir, 't.arrow');
    await writeParquet(parquet, table);
    await writeArrow(arrow, table);
    expect(await countsSetBy(() => readParquet(parquet, { reader: 'native' }))).toEqual([0]);
    expect(await countsSetBy(() => readParquet(parquet, { reader: 'native', threads: 2 }))).toEqual([2]);
    expect(await countsSetBy(() => readArrow(arrow, { reader: 'native' }))).toEqual([0]);
    expect(await countsSetBy(() => readArrow(arrow, { reader: 'native', threads: 2 }))).toEqual([2]);
    expect(plain(await readParquet(parquet, { threads: 1 }))).toEqual(plain(await readParquet(parquet)));
  });

  it('splitBySymbol: the default, else `threads`', async () => {
    const t = await readCsv(csv, { backend: 'native' });
    const trades = { ts: t.columns.ts as Float64Array, price: t.columns.price as Float64Array, volume: t.columns.volume as Float64Array };
    const symbols = t.columns.symbol as { codes: Int32Array; values: string[] };
    expect(await countsSetBy(() => splitBySymbol(trades, symbols))).toEqual([0]);
    expect(await countsSetBy(() => splitBySymbol(trades, symbols, { threads: 2 }))).toEqual([2]);
  });

  it('a bad `threads` is a KernelInputError naming options.threads', async () => {
    for (const threads of [0, 1.5, 2000, '2' as unknown as number]) {
      await expect(readCsv(csv, { threads })).rejects.toMatchObject({ argument: 'options.threads' });
      await expect(readCsv(csv, { threads })).rejects.toBeInstanceOf(KernelInputError);
      await expect(readReturns(returnsCsv, { threads })).rejects.toMatchObject({ argument: 'options.threads' });
      await expect(readParquet(join(dir, 't.parquet'), { threads })).rejects.toMatchObject({ argument: 'options.threads' });
      await expect(readArrow(join(dir, 't.arrow'), { threads })).rejects.toMatchObject({ argument: 'options.threads' });
    }
  });
});
