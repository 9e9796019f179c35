/**
 * CSV for the commands: trades in and buckets out for `kernelbus vpin`, returns in for `kernelbus
 * risk` (the factor panel: ./factor-csv.ts). The trades input needs a header row naming a
 * timestamp column (ts, timestamp or time: epoch ms, or an ISO 8601 date), a price column (price or
 * px) and a volume column (volume, size, qty or quantity), in any order; other columns are ignored.
 * Every reader parses with csv-parse (RFC 4180: quoted fields with the delimiter, quotes or line breaks
 * in them; a BOM; streaming), fields separated by `delimiter` (default ','), whitespace around fields
 * trimmed, blank lines skipped; a row whose field count differs from the header's is an error naming
 * its line. The path `-` reads stdin.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { KernelInputError } from '../errors.js';
import type { Matrix } from '../kernels/risk.js';
import type { DailyVpin } from '../kernels/daily-vpin.js';
import type { Trades, VpinBuckets } from '../kernels/vpin.js';

const COLUMNS = {
  ts: ['ts', 'timestamp', 'time'],
  price: ['price', 'px'],
  volume: ['volume', 'size', 'qty', 'quantity'],
} as const;

/** Optional quote columns of a trades CSV (both or neither): the bid and ask at each trade. */
const QUOTE_COLUMNS = { bid: ['bid'], ask: ['ask', 'offer'] } as const;

/** A Float64Array that grows by doubling. */
export class Column {
  data = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  done(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/** How the readers read a CSV. */
export interface CsvOptions {
  /** The field delimiter (one character or a string; default ','). */
  delimiter?: string;
  /** Called every million data rows with the rows read so far (progress on a terminal). */
  onProgress?: (rows: number) => void;
}

/** One row of a CSV: its fields and the line it starts on (1-based). */
export interface CsvRow {
  fields: string[];
  line: number;
  /** The row as written, for messages (its first fields joined). */
  readonly text: string;
}

/** The name of a CSV input in messages: the path, or `stdin` for `-`. */
export const inputName = (path: string) => (path === '-' ? 'stdin' : path);

/**
 * The rows of a CSV file (`-`: stdin), the header first, streamed through csv-parse. A row whose field
 * count differs from the header's throws KernelInputError `<path>:<line>: expected <n> fields (as the
 * header), got <m>`; a quoting error throws one naming the line too.
 */
export async function* csvRows(path: string, options: CsvOptions = {}): AsyncGenerator<CsvRow> {
  const delimiter = options.delimiter ?? ',';
  if (delimiter === '' || /["\r\n]/.test(delimiter))
    throw new KernelInputError('--delimiter', 'a character other than a quote or a line break', JSON.stringify(delimiter));
  const name = inputName(path);
  const input = path === '-' ? process.stdin : createReadStream(path);
  const parser = input.pipe(parse({ delimiter, bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }));
  input.once('error', (error: Error) => parser.destroy(error));
  let width = -1;
  let rows = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines - countLineBreaks(record);
      const row: CsvRow = {
        fields: record,
        line,
        get text() {
          return record.join(delimiter).slice(0, 80);
        },
      };
      if (width < 0) width = record.length;
      else {
        if (record.length !== width) throw new KernelInputError(`${name}:${line}`, `${width} fields (as the header)`, `${record.length}`);
        rows++;
        if (options.onProgress && rows % 1_000_000 === 0) options.onProgress(rows);
      }
      yield row;
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('CSV_')) {
      const at = (error as { lines?: number }).lines;
      throw new KernelInputError(
        `${name}${at ? `:${at}` : ''}`,
        'valid CSV (RFC 4180 quoting)',
        (error as Error).message.replace(/^Invalid [^:]*: /, ''),
      );
    }
    throw error;
  } finally {
    if (path !== '-') (input as ReturnType<typeof createReadStream>).destroy();
  }
}

/** Line breaks inside the quoted fields of a record (its first line is info.lines minus these). */
function countLineBreaks(record: readonly string[]): number {
  let n = 0;
  for (const f of record) for (let i = f.indexOf('\n'); i >= 0; i = f.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Reads trades from a CSV file (`-`: stdin); a bad row throws KernelInputError naming the file, line
 * and column. `onProgress` is called every million rows with the rows read so far.
 */
export async function readTradesCsv(path: string, options: CsvOptions = {}): Promise<Trades> {
  const ts = new Column();
  const price = new Column();
  const volume = new Column();
  const bid = new Column();
  const ask = new Column();
  const name = inputName(path);
  let index: { ts: number; price: number; volume: number; bid: number; ask: number } | undefined;
  for await (const { fields, line: lineNo, text: line } of csvRows(path, options)) {
    if (!index) {
      const names = fields.map((f) => f.toLowerCase());
      const find = (key: keyof typeof COLUMNS) => {
        const at = names.findIndex((n) => (COLUMNS[key] as readonly string[]).includes(n));
        if (at < 0)
          throw new KernelInputError(
            `${name}:${lineNo}`,
            `a header with a ${key} column (${COLUMNS[key].join(', ')})`,
            JSON.stringify(line),
          );
        return at;
      };
      const quote = (key: keyof typeof QUOTE_COLUMNS) => names.findIndex((n) => (QUOTE_COLUMNS[key] as readonly string[]).includes(n));
      index = { ts: find('ts'), price: find('price'), volume: find('volume'), bid: quote('bid'), ask: quote('ask') };
      if (index.bid < 0 !== index.ask < 0) {
        throw new KernelInputError(`${name}:${lineNo}`, 'a header with both bid and ask columns, or neither', JSON.stringify(line));
      }
      continue;
    }
    const field = (key: keyof typeof COLUMNS | keyof typeof QUOTE_COLUMNS) => fields[index![key]] ?? '';
    const rawTs = field('ts');
    let t = Number(rawTs);
    if (rawTs === '' || Number.isNaN(t)) t = Date.parse(rawTs);
    const p = Number(field('price'));
    const v = Number(field('volume'));
    for (const [key, value] of [
      ['ts', t],
      ['price', p],
      ['volume', v],
    ] as const) {
      if (!Number.isFinite(value) || field(key) === '') {
        throw new KernelInputError(`${name}:${lineNo}`, `a number in column ${key}`, JSON.stringify(field(key)));
      }
    }
    ts.push(t);
    price.push(p);
    volume.push(v);
    if (index.bid >= 0) {
      // an empty field, NaN or NA: no quote at this trade
      for (const [key, column] of [
        ['bid', bid],
        ['ask', ask],
      ] as const) {
        const raw = field(key);
        const x = raw === '' || raw === 'NA' ? NaN : Number(raw);
        if (Number.isNaN(x) && raw !== '' && raw !== 'NA' && raw !== 'NaN') {
          throw new KernelInputError(`${name}:${lineNo}`, `a number, or nothing, in column ${key}`, JSON.stringify(raw));
        }
        column.push(x);
      }
    }
  }
  if (!index) throw new KernelInputError(name, 'a CSV file with a header row', 'an empty file');
  const trades: Trades = { ts: ts.done(), price: price.done(), volume: volume.done() };
  if (index.bid >= 0) Object.assign(trades, { bid: bid.done(), ask: ask.done() });
  return trades;
}

/** Date columns of a returns CSV: skipped. */
const DATE_COLUMNS = ['date', 'ts', 'time', 'timestamp'];

/**
 * Reads a returns CSV: a header row of asset names (a date, ts, time or timestamp column is skipped),
 * one row per date; an empty field, NaN or NA is a missing return (NaN). Returns the T x N matrix and
 * the asset names; a field that is no number throws KernelInputError naming the file, line and column.
 */
export async function readReturnsCsv(path: string, options: CsvOptions = {}): Promise<{ returns: Matrix; names: string[] }> {
  const values = new Column();
  const name = inputName(path);
  let names: string[] | undefined;
  let keep: number[] = [];
  let rows = 0;
  for await (const { fields, line: lineNo, text: line } of csvRows(path, options)) {
    if (!names) {
      keep = fields.map((_, i) => i).filter((i) => !DATE_COLUMNS.includes(fields[i].toLowerCase()));
      names = keep.map((i) => fields[i]);
      if (names.length === 0)
        throw new KernelInputError(`${name}:${lineNo}`, 'a header with at least one asset column', JSON.stringify(line));
      continue;
    }
    for (const i of keep) {
      const field = fields[i] ?? '';
      const missing = field === '' || field === 'NaN' || field === 'NA';
      const x = missing ? NaN : Number(field);
      if (!missing && Number.isNaN(x))
        throw new KernelInputError(
          `${name}:${lineNo}`,
          `a number or an empty field in column ${names[keep.indexOf(i)]}`,
          JSON.stringify(field),
        );
      values.push(x);
    }
    rows++;
  }
  if (!names) throw new KernelInputError(name, 'a CSV file with a header row', 'an empty file');
  return { returns: { data: values.done(), rows, cols: names.length }, names };
}

/** Writes daily VPIN as CSV: day,vpin,weightedVpin,buckets,vpinBuckets (NaN written as an empty field). */
export async function writeDailyCsv(path: string, d: DailyVpin): Promise<void> {
  const out = createWriteStream(path);
  const cell = (x: number) => (Number.isNaN(x) ? '' : String(x));
  out.write('day,vpin,weightedVpin,buckets,vpinBuckets\n');
  for (let i = 0; i < d.day.length; i++) {
    if (!out.write(`${d.day[i]},${cell(d.vpin[i])},${cell(d.weightedVpin[i])},${d.buckets[i]},${d.vpinBuckets[i]}\n`))
      await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Writes buckets as CSV: startTs,endTs,duration,buyVolume,sellVolume,vpin,cdf (NaN written as an empty field). */
export async function writeBucketsCsv(path: string, b: VpinBuckets): Promise<void> {
  const out = createWriteStream(path);
  const cell = (x: number) => (Number.isNaN(x) ? '' : String(x));
  out.write('startTs,endTs,duration,buyVolume,sellVolume,vpin,cdf\n');
  for (let i = 0; i < b.endTs.length; i++) {
    const row = `${cell(b.startTs[i])},${b.endTs[i]},${cell(b.duration[i])},${b.buyVolume[i]},${b.sellVolume[i]},${cell(b.vpin[i])},${cell(b.cdf[i])}\n`;
    if (!out.write(row)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
