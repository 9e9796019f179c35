/**
 * `kernelbus/io`: tables in and out (docs/io.md). readTable reads CSV/TSV (plain or gzip), Parquet or
 * Arrow IPC into one Table; readTableChunks streams a CSV in tables of rows; writeTable writes CSV,
 * TSV, JSON Lines, Parquet or Arrow by the path's extension. readTrades and readReturns give the
 * arrays the kernels take plus their labels. The Parquet and Arrow modules (and their libraries) load
 * only when a file of that format is read or written.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { KernelInputError } from '../errors.js';
import { type RecordValue, tableOf } from './records.js';
import { type ReadTableOptions, readOpened, readOpenedChunks } from './read.js';
import { formatOfPath, openSource, type TableSource } from './source.js';
import { writeCsv, writeJsonLines } from './text-writer.js';
import type { Table } from './types.js';

export * from './types.js';
export type { CsvReadOptions } from './csv.js';
export type { ReadTableOptions } from './read.js';
export { formatOfBytes, formatOfPath, type TableFormat, type TableSource } from './source.js';
export { readTrades, readTradesChunks, splitBySymbol, type ReadTradesOptions, type TradesRead, type SymbolTrades } from './trades.js';
export type { BadTradeNote, BadTradesReport } from './trade-screen.js';
export type { BadTradePolicy, BadTradeReason } from '../kernels/trade-check.js';
export { readReturns, type ReadReturnsOptions, type ReturnsRead } from './returns.js';
export { tableOf, type RecordValue } from './records.js';

/**
 * Reads a table from a path (`-`: stdin), bytes or a stream: CSV/TSV (`.csv .tsv .tab .txt`, each
 * optionally `.gz`), Parquet (`.parquet .pq`) or Arrow IPC (`.arrow .feather .ipc .arrows`), by
 * `options.format`, else the extension, else the first bytes (`PAR1`, `ARROW1`, gzip), else CSV.
 * `columns` reads those columns only; the other options are the CSV reader's (docs/io.md). Bad input
 * throws KernelInputError naming `<file>:<line>:<column>`.
 */
export async function readTable(source: TableSource, options: ReadTableOptions = {}): Promise<Table> {
  const opened = await openSource(source, options, false);
  return readOpened(opened, options);
}

/**
 * Reads a table in tables of about `chunkRows` rows (CSV; Arrow: one per record batch; Parquet: one), each
 * handed out before the next is read: for files larger than memory, e.g. into `vpinStream`:
 * `for await (const t of readTableChunks('tape.csv', { chunkRows: 1e6 })) stream.update(...)`.
 */
export async function* readTableChunks(
  source: TableSource,
  options: ReadTableOptions & { chunkRows?: number } = {},
): AsyncGenerator<Table> {
  yield* readOpenedChunks(await openSource(source, options, false), options);
}

/** The formats writeTable writes. */
export type WriteFormat = 'csv' | 'tsv' | 'jsonl' | 'parquet' | 'arrow';

const WRITE_EXTENSIONS: Record<string, WriteFormat> = {
  csv: 'csv',
  txt: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  parquet: 'parquet',
  pq: 'parquet',
  arrow: 'arrow',
  feather: 'arrow',
  ipc: 'arrow',
};

/** Options of writeTable. */
export interface WriteTableOptions {
  /** csv, tsv, jsonl, parquet or arrow: else by the extension (`-`, stdout: csv). */
  format?: WriteFormat;
  /** CSV's delimiter (default ',', '\t' for tsv). */
  delimiter?: string;
  /** Parquet's compression (the Parquet writer's default when absent). */
  compression?: string;
}

/** The format writeTable writes `path` in (KernelInputError naming `argument` when neither says). */
export function writeFormatOf(path: string, format?: string, argument = 'path'): WriteFormat {
  if (format !== undefined) {
    if (!Object.values(WRITE_EXTENSIONS).includes(format as WriteFormat)) {
      throw new KernelInputError('options.format', 'csv, tsv, jsonl, parquet or arrow', JSON.stringify(format));
    }
    return format as WriteFormat;
  }
  if (path === '-') return 'csv';
  const lower = path.toLowerCase().replace(/\.gz$/, '');
  const ext = lower.slice(lower.lastIndexOf('.') + 1);
  const found = lower.includes('.') ? WRITE_EXTENSIONS[ext] : undefined;
  if (!found) {
    throw new KernelInputError(
      argument,
      'a file ending .csv, .tsv, .jsonl, .parquet or .arrow (.feather, .ipc; .csv.gz, .tsv.gz, .jsonl.gz)',
      JSON.stringify(path),
    );
  }
  return found;
}

/**
 * Writes `table` to `path` (`-`: stdout) as CSV, TSV, JSON Lines, Parquet or Arrow IPC by
 * `options.format`, else the extension (`.csv .tsv .jsonl .ndjson .parquet .pq .arrow .feather
 * .ipc`; a text format with `.gz` is gzip-compressed). CSV writes numbers as `String(x)` (read back
 * to the same bits), NaN as an empty field, times as epoch ms, text quoted when it must be; JSON
 * Lines writes one object per row, NaN as null. See src/io/text-writer.ts. Rows of `{ name: value }`
 * (`toRecords(result)` of a kernel's result) are written as `tableOf(records)`.
 */
export async function writeTable(
  path: string,
  tableOrRecords: Table | readonly Record<string, RecordValue>[],
  options: WriteTableOptions = {},
): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new KernelInputError('path', 'a file path or -', JSON.stringify(path));
  const table = Array.isArray(tableOrRecords) ? tableOf(tableOrRecords) : (tableOrRecords as Table);
  const format = writeFormatOf(path, options.format);
  if (format === 'parquet' || format === 'arrow') {
    if (path !== '-') return writeBinary(format, path, table, options);
    // stdout: written to a temporary file, then copied out
    const dir = await mkdtemp(join(tmpdir(), 'kernelbus-'));
    try {
      const file = join(dir, `out.${format}`);
      await writeBinary(format, file, table, options);
      await pipeline(createReadStream(file), process.stdout, { end: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return;
  }
  const write = (to: string) =>
    format === 'jsonl' ? writeJsonLines(to, table) : writeCsv(to, table, options.delimiter ?? (format === 'tsv' ? '\t' : ','));
  if (path === '-' || !formatOfPath(path).gzip) return write(path);
  // .gz: written plain to a temporary file, then compressed into place
  const dir = await mkdtemp(join(tmpdir(), 'kernelbus-'));
  try {
    const plain = join(dir, 'out');
    await write(plain);
    await pipeline(createReadStream(plain), createGzip(), createWriteStream(path));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Parquet or Arrow through their modules (loaded here). */
async function writeBinary(format: 'parquet' | 'arrow', path: string, table: Table, options: WriteTableOptions): Promise<void> {
  if (format === 'parquet') {
    const { writeParquet } = await import('./parquet.js');
    await writeParquet(path, table, options.compression === undefined ? {} : ({ compression: options.compression } as never));
  } else {
    const { writeArrow } = await import('./arrow.js');
    await writeArrow(path, table);
  }
}
