/**
 * Parquet in and out with parquet-wasm (the Rust arrow-rs Parquet reader and writer compiled to
 * WebAssembly: one package for every platform, no native binary), loaded on first use. parquet-wasm
 * hands its columns over as Arrow IPC, which the Arrow path (src/io/arrow-convert.ts) turns into a
 * Table, so Parquet and Arrow files map types the same way (docs/io.md, "Parquet and Arrow").
 */
import { writeFileSync } from 'node:fs';
import type * as ParquetWasm from 'parquet-wasm';
import { KernelInputError } from '../errors.js';
import { type ColumnarReadOptions, loadArrow } from './arrow.js';
import { arrowToTable } from './arrow-convert.js';
import { checkTable, tableToArrow } from './arrow-build.js';
import { sourceBytes } from './file-bytes.js';
import type { Table } from './types.js';

type ParquetModule = typeof ParquetWasm;
let parquetModule: Promise<ParquetModule> | undefined;

/** parquet-wasm, imported once, on the first Parquet read or write. */
function loadParquet(): Promise<ParquetModule> {
  parquetModule ??= import('parquet-wasm');
  return parquetModule;
}

/** Options of `writeParquet`. */
export interface ParquetWriteOptions {
  /** Page compression (default `zstd`). */
  compression?: 'zstd' | 'snappy' | 'none';
}

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1", at the start and the end of every Parquet file

function isParquet(bytes: Uint8Array): boolean {
  const n = bytes.length;
  return n >= 12 && MAGIC.every((b, i) => bytes[i] === b && bytes[n - 4 + i] === b);
}

/** The message of whatever parquet-wasm threw (it throws strings and Errors). */
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Reads a Parquet file into a Table: the same type mapping as readArrow (all TIMESTAMP units and
 * INT96 to epoch ms, dictionary or plain strings to text, integers, floats and booleans to numbers,
 * nulls to NaN or code -1); row groups are concatenated.
 *
 * @param source a path, or the file's bytes
 * @param options `columns`: read only these, in this order
 * @throws KernelInputError when the input is no Parquet file, is corrupt, or has a nested column
 */
export async function readParquet(source: string | Uint8Array, options: ColumnarReadOptions = {}): Promise<Table> {
  const started = performance.now();
  const { bytes, label } = sourceBytes(source);
  if (!isParquet(bytes)) {
    throw new KernelInputError(
      label,
      'a Parquet file (PAR1 at its start and end)',
      bytes.length === 0 ? 'an empty file' : `${bytes.length} bytes without it`,
    );
  }
  const [pq, arrow] = await Promise.all([loadParquet(), loadArrow()]);
  const refused = (e: unknown) => new KernelInputError(label, 'a Parquet file', `a file the Parquet reader refused: ${messageOf(e)}`);
  let names: string[];
  try {
    names = arrow.tableFromIPC(pq.readSchema(bytes).intoIPCStream()).schema.fields.map((f) => f.name);
  } catch (e) {
    throw refused(e);
  }
  for (const name of options.columns ?? []) {
    if (!names.includes(name))
      throw new KernelInputError('options.columns', `names of columns in ${label} (${names.join(', ')})`, `"${name}"`);
  }
  let ipc: Uint8Array;
  try {
    const read: ParquetWasm.ReaderOptions = { batchSize: 1 << 30 };
    if (options.columns) read.columns = [...new Set(options.columns)];
    ipc = pq.readParquet(bytes, read).intoIPCStream();
  } catch (e) {
    throw refused(e);
  }
  const arrowTable = arrow.tableFromIPC(ipc);
  const { table, timeUnits } = arrowToTable(arrow, arrowTable.schema, arrowTable.batches, label, options.columns);
  table.info = {
    source: label,
    format: 'parquet',
    bytes: bytes.length,
    skippedRows: 0,
    timeUnits,
    seconds: (performance.now() - started) / 1000,
  };
  return table;
}

/**
 * Writes `table` as a Parquet file (one row group per 1,048,576 rows; zstd unless told otherwise):
 * numbers DOUBLE, times TIMESTAMP(MILLIS or NANOS, UTC) as writeArrow chooses, text dictionary-coded
 * strings. readParquet gives back the same Table.
 *
 * @throws KernelInputError for a malformed table or option
 */
export async function writeParquet(path: string, table: Table, options: ParquetWriteOptions = {}): Promise<void> {
  const compression = options.compression ?? 'zstd';
  if (compression !== 'zstd' && compression !== 'snappy' && compression !== 'none') {
    throw new KernelInputError('options.compression', "'zstd', 'snappy' or 'none'", String(compression));
  }
  if (typeof path !== 'string' || path === '') throw new KernelInputError('path', 'a file path', String(path));
  checkTable(table, 'table');
  const [pq, arrow] = await Promise.all([loadParquet(), loadArrow()]);
  const ipc = arrow.tableToIPC(tableToArrow(arrow, table), 'stream');
  const codec = { zstd: pq.Compression.ZSTD, snappy: pq.Compression.SNAPPY, none: pq.Compression.UNCOMPRESSED }[compression];
  const props = new pq.WriterPropertiesBuilder().setCompression(codec).build();
  writeFileSync(path, pq.writeParquet(pq.Table.fromIPCStream(ipc), props));
}
