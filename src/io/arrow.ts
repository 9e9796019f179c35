/**
 * Arrow IPC in and out (the file format, Feather v2, and the stream format): read natively where the
 * addon decodes the file (src/io/arrow-native.ts), else with apache-arrow, loaded on first use, behind
 * the framing checks of src/io/arrow-guard.ts; written with apache-arrow. docs/io.md, "Parquet and
 * Arrow", specifies the type mapping both ways.
 */
import { writeFileSync } from 'node:fs';
import type * as Arrow from 'apache-arrow';
import { checkThreads, KernelInputError } from '../errors.js';
import { registerCodecs } from './arrow-codecs.js';
import { type ArrowModule, arrowToTable } from './arrow-convert.js';
import { checkTable, tableToArrow } from './arrow-build.js';
import { checkArrowFraming } from './arrow-guard.js';
import { type ArrowNativeFile, CHUNK_BATCHES, openArrowNative, readArrowNative } from './arrow-native.js';
import { type SourceBytes, sourceBytes } from './file-bytes.js';
import type { Table, ThreadsOption } from './types.js';

let arrowModule: Promise<ArrowModule> | undefined;

/** apache-arrow, imported once (with its ZSTD and LZ4 decoders), on the first Arrow or Parquet read or write. */
export function loadArrow(): Promise<ArrowModule> {
  arrowModule ??= import('apache-arrow').then(async (arrow) => {
    await registerCodecs(arrow);
    return arrow;
  });
  return arrowModule;
}

/** Options of the Arrow and Parquet readers. */
export interface ColumnarReadOptions extends ThreadsOption {
  /**
   * Read only these columns, in this order (default: all, in the file's order); or a function picking
   * them from the file's names (readTrades picks its columns so).
   */
  columns?: string[] | ((names: string[]) => string[]);
}

/** Options of `readArrow` and `readArrowChunks`. */
export interface ArrowReadOptions extends ColumnarReadOptions {
  /**
   * `auto` (default): the native reader where the addon loads and decodes the file, else apache-arrow;
   * `native`: the native reader or a KernelInputError saying what it does not decode; `library`: apache-arrow.
   */
  reader?: 'auto' | 'native' | 'library';
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

/** A KernelInputError unless `bytes` look like Arrow IPC data. */
function requireArrow(bytes: Uint8Array, label: string): void {
  if (looksLikeArrow(bytes)) return;
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new KernelInputError(label, 'an Arrow IPC file or stream (Feather v2)', bytes.length === 0 ? 'an empty file' : `bytes ${head}`);
}

/** The native reader's view of `bytes`, or undefined where the library reads them (`reader` as in ArrowReadOptions). */
function nativeFile(source: SourceBytes, reader: ArrowReadOptions['reader']): ArrowNativeFile | undefined {
  if (reader !== undefined && reader !== 'auto' && reader !== 'native' && reader !== 'library') {
    throw new KernelInputError('options.reader', "'auto', 'native' or 'library'", JSON.stringify(reader));
  }
  if (reader === 'library') return undefined;
  const file = openArrowNative(source);
  if ('unsupported' in file) return unsupportedBy(file.unsupported, source.label, reader);
  return file;
}

/** undefined (read with the library), or for `reader: 'native'` the KernelInputError saying why not. */
function unsupportedBy(why: string, label: string, reader: ArrowReadOptions['reader']): undefined {
  if (reader === 'native') throw new KernelInputError(label, 'a file the native Arrow reader decodes', why);
  return undefined;
}

/** The IPC reader over `bytes`, its framing checked and its schema read, or a KernelInputError naming `label`. */
function openReader(arrow: ArrowModule, bytes: Uint8Array, label: string): Arrow.RecordBatchReader {
  checkArrowFraming(bytes, label);
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
 * Reads an Arrow IPC file or stream (Feather v2) into a Table: natively where the addon decodes the
 * file, else with apache-arrow (the same result). Float64 columns of a file with one record batch and
 * no nulls are views of the file's bytes (no copy), when those bytes are 8-byte aligned (a path always
 * is; a Buffer is when its byteOffset is a multiple of 8). Other numbers, times (any unit and time zone,
 * to epoch ms), Date32/Date64, Bool (0/1) and dictionary or plain strings are converted as docs/io.md
 * says; several record batches are concatenated.
 *
 * @param source a path, or the file's bytes
 * @param options `columns`: read only these, in this order; `reader`: `auto`, `native` or `library`
 * @throws KernelInputError when the input is no Arrow IPC data, is corrupt or damaged (naming the byte
 *   offset), or has a nested column
 */
export async function readArrow(source: string | Uint8Array, options: ArrowReadOptions = {}): Promise<Table> {
  const started = performance.now();
  const threads = checkThreads(options.threads);
  const opened = sourceBytes(source);
  const { bytes, label } = opened;
  requireArrow(bytes, label);
  const native = nativeFile(opened, options.reader);
  let read = native && readArrowNative(native, options.columns, -1, threads);
  if (read && 'unsupported' in read) read = unsupportedBy(read.unsupported, label, options.reader);
  if (!read) {
    const arrow = await loadArrow();
    const reader = openReader(arrow, bytes, label);
    read = arrowToTable(arrow, reader.schema, readBatches(reader, label), label, options.columns);
  }
  const { table, timeUnits } = read;
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
 * Reads an Arrow IPC file or stream one record batch at a time: one Table per batch (natively where
 * the addon decodes the file and it has at most 64 batches or `reader` is `native`, else with
 * apache-arrow), its Float64
 * columns without nulls views of the file's bytes (see readArrow).
 *
 * @param source a path, or the file's bytes
 * @param options `columns`: read only these, in this order; `reader`: `auto`, `native` or `library`
 */
export async function* readArrowChunks(source: string | Uint8Array, options: ArrowReadOptions = {}): AsyncGenerator<Table> {
  const threads = checkThreads(options.threads);
  const opened = sourceBytes(source);
  const { bytes, label } = opened;
  requireArrow(bytes, label);
  const native = nativeFile(opened, options.reader);
  if (native && (native.open.batchRows.length <= CHUNK_BATCHES || options.reader === 'native')) {
    let batch = 0;
    for (; batch < native.open.batchRows.length; batch++) {
      const read = readArrowNative(native, options.columns, batch, threads);
      if ('unsupported' in read) {
        // the first batch may go to the library instead; a later one cannot (its tables were yielded)
        if (batch > 0 || options.reader === 'native')
          throw new KernelInputError(label, 'a file the native Arrow reader decodes', read.unsupported);
        break;
      }
      yield read.table;
    }
    if (batch === native.open.batchRows.length) return;
  }
  const arrow = await loadArrow();
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
