/**
 * Parquet in and out with parquet-wasm (the Rust arrow-rs Parquet reader and writer compiled to
 * WebAssembly: one package for every platform, no native binary), loaded on first use. parquet-wasm
 * hands its columns over as Arrow IPC, which the Arrow path (src/io/arrow-convert.ts) turns into a
 * Table, so Parquet and Arrow files map types the same way (docs/io.md, "Parquet and Arrow").
 */
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import type * as ParquetWasm from 'parquet-wasm';
import { checkThreads, KernelInputError } from '../errors.js';
import { type ColumnarReadOptions, loadArrow } from './arrow.js';
import { arrowToTable, chosenColumns } from './arrow-convert.js';
import { checkTable, tableToArrow } from './arrow-build.js';
import { sourceBytes } from './file-bytes.js';
import { withEpochs } from './epoch.js';
import { decodeParquetNative, openParquetFileNative, openParquetNative, type ParquetUnsupported } from './parquet-native.js';
import type { Table, TimeUnit } from './types.js';

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

/** Options of `readParquet`. */
export interface ParquetReadOptions extends ColumnarReadOptions {
  /**
   * Number columns to read as epoch times in this unit (`detect`: by the first finite value's
   * magnitude, docs/io.md), converted to epoch ms (natively: no pass over the rows in JS). A column
   * that is already a time stands. Read after a `columns` function has picked (which may fill it in:
   * readTrades names its ts column so).
   */
  epochs?: Record<string, TimeUnit | 'detect'>;
  /**
   * `auto` (default): the native reader where the addon loads and decodes the file, else parquet-wasm;
   * `native`: the native reader or a KernelInputError saying what it does not decode; `library`: parquet-wasm.
   */
  reader?: 'auto' | 'native' | 'library';
}

/** True when the file at `path` starts and ends with PAR1 (false when it cannot be read: the library path says why). */
function hasParquetMagic(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size < 12) return false;
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    readSync(fd, tail, 0, 4, size - 4);
    return MAGIC.every((b, i) => head[i] === b && tail[i] === b);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The message of whatever parquet-wasm threw (it throws strings and Errors). */
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Reads a Parquet file into a Table, natively where the addon decodes the file (src/io/parquet-native.ts:
 * a path is read once and decoded off the event loop, bytes on this thread), else with parquet-wasm:
 * the same type mapping as readArrow (all TIMESTAMP units, an Arrow timestamp[s] and INT96 to epoch ms,
 * dictionary or plain strings to text, integers, floats and booleans to numbers, nulls to NaN or code
 * -1); row groups are concatenated.
 *
 * @param source a path, or the file's bytes
 * @param options `columns`: read only these, in this order (or those a function of the names picks);
 *   `epochs`: number columns read as epoch times
 * @throws KernelInputError when the input is no Parquet file, is corrupt, or has a nested column
 */
export async function readParquet(source: string | Uint8Array, options: ParquetReadOptions = {}): Promise<Table> {
  const started = performance.now();
  const threads = checkThreads(options.threads);
  const reader = options.reader ?? 'auto';
  if (reader !== 'auto' && reader !== 'native' && reader !== 'library') {
    throw new KernelInputError('options.reader', "'auto', 'native' or 'library'", JSON.stringify(reader));
  }
  if (reader !== 'library' && (typeof source === 'string' ? hasParquetMagic(source) : isParquet(source))) {
    // The native reader first (flat schemas, the common encodings and codecs); the library for the rest.
    const path = typeof source === 'string';
    const opened = path ? openParquetFileNative(source) : openParquetNative(source, 'buffer');
    let why: ParquetUnsupported = opened as ParquetUnsupported;
    if (!('unsupported' in opened)) {
      const decode = { columns: chosenColumns(options.columns, opened.names), epochs: options.epochs, threads };
      const table = path ? await decodeParquetNative(opened, decode, true) : decodeParquetNative(opened, decode);
      if (!('unsupported' in table)) return table;
      why = table;
    }
    if (reader === 'native')
      throw new KernelInputError(path ? source : 'buffer', 'a file the native Parquet reader decodes', why.unsupported);
  }
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
  const columns = chosenColumns(options.columns, names);
  for (const name of columns ?? []) {
    if (!names.includes(name))
      throw new KernelInputError('options.columns', `names of columns in ${label} (${names.join(', ')})`, `"${name}"`);
  }
  // The whole file in one call: parquet-wasm 0.8 ignores `columns` (it decodes every column), so
  // the projection is the Arrow step's. Its WebAssembly memory (at most 4 GiB, never given back)
  // holds the decoded table and its IPC copy: files of more than about 1.5 GB of columns do not fit.
  let ipc: Uint8Array;
  try {
    ipc = pq.readParquet(bytes, { batchSize: 1 << 30 }).intoIPCStream();
  } catch (e) {
    throw refused(e);
  }
  const arrowTable = arrow.tableFromIPC(ipc);
  const { table, timeUnits } = arrowToTable(arrow, arrowTable.schema, arrowTable.batches, label, columns);
  table.info = {
    source: label,
    format: 'parquet',
    bytes: bytes.length,
    skippedRows: 0,
    timeUnits,
    seconds: (performance.now() - started) / 1000,
  };
  return options.epochs ? withEpochs(table, options.epochs) : table;
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
