/**
 * CSV for the commands: trades in and buckets out for `kernelbus vpin`, returns in for `kernelbus
 * risk` (the factor panel: ./factor-csv.ts). The trades input needs a header row naming a
 * timestamp column (ts, timestamp or time: epoch ms, or an ISO 8601 date), a price column (price or
 * px) and a volume column (volume, size, qty or quantity), in any order; other columns are ignored.
 * Fields are separated by commas; surrounding double quotes on a field are removed.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { KernelInputError } from '../errors.js';
import type { Matrix } from '../kernels/risk.js';
import type { Trades, VpinBuckets } from '../kernels/vpin.js';

const COLUMNS = {
  ts: ['ts', 'timestamp', 'time'],
  price: ['price', 'px'],
  volume: ['volume', 'size', 'qty', 'quantity'],
} as const;

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

/** A field without surrounding whitespace and double quotes. */
export const unquote = (field: string) => {
  const f = field.trim();
  return f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1) : f;
};

/**
 * Reads trades from a CSV file; a bad row throws KernelInputError naming the file, line and column.
 * `onProgress` is called every million rows with the rows read so far.
 */
export async function readTradesCsv(path: string, onProgress?: (rows: number) => void): Promise<Trades> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const ts = new Column();
  const price = new Column();
  const volume = new Column();
  let index: { ts: number; price: number; volume: number } | undefined;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const fields = line.split(',');
    if (!index) {
      const names = fields.map((f) => unquote(f).toLowerCase());
      const find = (key: keyof typeof COLUMNS) => {
        const at = names.findIndex((n) => (COLUMNS[key] as readonly string[]).includes(n));
        if (at < 0)
          throw new KernelInputError(
            `${path}:1`,
            `a header with a ${key} column (${COLUMNS[key].join(', ')})`,
            JSON.stringify(line.slice(0, 80)),
          );
        return at;
      };
      index = { ts: find('ts'), price: find('price'), volume: find('volume') };
      continue;
    }
    const field = (key: keyof typeof COLUMNS) => unquote(fields[index![key]] ?? '');
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
        throw new KernelInputError(`${path}:${lineNo}`, `a number in column ${key}`, JSON.stringify(field(key)));
      }
    }
    ts.push(t);
    price.push(p);
    volume.push(v);
    if (onProgress && ts.length % 1_000_000 === 0) onProgress(ts.length);
  }
  if (!index) throw new KernelInputError(path, 'a CSV file with a header row', 'an empty file');
  return { ts: ts.done(), price: price.done(), volume: volume.done() };
}

/** Date columns of a returns CSV: skipped. */
const DATE_COLUMNS = ['date', 'ts', 'time', 'timestamp'];

/**
 * Reads a returns CSV: a header row of asset names (a date, ts, time or timestamp column is skipped),
 * one row per date; an empty field, NaN or NA is a missing return (NaN). Returns the T x N matrix and
 * the asset names; a field that is no number throws KernelInputError naming the file, line and column.
 */
export async function readReturnsCsv(path: string): Promise<{ returns: Matrix; names: string[] }> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const values = new Column();
  let names: string[] | undefined;
  let keep: number[] = [];
  let lineNo = 0;
  let rows = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const fields = line.split(',').map(unquote);
    if (!names) {
      keep = fields.map((_, i) => i).filter((i) => !DATE_COLUMNS.includes(fields[i].toLowerCase()));
      names = keep.map((i) => fields[i]);
      if (names.length === 0)
        throw new KernelInputError(`${path}:1`, 'a header with at least one asset column', JSON.stringify(line.slice(0, 80)));
      continue;
    }
    for (const i of keep) {
      const field = fields[i] ?? '';
      const missing = field === '' || field === 'NaN' || field === 'NA';
      const x = missing ? NaN : Number(field);
      if (!missing && Number.isNaN(x))
        throw new KernelInputError(
          `${path}:${lineNo}`,
          `a number or an empty field in column ${names[keep.indexOf(i)]}`,
          JSON.stringify(field),
        );
      values.push(x);
    }
    rows++;
  }
  if (!names) throw new KernelInputError(path, 'a CSV file with a header row', 'an empty file');
  return { returns: { data: values.done(), rows, cols: names.length }, names };
}

/** Writes buckets as CSV: endTs,buyVolume,sellVolume,vpin,cdf (NaN written as an empty field). */
export async function writeBucketsCsv(path: string, b: VpinBuckets): Promise<void> {
  const out = createWriteStream(path);
  const cell = (x: number) => (Number.isNaN(x) ? '' : String(x));
  out.write('endTs,buyVolume,sellVolume,vpin,cdf\n');
  for (let i = 0; i < b.endTs.length; i++) {
    const row = `${b.endTs[i]},${b.buyVolume[i]},${b.sellVolume[i]},${cell(b.vpin[i])},${cell(b.cdf[i])}\n`;
    if (!out.write(row)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
