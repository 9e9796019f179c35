/**
 * Tables in and out (`kernelbus/io`): the table every reader returns and every writer takes, and the
 * block-parser contract that the CSV readers (the TypeScript reference, src/io/csv-reference.ts, and
 * the native one, native/io/) implement identically. docs/io.md is the dialect's specification.
 */

/** A text column, dictionary-coded: `values[codes[i]]` is row i's text; code -1 is a missing value. */
export interface TextColumn {
  readonly codes: Int32Array;
  readonly values: string[];
}

/** A column: numbers (times are epoch milliseconds, missing values NaN) or dictionary-coded text. */
export type TableColumn = Float64Array | TextColumn;

/** What a column holds: `time` columns are Float64Array of epoch ms, like `number` columns. */
export type ColumnType = 'number' | 'time' | 'text';

/** How the time columns' numeric fields were read: their unit, and whether it was detected. */
export interface TimeUnitInfo {
  unit: TimeUnit;
  detected: boolean;
}

/** Units of integer or decimal epoch timestamps. */
export type TimeUnit = 's' | 'ms' | 'us' | 'ns';

/** What a read did: for the progress line, `--json` reports and messages. */
export interface ReadInfo {
  /** The input in messages: the path, `stdin`, or `buffer`. */
  source: string;
  format: 'csv' | 'parquet' | 'arrow';
  /** Bytes read (for gzip input: the decompressed bytes). */
  bytes: number;
  /** Data rows skipped as bad (`skipBadRows`), and the first one's message. */
  skippedRows: number;
  firstSkipped?: string;
  /** The unit each time column's numeric fields were read in. */
  timeUnits: Record<string, TimeUnitInfo>;
  /** Seconds the read took. */
  seconds: number;
}

/**
 * A table: `rows` rows of the named columns. `names` is the column order (a JS object would move
 * integer-like names such as "10001" first); `types` says which Float64Array columns are times.
 */
export interface Table {
  rows: number;
  names: string[];
  columns: Record<string, TableColumn>;
  types: Record<string, ColumnType>;
  info?: ReadInfo;
}

/**
 * A native read's `threads`: the threads its native work uses (default: KERNELBUS_THREADS, else the
 * cores), whatever count a `kernels({ threads })` call set before (the addon's count is one for the
 * process); an integer in [1, 1024].
 */
export interface ThreadsOption {
  threads?: number;
}

/** True for a text column. */
export const isText = (c: TableColumn): c is TextColumn => !(c instanceof Float64Array);

// --- The block parser: one definition, two implementations (reference and native). ---

/**
 * What the parser makes of each header column (`BlockPlan.kinds`): skip it, a number, a time whose
 * numeric fields are epoch seconds / ms / us / ns (ISO 8601 fields are read whatever the unit), text.
 */
export const Kind = { skip: 0, number: 1, text: 2, timeS: 3, timeMs: 4, timeUs: 5, timeNs: 6 } as const;
export type KindCode = (typeof Kind)[keyof typeof Kind];

/** Why a record was refused (`BlockFault.code`); the message is formatted once, in TS (src/io/csv-faults.ts). */
export const CsvFault = {
  /** A record with more or fewer fields than the header. */
  width: 1,
  /** A field of a number column that is not a number (docs/io.md, Numbers). */
  notANumber: 2,
  /** A field of a time column that is neither a number nor ISO 8601. */
  badTime: 3,
  /** A missing value (empty, NA, NaN, null...) in a required column. */
  missing: 4,
  /** A quoted field without its closing quote at the end of the input. */
  unclosedQuote: 5,
} as const;
export type CsvFaultCode = (typeof CsvFault)[keyof typeof CsvFault];

/** A refused record: where (1-based line of the record's start... see docs/io.md) and what. */
export interface BlockFault {
  code: CsvFaultCode;
  /** 1-based line of the field (the record's first line for `width`). */
  line: number;
  /** 1-based byte column of the field's first byte in its line (`width`: see docs/io.md). */
  column: number;
  /** 0-based index of the header column the field is in (`width`: the field count found). */
  field: number;
  /** The field as written, at most 64 bytes of it (`width`: the record's first 64 bytes). */
  text: string;
}

/**
 * How to parse one block of records. `bytes` starts at a record boundary (after the header for the
 * first block; the BOM and header are the reader's business, not the block parser's).
 */
export interface BlockPlan {
  /** The delimiter's byte (0x2c ','; 0x09 tab; any byte but '"', '\r', '\n', ' '). */
  delimiter: number;
  /** A Kind per header column (its length is the header's width). */
  kinds: Uint8Array;
  /** 1 per header column whose missing values are a fault (`CsvFault.missing`). */
  required: Uint8Array;
  /** The 1-based line number of bytes[0]. */
  firstLine: number;
  /** True when the block ends the input: a last record without a line break is complete. */
  final: boolean;
  /** Skip refused records (counted in `badRows`) instead of stopping at the first. */
  skipBadRows: boolean;
  /** The row of `out` the block's first record goes to. */
  rowOffset: number;
}

/**
 * What the block parser writes into: per header column, a Float64Array (number and time kinds), an
 * Int32Array (text: block-local codes, see BlockResult.dictionaries) or null (skip). Each has room for
 * `capacity` rows from row 0; the block's rows go to [rowOffset, rowOffset + rows).
 */
export type BlockOut = (Float64Array | Int32Array | null)[];

/** What parsing one block did. */
export interface BlockResult {
  /** Rows written (records parsed, less those skipped). */
  rows: number;
  /** Bytes consumed: up to and including the last complete record's line break (all of it when final). */
  consumed: number;
  /** Line breaks in the consumed bytes (the next block's firstLine = firstLine + lines). */
  lines: number;
  /** Records refused and skipped (skipBadRows), and the first of them. */
  badRows: number;
  firstBad?: BlockFault;
  /** The first refused record when not skipBadRows: then nothing after it was written. */
  fault?: BlockFault;
  /**
   * When the block's records do not fit in `capacity - rowOffset` rows: the rows needed; nothing was
   * written (the caller grows `out` and calls again).
   */
  needRows?: number;
  /**
   * Per header column, for text kinds: the block's values in order of first appearance; the codes
   * written are indices into it. undefined for the other kinds.
   */
  dictionaries: (string[] | undefined)[];
}

/** The block parser both CSV backends implement. */
export type ParseBlock = (bytes: Uint8Array, plan: BlockPlan, out: BlockOut) => BlockResult;

/** ParseBlock off the event loop (the native parser on the libuv thread pool): bytes and out untouched until it settles. */
export type ParseBlockAsync = (bytes: Uint8Array, plan: BlockPlan, out: BlockOut) => Promise<BlockResult>;

/** What csvReadWideAsync resolves to (native/binding/io_binding.cc). */
export interface WideRead {
  /** rows x assets, row-major, rows sorted by date when `dates` is there. */
  returns: Float64Array;
  rows: number;
  /** Each row's date (epoch ms, or the plain number), when every value of the date column is one. */
  dates?: Float64Array;
  consumed: number;
  lines: number;
  badRows: number;
  firstBad?: BlockFault;
  fault?: BlockFault;
}
