/**
 * Arrow IPC in and out (the file format, Feather v2, and the stream format) with apache-arrow, loaded
 * on first use. docs/io.md, "Parquet and Arrow", specifies the type mapping both ways.
 */
import { writeFileSync } from 'node:fs';
import type * as Arrow from 'apache-arrow';
import { KernelInputError } from '../errors.js';
import { type ArrowModule, arrowToTable } from './arrow-convert.js';
import { checkTable, tableToArrow } from './arrow-build.js';
import { sourceBytes } from './file-bytes.js';
import type { Table } from './types.js';

let arrowModule: Promise<ArrowModule> | undefined;

/** apache-arrow, imported once, on the first Arrow or Parquet read or write. */
export function loadArrow(): Promise<ArrowModule> {
  arrowModule ??= import('apache-arrow');
  return arrowModule;
}

/** Options of the Arrow and Parquet readers. */
export interface ColumnarReadOptions {
  /** Read only these columns, in this order (default: all, in the file's order). */
  columns?: string[];
}

/** Options of `writeArrow`. */
export interface ArrowWriteOptions {
  /** `file` (the default: Arrow IPC file format, which is Feather v2) or `stream` (IPC stream format). */
  format?: 'file' | 'stream';
}

const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/** True when `bytes` starts as an Arrow IPC file ("ARROW1") or stream (a continuation marker or length). */
function looksLikeArrow(bytes: Uint8Array): boolean {
  if (bytes.length >= 8 && FILE_MAGIC.every((b, i) => bytes[i] === b)) return true;
  if (bytes.length < 8) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const first = view.getInt32(0, true);
  // Stream: 0xFFFFFFFF then the metadata length, or (before Arrow 0.15) the length alone.
  const len = first === -1 ? view.getInt32(4, true) : first;
  return len > 0 && len <= bytes.length;
}

/** The IPC reader over `bytes`, its schema read, or a KernelInputError naming `label`. */
function openReader(arrow: ArrowModule, bytes: Uint8Array, label: string): Arrow.RecordBatchReader {
  if (!looksLikeArrow(bytes)) {
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new KernelInputError(label, 'an Arrow IPC file or stream (Feather v2)', bytes.length === 0 ? 'an empty file' : `bytes ${head}`);
  }
  try {
    const reader = arrow.RecordBatchReader.from(bytes);
    reader.open();
    if (!reader.schema) throw new Error('no schema message');
    return reader;
  } catch (e) {
    throw arrowFault(e, label);
  }
}

function arrowFault(e: unknown, label: string): Error {
  if (e instanceof KernelInputError) return e;
  return new KernelInputError(
    label,
    'an Arrow IPC file or stream (Feather v2)',
    `a file the Arrow reader refused: ${(e as Error)?.message ?? String(e)}`,
  );
}

/** Every record batch of `reader` (throwing KernelInputError on a corrupt one). */
function readBatches(reader: Arrow.RecordBatchReader, label: string): Arrow.RecordBatch[] {
  try {
    return [...reader];
  } catch (e) {
    throw arrowFault(e, label);
  }
}

/**
 * Reads an Arrow IPC file or stream (Feather v2) into a Table. Float64 columns of a file with one
 * record batch and no nulls are views of the file's bytes (no copy), when those bytes are 8-byte
 * aligned (a path always is; a Buffer is when its byteOffset is a multiple of 8). Other numbers,
 * times (any unit and time zone, to epoch ms), Date32/Date64, Bool (0/1) and dictionary or plain
 * strings are converted as docs/io.md says; several record batches are concatenated.
 *
 * @param source a path, or the file's bytes
 * @param options `columns`: read only these, in this order
 * @throws KernelInputError when the input is no Arrow IPC data, is corrupt, or has a nested column
 */
export async function readArrow(source: string | Uint8Array, options: ColumnarReadOptions = {}): Promise<Table> {
  const started = performance.now();
  const arrow = await loadArrow();
  const { bytes, label } = sourceBytes(source);
  const reader = openReader(arrow, bytes, label);
  const schema = reader.schema;
  const batches = readBatches(reader, label);
  const { table, timeUnits } = arrowToTable(arrow, schema, batches, label, options.columns);
  table.info = {
    source: label,
    format: 'arrow',
    bytes: bytes.length,
    skippedRows: 0,
    timeUnits,
    seconds: (performance.now() - started) / 1000,
  };
  return table;
}

/**
 * Reads an Arrow IPC file or stream one record batch at a time: one Table per batch, its Float64
 * columns views of the file's bytes where they have no nulls (see readArrow).
 *
 * @param source a path, or the file's bytes
 * @param options `columns`: read only these, in this order
 */
export async function* readArrowChunks(source: string | Uint8Array, options: ColumnarReadOptions = {}): AsyncGenerator<Table> {
  const arrow = await loadArrow();
  const { bytes, label } = sourceBytes(source);
  const reader = openReader(arrow, bytes, label);
  const schema = reader.schema;
  const it = reader[Symbol.iterator]();
  for (;;) {
    let next: IteratorResult<Arrow.RecordBatch>;
    try {
      next = it.next();
    } catch (e) {
      throw arrowFault(e, label);
    }
    if (next.done) return;
    yield arrowToTable(arrow, schema, [next.value], label, options.columns).table;
  }
}

/**
 * Writes `table` as an Arrow IPC file (Feather v2; `format: 'stream'` for the stream format), one
 * record batch. Numbers are Float64 (bit for bit), times Timestamp(ms, UTC) when whole milliseconds,
 * else Timestamp(ns, UTC) when that holds them exactly, else Float64 marked as time; text is
 * Dictionary<Int32, Utf8>. readArrow gives back the same Table.
 *
 * @throws KernelInputError for a malformed table or format
 */
export async function writeArrow(path: string, table: Table, options: ArrowWriteOptions = {}): Promise<void> {
  const format = options.format ?? 'file';
  if (format !== 'file' && format !== 'stream') throw new KernelInputError('options.format', "'file' or 'stream'", String(format));
  if (typeof path !== 'string' || path === '') throw new KernelInputError('path', 'a file path', String(path));
  checkTable(table, 'table');
  const arrow = await loadArrow();
  const bytes = arrow.tableToIPC(tableToArrow(arrow, table), format);
  writeFileSync(path, bytes);
}
