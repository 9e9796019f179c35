/**
 * The native Parquet reader (native/io/parquet*.cpp through native/binding/parquet_binding.cc): a
 * file's bytes -> a Table, decoding row groups x columns across the addon's threads into arrays
 * allocated here. It decodes flat schemas of the common encodings and codecs (docs/io.md, "Parquet:
 * the native reader"); for anything else it returns `{ unsupported }` and the caller reads the file
 * with the library reader instead.
 */
import { statSync } from 'node:fs';
import { loadNative } from '../backends/native/binding.js';
import { KernelInputError } from '../errors.js';
import type { ColumnType, Table, TableColumn, TimeUnit, TimeUnitInfo } from './types.js';

/** Options of readParquetNative(). */
export interface ParquetNativeOptions {
  /** The columns to read, in this order (names as in the file; else matched ignoring ASCII case). Default: all. */
  columns?: string[];
  /** The input's name in messages and `table.info.source` (default `buffer`). */
  source?: string;
}

/** Why the native reader does not read a file: the caller falls back to the library reader. */
export interface ParquetUnsupported {
  unsupported: string;
}

const KINDS: ColumnType[] = ['number', 'time', 'text'];

/**
 * Reads a Parquet file's bytes natively. Returns the Table (numbers and times as Float64Array, times in
 * epoch ms typed 'time', nulls NaN; text as codes + values in order of first appearance, null -1), or
 * `{ unsupported }` naming what it does not decode (a nested schema, DECIMAL, GZIP, an encoding...) or
 * why the addon is not there. A corrupt file throws KernelInputError naming what is wrong.
 */
export function readParquetNative(bytes: Uint8Array, options: ParquetNativeOptions = {}): Table | ParquetUnsupported {
  const started = performance.now();
  const source = options.source ?? 'buffer';
  if (!(bytes instanceof Uint8Array)) {
    throw new KernelInputError('bytes', 'a Uint8Array (the Parquet file)', describe(bytes));
  }
  const native = loadNative();
  if (!native.binding) return { unsupported: `the native addon did not load (${native.error.message.split('\n')[0]})` };
  const binding = native.binding;
  if (typeof binding.parquetFooter !== 'function') return { unsupported: 'the native addon has no Parquet reader (rebuild it)' };

  const footer = binding.parquetFooter(bytes);
  if (footer.code === 1) throw corrupt(source, footer.message);
  if (footer.code === 2) return { unsupported: footer.message };
  const names = footer.names ?? [];
  const kinds = footer.kinds ?? [];
  const units = footer.units ?? [];
  const reasons = footer.reasons ?? [];
  const rows = footer.rows ?? 0;

  const chosen = options.columns === undefined ? names.map((_, i) => i) : options.columns.map((c) => columnIndex(names, c, source));
  const seen = new Set<number>();
  for (const i of chosen) {
    if (seen.has(i)) throw new KernelInputError('options.columns', 'each column once', `${JSON.stringify(names[i])} twice`);
    seen.add(i);
    if (reasons[i]) return { unsupported: reasons[i] as string };
  }
  const outNames = chosen.map((i) => names[i] as string);
  if (new Set(outNames).size !== outNames.length) return { unsupported: 'two columns of the same name' };

  let outs: (Float64Array | Int32Array)[];
  try {
    outs = chosen.map((i) => (kinds[i] === 2 ? new Int32Array(rows) : new Float64Array(rows)));
  } catch {
    throw new KernelInputError(source, 'a Parquet file whose columns fit in memory', `${rows} rows`);
  }
  const result = binding.parquetDecode(bytes, Int32Array.from(chosen), outs);
  if (result.code === 1) throw corrupt(source, result.message);
  if (result.code === 2) return { unsupported: result.message };

  const columns: Record<string, TableColumn> = {};
  const types: Record<string, ColumnType> = {};
  const timeUnits: Record<string, TimeUnitInfo> = {};
  chosen.forEach((i, k) => {
    const name = outNames[k] as string;
    const out = outs[k] as Float64Array | Int32Array;
    const kind = KINDS[kinds[i] as number] ?? 'number';
    types[name] = kind;
    columns[name] = out instanceof Int32Array ? { codes: out, values: result.dictionaries?.[k] ?? [] } : out;
    const unit = units[i];
    if (kind === 'time' && (unit === 'ms' || unit === 'us' || unit === 'ns')) timeUnits[name] = { unit: unit as TimeUnit, detected: false };
  });
  const table: Table = {
    rows,
    names: outNames,
    columns,
    types,
    info: {
      source,
      format: 'parquet',
      bytes: bytes.length,
      skippedRows: 0,
      timeUnits,
      seconds: (performance.now() - started) / 1000,
    },
  };
  // the Arrow schema an Arrow writer kept (src/io/parquet.ts reads times Parquet holds as plain numbers from it)
  if (footer.arrowSchema) arrowSchemas.set(table, footer.arrowSchema);
  return table;
}

const arrowSchemas = new WeakMap<Table, string>();

/** The `ARROW:schema` metadata (base64 IPC schema) of the file a native read came from, if it had one. */
export const arrowSchemaOf = (table: Table): string | undefined => arrowSchemas.get(table);

/**
 * readParquetNative() of the file at `path`, read by the addon into memory allocated here (on Linux
 * backed by huge pages: a fresh buffer's first writes otherwise fault per 4 KB page, which costs as
 * much as the decode on a virtual machine). Without the addon: `{ unsupported }` and nothing is read.
 */
export function readParquetFileNative(path: string, options: Omit<ParquetNativeOptions, 'source'> = {}): Table | ParquetUnsupported {
  const binding = loadNative().binding;
  if (!binding || typeof binding.parquetReadFile !== 'function') return readParquetNative(new Uint8Array(0), options);
  const started = performance.now();
  let size: number;
  try {
    size = statSync(path).size;
  } catch (cause) {
    throw new KernelInputError(path, 'a readable file', (cause as Error).message);
  }
  const bytes = new Uint8Array(size);
  const read = binding.parquetReadFile(path, bytes);
  const table = readParquetNative(read === size ? bytes : bytes.subarray(0, read), { ...options, source: path });
  if ('info' in table && table.info) table.info.seconds = (performance.now() - started) / 1000;
  return table;
}

/** The file's column `name` (exact, else the one equal ignoring ASCII case), or a KernelInputError. */
function columnIndex(names: string[], name: string, source: string): number {
  const exact = names.indexOf(name);
  if (exact >= 0) return exact;
  const lower = typeof name === 'string' ? name.toLowerCase() : undefined;
  const matches = names.flatMap((n, i) => (n.toLowerCase() === lower ? [i] : []));
  if (matches.length === 1) return matches[0] as number;
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
