/**
 * The native Parquet reader (native/io/parquet*.cpp through native/binding/parquet_binding.cc): a
 * file's bytes -> a Table, decoding row groups x columns across the addon's threads into arrays
 * allocated here. It decodes flat schemas of the common encodings and codecs (docs/io.md, "Parquet:
 * the native reader"); for anything else it returns `{ unsupported }` and the caller reads the file
 * with the library reader instead. The footer is parsed once (openParquetNative) and handed to the
 * decode (decodeParquetNative), which runs on the thread pool when asked to (off the event loop).
 */
import { statSync } from 'node:fs';
import { loadNative, type ParquetDecodeResult, type ParquetFooterResult, useThreads } from '../backends/native/public.js';
import { KernelInputError } from '../errors.js';
import { mapFile } from './file-bytes.js';
import { missingRows } from './missing-rows.js';
import type { ColumnType, Table, TableColumn, TimeUnit, TimeUnitInfo } from './types.js';

/** Options of readParquetNative(). */
export interface ParquetNativeOptions extends ParquetDecodeOptions {
  /** The input's name in messages and `table.info.source` (default `buffer`). */
  source?: string;
}

/** Options of decodeParquetNative(). */
export interface ParquetDecodeOptions {
  /** The columns to read, in this order (names as in the file; else matched ignoring ASCII case). Default: all. */
  columns?: string[];
  /**
   * Number columns (not Parquet times) to read as epoch times in this unit, converted to epoch ms in
   * native code (s x 1000, us / 1e3, ns / 1e6); `detect`: the unit the first finite value's magnitude
   * shows (>= 1e17 ns, >= 1e14 us, >= 1e11 ms, >= 1e8 s, else ms). A column that is already a time stands.
   */
  epochs?: Record<string, TimeUnit | 'detect'>;
  /** The threads the decode uses (default: KERNELBUS_THREADS, else the cores), checked by the caller. */
  threads?: number;
}

/** Why the native reader does not read a file: the caller falls back to the library reader. */
export interface ParquetUnsupported {
  unsupported: string;
}

/** A file whose footer the native reader parsed: its columns, and the parsed footer for the decode. */
export interface OpenedParquet {
  bytes: Uint8Array;
  source: string;
  names: string[];
  /** Per column: 'number', 'time' or 'text'. */
  types: ColumnType[];
  /** Per column, why it is not decoded here ('' when it is). */
  reasons: string[];
  rows: number;
  footer: ParquetFooterResult;
  started: number;
}

const KINDS: ColumnType[] = ['number', 'time', 'text'];
const EPOCH_CODES: Record<TimeUnit | 'detect', number> = { s: 1, ms: 2, us: 3, ns: 4, detect: 5 };
const EPOCH_UNITS: (TimeUnit | undefined)[] = [undefined, 's', 'ms', 'us', 'ns'];
const isUnit = (unit: string | undefined): unit is TimeUnit => unit === 's' || unit === 'ms' || unit === 'us' || unit === 'ns';

/**
 * Parses a Parquet file's footer natively: its columns, or `{ unsupported }` naming what the native
 * reader does not decode (a nested schema, an encrypted footer) or why the addon is not there. A
 * corrupt file throws KernelInputError naming what is wrong.
 */
export function openParquetNative(bytes: Uint8Array, source = 'buffer'): OpenedParquet | ParquetUnsupported {
  const started = performance.now();
  if (!(bytes instanceof Uint8Array)) {
    throw new KernelInputError('bytes', 'a Uint8Array (the Parquet file)', describe(bytes));
  }
  const native = loadNative();
  if (!native.binding) return { unsupported: `the native addon did not load (${native.error.message.split('\n')[0]})` };
  if (typeof native.binding.parquetDecodeAsync !== 'function')
    return { unsupported: 'the native addon has no Parquet reader (rebuild it)' };
  const footer = native.binding.parquetFooter(bytes);
  if (footer.code === 1) throw corrupt(source, footer.message);
  if (footer.code === 2) return { unsupported: footer.message };
  return {
    bytes,
    source,
    names: footer.names ?? [],
    types: (footer.kinds ?? []).map((k) => KINDS[k] ?? 'number'),
    reasons: footer.reasons ?? [],
    rows: footer.rows ?? 0,
    footer,
    started,
  };
}

/**
 * Decodes columns of an opened file into a Table (numbers and times as Float64Array, times in epoch ms
 * typed 'time', nulls NaN; text as codes + values in order of first appearance, null -1), or
 * `{ unsupported }` naming what it does not decode (DECIMAL, GZIP, an encoding...). `async`: the
 * decode runs on the thread pool and the event loop goes on meanwhile (the bytes must not change
 * until the promise settles). A corrupt file throws (or rejects with) KernelInputError.
 */
export function decodeParquetNative(opened: OpenedParquet, options: ParquetDecodeOptions, async: true): Promise<Table | ParquetUnsupported>;
export function decodeParquetNative(opened: OpenedParquet, options?: ParquetDecodeOptions, async?: false): Table | ParquetUnsupported;
export function decodeParquetNative(
  opened: OpenedParquet,
  options: ParquetDecodeOptions = {},
  async = false,
): Table | ParquetUnsupported | Promise<Table | ParquetUnsupported> {
  const { names, types, reasons, rows, source } = opened;
  const binding = loadNative().binding!;
  const chosen = options.columns === undefined ? names.map((_, i) => i) : options.columns.map((c) => columnIndex(names, c, source));
  const seen = new Set<number>();
  for (const i of chosen) {
    if (seen.has(i)) throw new KernelInputError('options.columns', 'each column once', `${JSON.stringify(names[i])} twice`);
    seen.add(i);
    if (reasons[i]) return { unsupported: reasons[i] };
  }
  const outNames = chosen.map((i) => names[i]);
  if (new Set(outNames).size !== outNames.length) return { unsupported: 'two columns of the same name' };
  const epochs = new Int32Array(chosen.length);
  for (const [name, unit] of Object.entries(options.epochs ?? {})) {
    const k = outNames.indexOf(name);
    if (!Object.hasOwn(EPOCH_CODES, unit))
      throw new KernelInputError(`options.epochs.${name}`, "'s', 'ms', 'us', 'ns' or 'detect'", JSON.stringify(unit));
    if (k >= 0 && types[chosen[k]] === 'number') epochs[k] = EPOCH_CODES[unit];
  }

  let outs: (Float64Array | Int32Array)[];
  try {
    outs = chosen.map((i) => (types[i] === 'text' ? new Int32Array(rows) : new Float64Array(rows)));
  } catch {
    throw new KernelInputError(source, 'a Parquet file whose columns fit in memory', `${rows} rows`);
  }
  const args = [opened.bytes, opened.footer.footer, Int32Array.from(chosen), epochs, outs] as const;
  const finish = (result: ParquetDecodeResult): Table | ParquetUnsupported => {
    if (result.code === 1) throw corrupt(source, result.message);
    if (result.code === 2) return { unsupported: result.message };
    const columns: Record<string, TableColumn> = {};
    const outTypes: Record<string, ColumnType> = {};
    const timeUnits: Record<string, TimeUnitInfo> = {};
    const missing: Record<string, number> = {};
    chosen.forEach((i, k) => {
      const name = outNames[k];
      const out = outs[k];
      columns[name] = out instanceof Int32Array ? { codes: out, values: result.dictionaries?.[k] ?? [] } : out;
      const unit = opened.footer.units?.[i];
      const epoch = EPOCH_UNITS[result.epochs?.[k] ?? 0];
      if (result.missing && out instanceof Float64Array) missing[name] = result.missing[k];
      outTypes[name] = epoch ? 'time' : types[i];
      if (epoch) timeUnits[name] = { unit: epoch, detected: epochs[k] === EPOCH_CODES.detect };
      else if (types[i] === 'time' && isUnit(unit)) timeUnits[name] = { unit, detected: false };
    });
    const table: Table = {
      rows,
      names: outNames,
      columns,
      types: outTypes,
      info: {
        source,
        format: 'parquet',
        bytes: opened.bytes.length,
        skippedRows: 0,
        timeUnits,
        seconds: (performance.now() - opened.started) / 1000,
      },
    };
    missingRows.set(table, missing);
    return table;
  };
  useThreads(binding, options.threads);
  return async ? binding.parquetDecodeAsync(...args).then(finish) : finish(binding.parquetDecode(...args));
}

/** openParquetNative + decodeParquetNative of a file's bytes, on this thread. */
export function readParquetNative(bytes: Uint8Array, options: ParquetNativeOptions = {}): Table | ParquetUnsupported {
  const { source, ...decode } = options;
  const opened = openParquetNative(bytes, source);
  return 'unsupported' in opened ? opened : decodeParquetNative(opened, decode);
}

/**
 * The file at `path` opened: mapped copy-on-write (src/io/file-bytes.ts mapFile: no copy, the pages
 * read from the OS's cache), else read by the addon into memory allocated here (on Linux backed by huge
 * pages); `{ unsupported }` without the addon (nothing is read).
 */
export function openParquetFileNative(path: string): OpenedParquet | ParquetUnsupported {
  const binding = loadNative().binding;
  if (!binding || typeof binding.parquetReadFile !== 'function') return openParquetNative(new Uint8Array(0), path);
  const started = performance.now();
  const mapped = mapFile(path);
  let bytes: Uint8Array;
  if (mapped) {
    bytes = new Uint8Array(mapped);
  } else {
    let size: number;
    try {
      size = statSync(path).size;
    } catch (cause) {
      throw new KernelInputError(path, 'a readable file', (cause as Error).message);
    }
    bytes = new Uint8Array(size);
    const read = binding.parquetReadFile(path, bytes);
    if (read < size) bytes = bytes.subarray(0, read);
  }
  const opened = openParquetNative(bytes, path);
  if (!('unsupported' in opened)) opened.started = started;
  return opened;
}

/** The file's column `name` (exact, else the one equal ignoring ASCII case), or a KernelInputError. */
function columnIndex(names: string[], name: string, source: string): number {
  const exact = names.indexOf(name);
  if (exact >= 0) return exact;
  const lower = typeof name === 'string' ? name.toLowerCase() : undefined;
  const matches = names.flatMap((n, i) => (n.toLowerCase() === lower ? [i] : []));
  if (matches.length === 1) return matches[0];
  throw new KernelInputError('options.columns', `names of columns in ${source} (${names.join(', ')})`, JSON.stringify(name));
}

/** A corrupt file's error, worded as the library reader's (src/io/parquet.ts). */
const corrupt = (source: string, what: string) =>
  new KernelInputError(source, 'a Parquet file', `a file the Parquet reader refused: ${what}`);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}
