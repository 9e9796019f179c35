/**
 * The CSV header and column types, shared by both backends (docs/io.md, Header; Column types; The
 * unit): the BOM, the header record's names, the selection of columns, the sample of records types are
 * inferred from and the time unit of each time column. It reads with the reference tokenizer.
 */
import { KernelInputError } from '../errors.js';
import { csvFaultError } from './csv-faults.js';
import { isMissing, parseIsoTime, parseNumber, Scan, Tokenizer } from './csv-reference.js';
import { type ColumnType, CsvFault, Kind, type KindCode, type TimeUnit, type TimeUnitInfo } from './types.js';

/** Names (ignoring case) that make a column a time. */
export const TIME_NAMES = ['ts', 'timestamp', 'time', 'date', 'datetime'];

/** Records sampled for type inference unless `inferRows` says otherwise. */
export const DEFAULT_INFER_ROWS = 1000;

/**
 * The default sample for a header of `width` columns: 1,000 records, or 100,000 fields for a wide file
 * (at least 100 records): a 2,520 x 500 returns file spent 0.9 s inferring from 500,000 fields.
 */
export const defaultInferRows = (width: number): number =>
  Math.min(DEFAULT_INFER_ROWS, Math.max(100, Math.floor(100_000 / Math.max(1, width))));

const TIME_UNITS: readonly TimeUnit[] = ['s', 'ms', 'us', 'ns'];
const COLUMN_TYPES: readonly ColumnType[] = ['number', 'time', 'text'];

/** The column options the header resolves (CsvReadOptions' subset). */
export interface ColumnOptions {
  /** Columns to read, by name ignoring case (default all), in any order: the table keeps file order. */
  columns?: readonly string[];
  /** Column types by name ignoring case; the others are inferred. */
  types?: Readonly<Record<string, ColumnType>>;
  /** The unit of the time columns' numeric fields (default: detected per column). */
  tsUnit?: TimeUnit;
  /** Columns whose missing values are errors (`missing`). */
  required?: readonly string[];
  /** Records sampled for inference (default 1000). */
  inferRows?: number;
}

/**
 * 3 when bytes start with a UTF-8 BOM, 0 when they do not, -1 when too few bytes are here to tell
 * (and more may come).
 */
export function bomLength(bytes: Uint8Array, final: boolean): number {
  const bom = [0xef, 0xbb, 0xbf];
  for (let i = 0; i < 3; i++) {
    if (i >= bytes.length) return final ? 0 : -1;
    if (bytes[i] !== bom[i]) return 0;
  }
  return 3;
}

/** The header record: its names, and where the data starts. */
export interface CsvHeader {
  names: string[];
  /** The header's line (1-based). */
  line: number;
  /** Byte offset and line number right after the header record. */
  next: number;
  nextLine: number;
}

/**
 * Reads the header record at `start` (after the BOM). Returns 'incomplete' when more bytes are needed,
 * null when the input has no record at all. Throws KernelInputError for an unclosed quote or two names
 * equal ignoring ASCII case.
 */
export function readHeader(
  bytes: Uint8Array,
  start: number,
  delimiter: number,
  final: boolean,
  file: string,
): CsvHeader | 'incomplete' | null {
  const tok = new Tokenizer(delimiter);
  const code = tok.scan(bytes, start, 1, final);
  if (code === Scan.incomplete) return 'incomplete';
  if (code === Scan.end) return null;
  if (code === Scan.unclosed) {
    const fault = { code: CsvFault.unclosedQuote, line: tok.quoteLine, column: tok.quoteColumn, field: tok.count - 1, text: '' };
    throw csvFaultError(fault, file, []);
  }
  const names: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < tok.count; i++) {
    const text = tok.text(i, bytes);
    const name = text === '' ? `column_${i + 1}` : text;
    const key = asciiLower(name);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new KernelInputError(
        `${file}:${tok.recordLine}`,
        'column names that differ ignoring case',
        `${JSON.stringify(names[earlier])} (column ${earlier + 1}) and ${JSON.stringify(name)} (column ${i + 1})`,
      );
    }
    seen.set(key, i);
    names.push(name);
  }
  return { names, line: tok.recordLine, next: tok.next, nextLine: tok.nextLine };
}

/** ASCII letters to lower case (other characters unchanged: the dialect ignores ASCII case only). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** One sampled field: its value bytes and whether it was quoted. */
export interface SampleField {
  bytes: Uint8Array;
  quoted: boolean;
}

/** The sampled records (those of the header's width) and whether the sample is complete. */
export interface Sample {
  records: SampleField[][];
  /** False when the bytes ran out before `rows` records and the input goes on: read more. */
  complete: boolean;
  /** Where the sampled records end. */
  end: number;
}

/** Samples up to `rows` records from `start` (the first data record's line is `line`). */
export function sampleRecords(
  bytes: Uint8Array,
  start: number,
  line: number,
  delimiter: number,
  final: boolean,
  width: number,
  rows: number,
): Sample {
  const tok = new Tokenizer(delimiter);
  const records: SampleField[][] = [];
  let pos = start;
  let seen = 0;
  while (seen < rows) {
    const code = tok.scan(bytes, pos, line, final);
    if (code === Scan.incomplete) return { records, complete: false, end: pos };
    if (code !== Scan.record) break;
    seen++;
    if (tok.count === width) {
      const record: SampleField[] = [];
      for (let i = 0; i < width; i++) {
        const buf = tok.bufferOf(i, bytes);
        record.push({ bytes: buf.slice(tok.a[i], tok.b[i]), quoted: tok.quoted[i] === 1 });
      }
      records.push(record);
    }
    pos = tok.next;
    line = tok.nextLine;
  }
  return { records, complete: true, end: pos };
}

/** What the header and the sample make of the columns. */
export interface ColumnPlan {
  /** A Kind per header column (skip for those not selected). */
  kinds: Uint8Array;
  required: Uint8Array;
  /** The selected header columns' indices, in file order. */
  selected: number[];
  types: Record<string, ColumnType>;
  timeUnits: Record<string, TimeUnitInfo>;
}

/** The header column that `name` selects (ignoring ASCII case), or a KernelInputError naming `argument`. */
function columnIndex(names: readonly string[], name: string, argument: string): number {
  const key = asciiLower(String(name));
  const i = names.findIndex((n) => asciiLower(n) === key);
  if (i < 0) throw new KernelInputError(argument, `a column of the header (${names.join(', ')})`, JSON.stringify(name));
  return i;
}

/** The unit that a numeric time's magnitude suggests (docs/io.md, The unit). */
export function unitOfMagnitude(x: number): TimeUnit {
  const m = Math.abs(x);
  if (m >= 1e17) return 'ns';
  if (m >= 1e14) return 'us';
  if (m >= 1e11) return 'ms';
  if (m >= 1e8) return 's';
  return 'ms';
}

const KIND_OF_UNIT: Record<TimeUnit, KindCode> = { s: Kind.timeS, ms: Kind.timeMs, us: Kind.timeUs, ns: Kind.timeNs };

/** Checks the column options that do not need the header. */
export function checkColumnOptions(options: ColumnOptions): void {
  if (options.tsUnit !== undefined && !TIME_UNITS.includes(options.tsUnit)) {
    throw new KernelInputError('options.tsUnit', "one of 's', 'ms', 'us', 'ns'", JSON.stringify(options.tsUnit));
  }
  const n = options.inferRows;
  if (n !== undefined && !(Number.isInteger(n) && n >= 1)) {
    throw new KernelInputError('options.inferRows', 'an integer >= 1', String(n));
  }
  for (const key of ['columns', 'required'] as const) {
    const list = options[key];
    if (list !== undefined && !(Array.isArray(list) && list.every((s) => typeof s === 'string'))) {
      throw new KernelInputError(`options.${key}`, 'an array of column names', typeof list);
    }
  }
  for (const [name, type] of Object.entries(options.types ?? {})) {
    if (!COLUMN_TYPES.includes(type)) {
      throw new KernelInputError(`options.types.${name}`, "'number', 'time' or 'text'", JSON.stringify(type));
    }
  }
}

/**
 * The columns' kinds: the selection (`columns`), the types (`types`, else inferred from the names and
 * the sample) and each time column's unit (`tsUnit`, else detected from the first numeric field).
 */
export function planColumns(names: readonly string[], sample: readonly SampleField[][], options: ColumnOptions): ColumnPlan {
  const width = names.length;
  const kinds = new Uint8Array(width);
  const required = new Uint8Array(width);
  let selected = names.map((_, i) => i);
  if (options.columns !== undefined) {
    const chosen = new Set(options.columns.map((n) => columnIndex(names, n, 'options.columns')));
    selected = selected.filter((i) => chosen.has(i));
  }
  const declared = new Map<number, ColumnType>();
  for (const [name, type] of Object.entries(options.types ?? {})) declared.set(columnIndex(names, name, 'options.types'), type);
  for (const name of options.required ?? []) required[columnIndex(names, name, 'options.required')] = 1;
  const types: Record<string, ColumnType> = {};
  const timeUnits: Record<string, TimeUnitInfo> = {};
  for (const c of selected) {
    const type = declared.get(c) ?? inferType(names[c], sample, c);
    types[names[c]] = type;
    if (type === 'text') kinds[c] = Kind.text;
    else if (type === 'number') kinds[c] = Kind.number;
    else {
      const info: TimeUnitInfo = options.tsUnit
        ? { unit: options.tsUnit, detected: false }
        : { unit: detectUnit(sample, c), detected: true };
      timeUnits[names[c]] = info;
      kinds[c] = KIND_OF_UNIT[info.unit];
    }
  }
  return { kinds, required, selected, types, timeUnits };
}

/** docs/io.md, Column types: a time name; else all numbers or missing; else all ISO 8601; else text. */
export function inferType(name: string, sample: readonly SampleField[][], c: number): ColumnType {
  if (TIME_NAMES.includes(asciiLower(name))) return 'time';
  let numbers = true;
  let isoTimes = true;
  for (const record of sample) {
    const { bytes, quoted } = record[c];
    if (isMissing(bytes, 0, bytes.length, quoted)) continue;
    // a number is never ISO 8601 (which needs YYYY-MM-DD): one parse decides most fields
    if (parseNumber(bytes, 0, bytes.length) !== undefined) isoTimes = false;
    else {
      numbers = false;
      if (isoTimes && parseIsoTime(bytes, 0, bytes.length) === undefined) isoTimes = false;
    }
    if (!numbers && !isoTimes) return 'text';
  }
  return numbers ? 'number' : 'time';
}

/** The unit of the first numeric field of column c in the sample (ms when there is none). */
function detectUnit(sample: readonly SampleField[][], c: number): TimeUnit {
  for (const record of sample) {
    const { bytes } = record[c];
    const x = parseNumber(bytes, 0, bytes.length);
    if (x !== undefined) return unitOfMagnitude(x);
  }
  return 'ms';
}
