/**
 * The one path from an opened source (src/io/source.ts) to a table: readOpened and readOpenedChunks
 * hand the source to its format's decoder (CSV; Parquet and Arrow loaded here, when used). A caller
 * that picks its columns by name (readTrades) gives `pick`, called once with the file's names (the CSV
 * header, the Parquet footer, the Arrow schema): the columns, their types and the ones that may not be
 * missing mean the same whatever the format.
 */
import { loadNative } from '../backends/native/public.js';
import { KernelInputError } from '../errors.js';
import { type CsvReadOptions, readCsv, readCsvChunks } from './csv.js';
import { withEpochs } from './epoch.js';
import { firstMissingOf } from './missing-rows.js';
import type { OpenedSource, TableFormat } from './source.js';
import type { ColumnType, Table, TimeUnit } from './types.js';

/** Options of readTable: the CSV reader's (docs/io.md), and the format when neither the path nor the bytes say it. */
export interface ReadTableOptions extends CsvReadOptions {
  /** csv, tsv, parquet or arrow: else by the path's extension, else by the first bytes (else CSV). */
  format?: TableFormat;
}

/** The columns a caller reads, picked from the file's names. */
export interface ColumnPick {
  /** The columns to read. */
  columns: string[];
  /**
   * Their types: CSV parses them so; in a Parquet or Arrow file a `time` column of plain numbers is
   * read as epoch times (`tsUnit`, else the unit its magnitude shows), the other types are the file's.
   */
  types: Record<string, ColumnType>;
  /**
   * Columns that may not be missing: the CSV reader refuses the field (`file:line:column`); in a
   * Parquet or Arrow file a NaN or null in one that is not `text` names its row.
   */
  required: string[];
}

/** readTable's options, and `pick`: the columns chosen from the file's names (`columns`, `types` and `required` then unused). */
export interface ReadRequest extends ReadTableOptions {
  pick?: (names: string[]) => ColumnPick;
  /**
   * false: a Parquet or Arrow decode leaves the missing values of the `required` columns to the caller,
   * who calls missingChecked() when it needs to (readTrades with a trade screen: a chunk the rule finds
   * all good holds no NaN in ts, price and volume, and a pass over 240 MB of columns is saved). A CSV
   * read refuses a missing field as it parses, whatever this says. Default true.
   */
  checkMissing?: boolean;
}

/** A format's decoder: an opened source of that format and the request to a table. */
type Decoder = (opened: OpenedSource, request: ReadRequest) => Promise<Table>;

const decoders: Record<OpenedSource['format'], Decoder> = {
  csv: async (opened, request) => readCsv(opened.input, csvOptions(opened, request)),
  parquet: async (opened, request) => {
    const { readParquet } = await import('./parquet.js');
    const { columns, epochs, required } = columnar(request);
    const options = { columns, epochs, threads: request.threads };
    const table = await readParquet(opened.input as string | Uint8Array, options);
    return request.checkMissing === false ? table : missingChecked(table, required, opened.name);
  },
  arrow: async (opened, request) => {
    const { readArrow } = await import('./arrow.js');
    const { columns, epochs, required } = columnar(request);
    const options = { columns, threads: request.threads };
    const table = await readArrow(opened.input as string | Uint8Array, options);
    return withEpochs(request.checkMissing === false ? table : missingChecked(table, required, opened.name), epochs);
  },
};

/** Reads an opened source with its format's decoder. */
export async function readOpened(opened: OpenedSource, request: ReadRequest): Promise<Table> {
  return decoders[opened.format](opened, request);
}

/**
 * Reads an opened source in tables of about `chunkRows` rows (CSV), one per record batch (Arrow read
 * without a pick), or as one table (Parquet; Arrow with a pick).
 */
export async function* readOpenedChunks(opened: OpenedSource, request: ReadRequest & { chunkRows?: number }): AsyncGenerator<Table> {
  if (opened.format === 'csv') {
    yield* readCsvChunks(opened.input, csvOptions(opened, request));
  } else if (opened.format === 'arrow' && request.pick === undefined) {
    const { readArrowChunks } = await import('./arrow.js');
    yield* readArrowChunks(opened.input as string | Uint8Array, request.columns ? { columns: [...request.columns] } : {});
  } else {
    yield await readOpened(opened, request);
  }
}

/** The CSV reader's options for `request`: its pick made from the header. */
function csvOptions(opened: OpenedSource, request: ReadRequest): CsvReadOptions {
  const { format: _, pick, ...options } = request;
  if (pick === undefined) return { ...options, delimiter: opened.delimiter, name: opened.name };
  if (opened.header === undefined) throw new KernelInputError(opened.name, 'a CSV file with a header row', 'an empty file');
  return { ...options, ...pick(opened.header), delimiter: opened.delimiter, name: opened.name };
}

/** A Parquet or Arrow read of `request`: the columns (or a function picking them), the epoch columns, the required ones. */
function columnar(request: ReadRequest) {
  const { pick, tsUnit } = request;
  const epochs: Record<string, TimeUnit | 'detect'> = {};
  const required: string[] = [];
  if (pick === undefined) return { columns: request.columns && [...request.columns], epochs, required };
  // called once per reader that looks at the names (a fallback to a library reader looks again)
  const columns = (names: string[]) => {
    const picked = pick(names);
    for (const name of picked.columns) if (picked.types[name] === 'time') epochs[name] = tsUnit ?? 'detect';
    required.splice(0, required.length, ...picked.required.filter((name) => picked.types[name] !== 'text'));
    return picked.columns;
  };
  return { columns, epochs, required };
}

/**
 * `table`, after a KernelInputError naming the first row where a `required` column is NaN (a null or
 * a NaN value), in their order; from a text column on, the caller refuses the column itself.
 */
export function missingChecked(table: Table, required: string[], name: string): Table {
  for (const column of required) {
    const values = table.columns[column];
    if (!(values instanceof Float64Array)) break;
    const i = firstMissingOf(table, column) ?? firstNaN(values);
    if (i >= 0) throw new KernelInputError(`${name}: row ${i + 1}`, `a value in column ${column}`, 'a missing value');
  }
  return table;
}

/** The first index holding NaN, -1 when none. */
function firstNaN(values: Float64Array): number {
  const native = loadNative().binding;
  if (typeof native?.firstNaN === 'function') return native.firstNaN(values);
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) return i;
  return -1;
}
