/**
 * The native Arrow IPC reader (native/io/arrow_*.cpp through native/binding/arrow_binding.cc): a file's
 * or stream's bytes -> a Table, with the type mapping of the apache-arrow path (docs/io.md, "Parquet and
 * Arrow"): Float64 columns of one batch without nulls are views of the bytes, the rest is written once
 * into arrays allocated here. For what it does not decode (a nested column, Float16, a dictionary of
 * numbers, a codec other than LZ4_FRAME and ZSTD...) it returns `{ unsupported }` and the caller reads
 * the file with apache-arrow instead.
 */
import { loadNative, type NativeBinding, useThreads } from '../backends/native/public.js';
import { KernelInputError } from '../errors.js';
import { type ColumnChoice, pickColumns } from './arrow-convert.js';
import type { SourceBytes } from './file-bytes.js';
import { missingRows } from './missing-rows.js';
import type { ColumnType, Table, TableColumn, TimeUnit, TimeUnitInfo } from './types.js';

/** What a native Arrow call did: code 0 ok, 1 a corrupt file, 2 something it does not decode. */
export interface ArrowResult {
  code: 0 | 1 | 2;
  message: string;
}
export interface ArrowOpenResult extends ArrowResult {
  rows?: number;
  batchRows?: number[];
  names?: string[];
  kinds?: number[];
  units?: string[];
  reasons?: string[];
  /**
   * Per batch b and column i, at b * columns + i: the byte offset of its float64 values when they can
   * be viewed, else -1 (empty for a file of more than CHUNK_BATCHES batches).
   */
  inPlace?: number[];
  /** Per column: it decodes to numbers that cannot be NaN (no nulls, a type without NaN). */
  nanFree?: boolean[];
}
export interface ArrowDecodeResult extends ArrowResult {
  dictionaries?: (string[] | null)[];
  /** [offset, length, ...]: the byte ranges of the file the decode read (sorted, touching ones merged). */
  read?: number[];
}
/** The addon's Arrow entries (native/binding/arrow_binding.cc). */
export interface ArrowBinding {
  arrowOpen(bytes: Uint8Array): ArrowOpenResult;
  arrowDecode(bytes: Uint8Array, columns: Int32Array, outs: (Float64Array | Int32Array)[], batch: number): ArrowDecodeResult;
}

/** Why the native reader does not read a file: the caller falls back to apache-arrow. */
export interface ArrowUnsupported {
  unsupported: string;
}

/** A read's columns and each time column's unit in the file. */
export interface ArrowNativeRead {
  table: Table;
  timeUnits: Record<string, TimeUnitInfo>;
}

const KINDS: ColumnType[] = ['number', 'time', 'text'];

/**
 * The most record batches readArrowChunks reads natively: each batch's read parses the file's message
 * headers again, so more batches go to apache-arrow, which reads them one after another.
 */
export const CHUNK_BATCHES = 64;

/** A file the addon opened: its bytes (mapped or not), its name in messages, and its columns and batches as read. */
export interface ArrowNativeFile extends SourceBytes {
  binding: ArrowBinding & NativeBinding;
  open: Required<ArrowOpenResult>;
}

/**
 * Opens `source.bytes` (an Arrow IPC file or stream; `source.label` names it in messages) with the addon:
 * its schema and message headers, every offset checked. `{ unsupported }` when the addon is not there
 * or the file holds what it does not decode; a KernelInputError when the file is corrupt.
 */
export function openArrowNative(source: SourceBytes): ArrowNativeFile | ArrowUnsupported {
  const { bytes, label } = source;
  const native = loadNative();
  if (!native.binding) return { unsupported: `the native addon did not load (${native.error.message.split('\n')[0]})` };
  const binding = native.binding as Partial<ArrowBinding> & NativeBinding;
  if (typeof binding.arrowOpen !== 'function' || typeof binding.arrowDecode !== 'function') {
    return { unsupported: 'the native addon has no Arrow reader (rebuild it)' };
  }
  const open = binding.arrowOpen(bytes);
  if (open.code === 1) throw corrupt(label, open.message);
  if (open.code === 2) return { unsupported: open.message };
  return { ...source, binding: binding as ArrowBinding & NativeBinding, open: open as Required<ArrowOpenResult> };
}

/**
 * Reads the columns `columns` (all, in file order, when absent) of an opened file: every record batch
 * concatenated, or (`batch` >= 0) that batch alone. `{ unsupported }` names a column it does not decode.
 * From a mapped file, the pages of the columns it converted (an int64 ts column's, say) are handed back
 * once written out, so that they do not stay resident beside the copy; read again, they come back from
 * the file. The pages of the columns handed out as views are kept: those views stay the file's bytes.
 */
export function readArrowNative(
  file: ArrowNativeFile,
  columns?: ColumnChoice,
  batch = -1,
  threads?: number,
): ArrowNativeRead | ArrowUnsupported {
  const { binding, bytes, label, open } = file;
  const picked = pickColumns(open.names, label, columns);
  for (const i of picked) if (open.reasons[i]) return { unsupported: open.reasons[i] as string };
  const rows = batch < 0 ? open.rows : (open.batchRows[batch] as number);
  const names = picked.map((i) => open.names[i] as string);
  const columnsOut: Record<string, TableColumn> = {};
  const types: Record<string, ColumnType> = {};
  const timeUnits: Record<string, TimeUnitInfo> = {};
  const decode: number[] = [];
  const outs: (Float64Array | Int32Array)[] = [];
  picked.forEach((i, k) => {
    const name = names[k] as string;
    const kind = KINDS[open.kinds[i] as number] ?? 'number';
    types[name] = kind;
    const unit = open.units[i];
    if (kind === 'time' && unit) timeUnits[name] = { unit: unit as TimeUnit, detected: false };
    // zero copy: one batch of float64 without nulls, at an address a Float64Array can view
    const at = batch >= 0 || open.batchRows.length === 1 ? (open.inPlace[Math.max(batch, 0) * open.names.length + i] ?? -1) : -1;
    if (kind !== 'text' && at >= 0 && (bytes.byteOffset + at) % 8 === 0) {
      columnsOut[name] = new Float64Array(bytes.buffer, bytes.byteOffset + at, rows);
      return;
    }
    let out: Float64Array | Int32Array;
    try {
      out = kind === 'text' ? new Int32Array(rows) : new Float64Array(rows);
      binding.adviseHugePages(out); // 2 MB pages (from 4 MB on): the decode's first writes fault 512 times less
    } catch {
      throw new KernelInputError(label, 'an Arrow file whose columns fit in memory', `${rows} rows`);
    }
    columnsOut[name] = out instanceof Int32Array ? { codes: out, values: [] } : out;
    decode.push(i);
    outs.push(out);
  });
  useThreads(binding, threads);
  const result = binding.arrowDecode(bytes, Int32Array.from(decode), outs, batch);
  if (result.code === 1) throw corrupt(label, result.message);
  if (result.code === 2) return { unsupported: result.message };
  const ranges = file.mapped ? (result.read ?? []) : [];
  for (let k = 0; k + 1 < ranges.length; k += 2) {
    const at = ranges[k] as number;
    binding.releaseMapped(bytes.subarray(at, at + (ranges[k + 1] as number)));
  }
  const missing: Record<string, number> = {};
  decode.forEach((i, k) => {
    const name = open.names[i] as string;
    const out = outs[k];
    if (out instanceof Int32Array) columnsOut[name] = { codes: out, values: result.dictionaries?.[k] ?? [] };
    else if (open.nanFree[i]) missing[name] = -1;
  });
  const table: Table = { rows, names, columns: columnsOut, types };
  missingRows.set(table, missing); // readTrades need not scan a converted int64 ts column for NaN
  return { table, timeUnits };
}

/** A corrupt file's error, worded as the apache-arrow path's (src/io/arrow.ts). */
const corrupt = (label: string, what: string) =>
  new KernelInputError(label, 'an Arrow IPC file or stream (Feather v2)', `a file the Arrow reader refused: ${what}`);
