/**
 * Trade CSV input and bucket CSV output for `kernelbus vpin`. The input needs a header row naming a
 * timestamp column (ts, timestamp or time: epoch ms, or an ISO 8601 date), a price column (price or
 * px) and a volume column (volume, size, qty or quantity), in any order; other columns are ignored.
 * Fields are separated by commas; surrounding double quotes on a field are removed.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { KernelInputError } from '../errors.js';
import type { Trades, VpinBuckets } from '../kernels/vpin.js';

const COLUMNS = {
  ts: ['ts', 'timestamp', 'time'],
  price: ['price', 'px'],
  volume: ['volume', 'size', 'qty', 'quantity'],
} as const;

/** A Float64Array that grows by doubling. */
class Column {
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

const unquote = (field: string) => {
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
        if (at < 0) throw new KernelInputError(`${path}:1`, `a header with a ${key} column (${COLUMNS[key].join(', ')})`, JSON.stringify(line.slice(0, 80)));
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
    for (const [key, value] of [['ts', t], ['price', p], ['volume', v]] as const) {
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
