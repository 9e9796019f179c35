/**
 * The reference CSV block parser: docs/io.md's dialect, read sequentially, byte by byte. It is the
 * oracle the native parser (native/io/) is held to bit for bit, and the fallback where the addon does
 * not load. The tokenizer (`Tokenizer`) is also what the driver uses for the header and the sample of
 * records that column types are inferred from (src/io/csv-header.ts), for both backends.
 *
 * Order of checks within a record (docs/io.md, Errors): an unclosed quote; then its width; then its
 * fields left to right, the first that does not fit its column. A refused record writes nothing: its
 * text values enter no dictionary.
 */
import { CsvFault, type BlockFault, type BlockOut, type BlockPlan, type BlockResult, Kind, type ParseBlock } from './types.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** Longest field text a fault quotes (bytes). */
export const FAULT_TEXT_BYTES = 64;

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** UTF-8 bytes to a string (invalid sequences as U+FFFD; a BOM inside a field is kept). */
export function decodeUtf8(buf: Uint8Array, a: number, b: number): string {
  if (b - a <= 32) {
    let s = '';
    for (let i = a; i < b; i++) {
      const c = buf[i];
      if (c >= 0x80) return decoder.decode(buf.subarray(a, b));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(buf.subarray(a, b));
}

/** How scanning a record ended. */
export const Scan = {
  /** A record: its fields are in the tokenizer. */
  record: 0,
  /** No record starts here: the end of the bytes. */
  end: 1,
  /** The record runs past the bytes and the input goes on (not final): read more. */
  incomplete: 2,
  /** A quoted field has no closing quote before the end of the input (final). */
  unclosed: 3,
} as const;
export type ScanCode = (typeof Scan)[keyof typeof Scan];

/**
 * Splits bytes into records and fields (docs/io.md, Records and lines; Fields). After `scan` returns
 * `Scan.record`, fields 0..count-1 are readable through `value` (their text bytes: for most fields a
 * range of the input, for quoted fields with `""` or bytes after the closing quote a range of
 * `scratch`), `quoted`, `line` and `column`.
 */
export class Tokenizer {
  /** Fields of the last record. */
  count = 0;
  /** Per field: the buffer its value is in (0 the input, 1 scratch), the value's bytes [a, b). */
  inScratch = new Uint8Array(16);
  a = new Int32Array(16);
  b = new Int32Array(16);
  /** Per field: 1 when quoted. */
  quoted = new Uint8Array(16);
  /** Per field: its line (1-based) and the 1-based byte column of its first byte (after the delimiter). */
  line = new Float64Array(16);
  column = new Int32Array(16);
  /** Where the last record starts and ends (its line break and a dropped `\r` excluded), its first line. */
  recordStart = 0;
  recordEnd = 0;
  recordLine = 0;
  /** After `scan`: where the next record may start, and the line number there. */
  next = 0;
  nextLine = 0;
  /** With `Scan.unclosed`: the opening quote's position, line and column. */
  quoteAt = 0;
  quoteLine = 0;
  quoteColumn = 0;
  scratch = new Uint8Array(256);
  private scratchLength = 0;

  constructor(readonly delimiter: number) {}

  /** The buffer field `i`'s value is in. */
  bufferOf(i: number, input: Uint8Array): Uint8Array {
    return this.inScratch[i] ? this.scratch : input;
  }

  /** Field `i`'s value as text. */
  text(i: number, input: Uint8Array): string {
    return decodeUtf8(this.bufferOf(i, input), this.a[i], this.b[i]);
  }

  /**
   * Reads the record starting at `pos` (the start of a line, numbered `line`), skipping blank lines
   * first. `final` says the bytes end the input.
   */
  scan(bytes: Uint8Array, pos: number, line: number, final: boolean): ScanCode {
    const end = bytes.length;
    // Blank lines: empty, or only `\r`.
    for (;;) {
      this.next = pos; // after the blank lines (an incomplete record starts here)
      this.nextLine = line;
      if (pos >= end) return final ? Scan.end : Scan.incomplete;
      if (bytes[pos] === LF) {
        pos++;
        line++;
        continue;
      }
      if (bytes[pos] === CR) {
        if (pos + 1 >= end) {
          if (!final) return Scan.incomplete;
          this.next = end;
          return Scan.end;
        }
        if (bytes[pos + 1] === LF) {
          pos += 2;
          line++;
          continue;
        }
      }
      break;
    }
    const delim = this.delimiter;
    this.recordStart = pos;
    this.recordLine = line;
    this.count = 0;
    this.scratchLength = 0;
    let lineStart = pos;
    for (;;) {
      const field = this.count;
      this.grow(field + 1);
      this.line[field] = line;
      this.column[field] = pos - lineStart + 1;
      this.count = field + 1;
      // 1. Leading spaces and tabs (not the delimiter).
      while (pos < end && (bytes[pos] === SPACE || (bytes[pos] === TAB && delim !== TAB))) pos++;
      let stop: number; // the delimiter, the line break, or the end
      if (pos < end && bytes[pos] === QUOTE) {
        // 2. Quoted: to the next `"` that is not doubled.
        this.quoteAt = pos;
        this.quoteLine = line;
        this.quoteColumn = pos - lineStart + 1;
        const open = pos;
        let escaped = false;
        let q = pos + 1;
        for (;;) {
          while (q < end && bytes[q] !== QUOTE) {
            if (bytes[q] === LF) {
              line++;
              lineStart = q + 1;
            }
            q++;
          }
          if (q >= end) return final ? Scan.unclosed : Scan.incomplete;
          if (q + 1 < end && bytes[q + 1] === QUOTE) {
            escaped = true;
            q += 2;
            continue;
          }
          if (q + 1 >= end && !final) return Scan.incomplete; // the next byte may be a second `"`
          break;
        }
        // Bytes after the closing quote, to the delimiter or the record's end.
        let s = q + 1;
        while (s < end && bytes[s] !== delim && bytes[s] !== LF) s++;
        if (s >= end && !final) return Scan.incomplete;
        stop = s;
        let tail = s;
        if ((s >= end || bytes[s] === LF) && tail > q + 1 && bytes[tail - 1] === CR) tail--;
        while (tail > q + 1 && (bytes[tail - 1] === SPACE || bytes[tail - 1] === TAB)) tail--;
        this.quoted[field] = 1;
        if (!escaped && tail === q + 1) {
          this.inScratch[field] = 0;
          this.a[field] = open + 1;
          this.b[field] = q;
        } else {
          const from = this.scratchLength;
          for (let i = open + 1; i < q; i++) {
            this.push(bytes[i]);
            if (bytes[i] === QUOTE) i++; // `""` is one `"`
          }
          for (let i = q + 1; i < tail; i++) this.push(bytes[i]);
          this.inScratch[field] = 1;
          this.a[field] = from;
          this.b[field] = this.scratchLength;
        }
      } else {
        // 3. Unquoted: to the delimiter or the record's end, less trailing spaces and tabs.
        const start = pos;
        while (pos < end && bytes[pos] !== delim && bytes[pos] !== LF) pos++;
        if (pos >= end && !final) return Scan.incomplete;
        stop = pos;
        let tail = pos;
        if ((pos >= end || bytes[pos] === LF) && tail > start && bytes[tail - 1] === CR) tail--;
        while (tail > start && (bytes[tail - 1] === SPACE || bytes[tail - 1] === TAB)) tail--;
        this.quoted[field] = 0;
        this.inScratch[field] = 0;
        this.a[field] = start;
        this.b[field] = tail;
      }
      if (stop < end && bytes[stop] === delim) {
        pos = stop + 1;
        continue;
      }
      // The record's end: a line break or the end of the input.
      let recordEnd = stop;
      if (recordEnd > this.recordStart && bytes[recordEnd - 1] === CR) recordEnd--;
      this.recordEnd = recordEnd;
      if (stop < end) {
        this.next = stop + 1;
        this.nextLine = line + 1;
      } else {
        this.next = end;
        this.nextLine = line;
      }
      return Scan.record;
    }
  }

  private push(byte: number): void {
    if (this.scratchLength === this.scratch.length) {
      const bigger = new Uint8Array(this.scratch.length * 2);
      bigger.set(this.scratch);
      this.scratch = bigger;
    }
    this.scratch[this.scratchLength++] = byte;
  }

  private grow(n: number): void {
    if (n <= this.a.length) return;
    const size = Math.max(n, this.a.length * 2);
    const g = <T extends Uint8Array | Int32Array | Float64Array>(old: T, make: (k: number) => T): T => {
      const fresh = make(size);
      fresh.set(old);
      return fresh;
    };
    this.inScratch = g(this.inScratch, (k) => new Uint8Array(k));
    this.a = g(this.a, (k) => new Int32Array(k));
    this.b = g(this.b, (k) => new Int32Array(k));
    this.quoted = g(this.quoted, (k) => new Uint8Array(k));
    this.line = g(this.line, (k) => new Float64Array(k));
    this.column = g(this.column, (k) => new Int32Array(k));
  }
}

// --- Field values (docs/io.md, Missing values; Numbers; Times) ---

const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 32 : c);

/** True when bytes [a, b) equal the lower-case ASCII `word` ignoring ASCII case. */
function equalsIgnoreCase(buf: Uint8Array, a: number, b: number, word: string): boolean {
  if (b - a !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (lower(buf[a + i]) !== word.charCodeAt(i)) return false;
  return true;
}

const MISSING_WORDS = ['na', 'n/a', 'nan', 'null', 'none'];

/** A missing value in a number or time column: an unquoted empty field, or NA, N/A, NaN, null, None. */
export function isMissing(buf: Uint8Array, a: number, b: number, quoted: boolean): boolean {
  if (a === b) return !quoted;
  for (const w of MISSING_WORDS) if (equalsIgnoreCase(buf, a, b, w)) return true;
  return false;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** Bytes [a, b) as a string of their (ASCII) char codes. */
function ascii(buf: Uint8Array, a: number, b: number): string {
  let s = '';
  for (let i = a; i < b; i++) s += String.fromCharCode(buf[i]);
  return s;
}

/**
 * The number that bytes [a, b) spell (docs/io.md, Numbers), or undefined when they are not one:
 * `[+-]?(digits(.digits?)?|.digits)([eE][+-]?digits)?`, or `[+-]?inf` / `[+-]?infinity` in any case.
 */
export function parseNumber(buf: Uint8Array, a: number, b: number): number | undefined {
  let p = a;
  let negative = false;
  if (p < b && (buf[p] === 0x2b || buf[p] === 0x2d)) {
    negative = buf[p] === 0x2d;
    p++;
  }
  if (equalsIgnoreCase(buf, p, b, 'inf') || equalsIgnoreCase(buf, p, b, 'infinity')) {
    return negative ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  let digits = 0;
  while (p < b && isDigit(buf[p])) {
    p++;
    digits++;
  }
  if (p < b && buf[p] === 0x2e) {
    p++;
    while (p < b && isDigit(buf[p])) {
      p++;
      digits++;
    }
  }
  if (digits === 0) return undefined;
  if (p < b && (buf[p] === 0x65 || buf[p] === 0x45)) {
    p++;
    if (p < b && (buf[p] === 0x2b || buf[p] === 0x2d)) p++;
    let exponentDigits = 0;
    while (p < b && isDigit(buf[p])) {
      p++;
      exponentDigits++;
    }
    if (exponentDigits === 0) return undefined;
  }
  if (p !== b) return undefined;
  return Number(ascii(buf, a, b));
}

const TEN_POW = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * A numeric time field in its unit, as epoch ms (docs/io.md, Times): `s` x 1000; `ms` as is; `us` /
 * `ns` (k = 3 / 6): an integer of more than k digits as ±(H + L / 10^k), else value / 10^k.
 */
export function numericTime(buf: Uint8Array, a: number, b: number, kind: number): number | undefined {
  const value = parseNumber(buf, a, b);
  if (value === undefined) return undefined;
  if (kind === Kind.timeS) return value * 1000;
  if (kind === Kind.timeMs) return value;
  const k = kind === Kind.timeUs ? 3 : 6;
  let p = a;
  const negative = buf[p] === 0x2d;
  if (buf[p] === 0x2b || buf[p] === 0x2d) p++;
  let integer = true;
  for (let i = p; i < b; i++) if (!isDigit(buf[i])) integer = false;
  if (integer && b - p > k) {
    const high = Number(ascii(buf, p, b - k));
    const low = Number(ascii(buf, b - k, b));
    const ms = high + low / TEN_POW[k];
    return negative ? -ms : ms;
  }
  return value / TEN_POW[k];
}

/** Days from 1970-01-01 to the proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1];
}

/** Two digits at p as a number, or -1. */
function two(buf: Uint8Array, p: number, b: number): number {
  if (p + 2 > b || !isDigit(buf[p]) || !isDigit(buf[p + 1])) return -1;
  return (buf[p] - 0x30) * 10 + (buf[p + 1] - 0x30);
}

/**
 * An ISO 8601 time (docs/io.md, Times) as epoch ms `W + S`, or undefined: `YYYY-MM-DD`, then
 * optionally `T`/`t`/space and `HH:MM`, `HH:MM:SS` or `HH:MM:SS.f` (`.` or `,`), then (only after a
 * time) optionally `Z`, `z`, `±HH`, `±HHMM` or `±HH:MM`.
 */
export function parseIsoTime(buf: Uint8Array, a: number, b: number): number | undefined {
  if (b - a < 10) return undefined;
  const century = two(buf, a, b);
  const yy = two(buf, a + 2, b);
  const month = two(buf, a + 5, b);
  const day = two(buf, a + 8, b);
  if (century < 0 || yy < 0 || buf[a + 4] !== 0x2d || month < 0 || buf[a + 7] !== 0x2d || day < 0) return undefined;
  const year = century * 100 + yy;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  let w = daysFromCivil(year, month, day) * 86_400_000;
  let s = 0;
  let p = a + 10;
  if (p === b) return w;
  const sep = buf[p];
  if (sep !== 0x54 && sep !== 0x74 && sep !== SPACE) return undefined;
  p++;
  const hour = two(buf, p, b);
  const minute = two(buf, p + 3, b);
  if (hour < 0 || buf[p + 2] !== 0x3a || minute < 0 || hour > 23 || minute > 59) return undefined;
  w += hour * 3_600_000 + minute * 60_000;
  p += 5;
  if (p < b && buf[p] === 0x3a) {
    const second = two(buf, p + 1, b);
    if (second < 0 || second > 59) return undefined;
    w += second * 1000;
    p += 3;
    if (p < b && (buf[p] === 0x2e || buf[p] === 0x2c)) {
      p++;
      let n = 0; // fraction digits read
      let ms = 0;
      let d = 0;
      let dn = 0;
      while (p < b && isDigit(buf[p])) {
        const digit = buf[p] - 0x30;
        if (n < 3) ms = ms * 10 + digit;
        else if (n < 9) {
          d = d * 10 + digit;
          dn++;
        }
        n++;
        p++;
      }
      if (n === 0) return undefined;
      for (let i = n; i < 3; i++) ms *= 10;
      w += ms;
      if (dn > 0) s = d / TEN_POW[dn];
    }
  }
  if (p < b) {
    const c = buf[p];
    if (c === 0x5a || c === 0x7a) p++;
    else if (c === 0x2b || c === 0x2d) {
      const oh = two(buf, p + 1, b);
      if (oh < 0 || oh > 23) return undefined;
      p += 3;
      let om = 0;
      if (p < b && buf[p] === 0x3a) {
        om = two(buf, p + 1, b);
        p += 3;
      } else if (p < b) {
        om = two(buf, p, b);
        p += 2;
      }
      if (om < 0 || om > 59) return undefined;
      const offset = oh * 3_600_000 + om * 60_000;
      w += c === 0x2d ? offset : -offset;
    }
    if (p !== b) return undefined;
  }
  return w + s;
}

/** A time field (number in the kind's unit, or ISO 8601) as epoch ms, or undefined. */
export function parseTime(buf: Uint8Array, a: number, b: number, kind: number): number | undefined {
  const numeric = numericTime(buf, a, b, kind);
  return numeric !== undefined ? numeric : parseIsoTime(buf, a, b);
}

// --- The block parser ---

/** A fault for field `i` of the tokenizer's record, quoting its value (at most 64 bytes). */
function fieldFault(code: BlockFault['code'], tok: Tokenizer, i: number, input: Uint8Array): BlockFault {
  const buf = tok.bufferOf(i, input);
  const a = tok.a[i];
  const b = Math.min(tok.b[i], a + FAULT_TEXT_BYTES);
  return { code, line: tok.line[i], column: tok.column[i], field: i, text: decodeUtf8(buf, a, b) };
}

/** The whole record's first 64 bytes (a `width` fault), or from the opening quote (`unclosedQuote`). */
function rawFault(
  code: BlockFault['code'],
  line: number,
  column: number,
  field: number,
  input: Uint8Array,
  from: number,
  to: number,
): BlockFault {
  return { code, line, column, field, text: decodeUtf8(input, from, Math.min(to, from + FAULT_TEXT_BYTES)) };
}

/** Counts the complete records in bytes (what `needRows` reports). */
function countRecords(bytes: Uint8Array, plan: BlockPlan): number {
  const tok = new Tokenizer(plan.delimiter);
  let pos = 0;
  let records = 0;
  for (;;) {
    const code = tok.scan(bytes, pos, 1, plan.final);
    if (code === Scan.record) records++;
    if (code !== Scan.record) return records + (code === Scan.unclosed ? 1 : 0);
    pos = tok.next;
  }
}

/** Upper bound of the records in bytes: its line breaks, plus one. */
function maxRecords(bytes: Uint8Array): number {
  let n = 1;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === LF) n++;
  return n;
}

/**
 * The reference `ParseBlock` (src/io/types.ts): parses the block's complete records into `out` from
 * row `plan.rowOffset`, per docs/io.md.
 */
export const parseBlockReference: ParseBlock = (bytes: Uint8Array, plan: BlockPlan, out: BlockOut): BlockResult => {
  const width = plan.kinds.length;
  const dictionaries: (string[] | undefined)[] = [];
  const maps: (Map<string, number> | undefined)[] = [];
  for (let c = 0; c < width; c++) {
    const text = plan.kinds[c] === Kind.text;
    dictionaries.push(text ? [] : undefined);
    maps.push(text ? new Map() : undefined);
  }
  let capacity = Number.POSITIVE_INFINITY;
  for (const column of out) if (column) capacity = Math.min(capacity, column.length);
  const room = capacity - plan.rowOffset;
  if (maxRecords(bytes) > room) {
    const needed = countRecords(bytes, plan);
    if (needed > room) return { rows: 0, consumed: 0, lines: 0, badRows: 0, needRows: needed, dictionaries: [] };
  }

  const tok = new Tokenizer(plan.delimiter);
  const values = new Float64Array(width); // the record's number and time values, until it is accepted
  const texts: (string | undefined)[] = new Array(width).fill(undefined);
  let pos = 0;
  let line = plan.firstLine;
  let rows = 0;
  let badRows = 0;
  let firstBad: BlockFault | undefined;
  for (;;) {
    const code = tok.scan(bytes, pos, line, plan.final);
    if (code === Scan.end) {
      pos = tok.next;
      line = tok.nextLine;
      break;
    }
    if (code === Scan.incomplete) {
      pos = tok.next; // where the unfinished record starts (blank lines before it are consumed)
      line = tok.nextLine;
      break;
    }
    let fault: BlockFault | undefined;
    if (code === Scan.unclosed) {
      fault = rawFault(CsvFault.unclosedQuote, tok.quoteLine, tok.quoteColumn, tok.count - 1, bytes, tok.quoteAt, bytes.length);
    } else if (tok.count !== width) {
      fault = rawFault(CsvFault.width, tok.recordLine, 1, tok.count, bytes, tok.recordStart, tok.recordEnd);
    } else {
      for (let c = 0; c < width && !fault; c++) {
        const kind = plan.kinds[c];
        if (kind === Kind.skip) continue;
        const buf = tok.bufferOf(c, bytes);
        const a = tok.a[c];
        const b = tok.b[c];
        const quoted = tok.quoted[c] === 1;
        if (kind === Kind.text) {
          const missing = a === b && !quoted;
          if (missing && plan.required[c]) fault = fieldFault(CsvFault.missing, tok, c, bytes);
          texts[c] = missing ? undefined : decodeUtf8(buf, a, b);
        } else if (isMissing(buf, a, b, quoted)) {
          if (plan.required[c]) fault = fieldFault(CsvFault.missing, tok, c, bytes);
          values[c] = Number.NaN;
        } else {
          const v = kind === Kind.number ? parseNumber(buf, a, b) : parseTime(buf, a, b, kind);
          if (v === undefined) fault = fieldFault(kind === Kind.number ? CsvFault.notANumber : CsvFault.badTime, tok, c, bytes);
          else values[c] = v;
        }
      }
    }
    if (fault) {
      if (!plan.skipBadRows) return { rows, consumed: pos, lines: line - plan.firstLine, badRows, firstBad, fault, dictionaries };
      badRows++;
      firstBad ??= fault;
      if (code === Scan.unclosed) {
        // The record runs to the end of the input: nothing follows it.
        line = tok.recordLine;
        for (let i = tok.recordStart; i < bytes.length; i++) if (bytes[i] === LF) line++;
        pos = bytes.length;
        break;
      }
    } else {
      const row = plan.rowOffset + rows;
      for (let c = 0; c < width; c++) {
        const kind = plan.kinds[c];
        if (kind === Kind.skip) continue;
        if (kind === Kind.text) {
          const text = texts[c];
          let code = -1;
          if (text !== undefined) {
            const map = maps[c] as Map<string, number>;
            const known = map.get(text);
            if (known !== undefined) code = known;
            else {
              code = map.size;
              map.set(text, code);
              (dictionaries[c] as string[]).push(text);
            }
          }
          (out[c] as Int32Array)[row] = code;
        } else (out[c] as Float64Array)[row] = values[c];
      }
      rows++;
    }
    pos = tok.next;
    line = tok.nextLine;
  }
  return { rows, consumed: pos, lines: line - plan.firstLine, badRows, firstBad, dictionaries };
};
