/**
 * What a table source is, before any reader runs: its format (the `format` option, else the path's
 * extension, else the first bytes: `PAR1` Parquet, `ARROW1` or an IPC stream's 0xFFFFFFFF Arrow, 1F 8B
 * gzip), its name in messages, the delimiter a TSV implies, and for CSV the header's names (so that
 * readTrades and readReturns can ask the reader for the columns they use only). A path is left for the
 * reader to open (it knows the size, for progress); stdin and streams are peeked and handed on whole.
 */
import { open as openFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { KernelInputError } from '../errors.js';
import { sourceError } from './csv-source.js';
import { TABLE_FORMATS, type TableFormat } from './formats.js';

/** What readTable reads: a path (`-`: stdin), the file's bytes, or a stream of them. */
export type TableSource = string | Uint8Array | NodeJS.ReadableStream;

export { TABLE_FORMATS, type TableFormat };

/** A source resolved: the format and what to hand its reader. */
export interface OpenedSource {
  format: 'csv' | 'parquet' | 'arrow';
  /** The path (as given), the bytes, or a stream (decompressed when the input was gzip). */
  input: string | Uint8Array | NodeJS.ReadableStream;
  /** The source in messages: the path, `stdin` or `buffer`. */
  name: string;
  /** '\t' for a TSV (unless a delimiter was given), else the delimiter given or ','. */
  delimiter: string;
  /** CSV only: the header's names (undefined for an empty input). */
  header?: string[];
}

const EXTENSIONS: Record<string, TableFormat> = {
  csv: 'csv',
  txt: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  parquet: 'parquet',
  pq: 'parquet',
  arrow: 'arrow',
  feather: 'arrow',
  ipc: 'arrow',
  arrows: 'arrow',
};

/** The format a path's extension names (`.gz` looked through), or undefined. */
export function formatOfPath(path: string): { format?: TableFormat; gzip: boolean } {
  const lower = path.toLowerCase();
  const gzip = lower.endsWith('.gz');
  const base = gzip ? lower.slice(0, -3) : lower;
  const dot = base.lastIndexOf('.');
  // a dot in a folder's name is no extension, whichever separator (C:\data.v2\trades)
  const ext = dot >= 0 && !/[\\/]/.test(base.slice(dot)) ? base.slice(dot + 1) : '';
  return { format: EXTENSIONS[ext], gzip };
}

/** The format the first bytes show: parquet, arrow, gzip (compressed), or undefined (text: CSV). */
export function formatOfBytes(head: Uint8Array): 'parquet' | 'arrow' | 'gzip' | undefined {
  const at = (i: number, s: string) => [...s].every((c, j) => head[i + j] === c.charCodeAt(0));
  if (head.length >= 4 && at(0, 'PAR1')) return 'parquet';
  if (head.length >= 6 && at(0, 'ARROW1')) return 'arrow';
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff) return 'arrow';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  return undefined;
}

/** Checks a `format` option: one of TABLE_FORMATS (KernelInputError naming `argument`). */
export function requireFormat(format: unknown, argument = 'options.format'): TableFormat | undefined {
  if (format === undefined) return undefined;
  if (!TABLE_FORMATS.includes(format as TableFormat)) {
    throw new KernelInputError(argument, TABLE_FORMATS.join(', '), JSON.stringify(format));
  }
  return format as TableFormat;
}

/**
 * The first `n` bytes of a file (fewer when it is shorter). A missing file throws the ENOENT error as
 * it is (the CLI's exit code 1: what failed at run time); any other failure (a directory, no
 * permission) a KernelInputError naming the path.
 */
export async function headOfFile(path: string, n: number): Promise<Uint8Array> {
  try {
    const file = await openFile(path, 'r');
    try {
      const buffer = new Uint8Array(n);
      const { bytesRead } = await file.read(buffer, 0, n, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    throw sourceError(path, error, 'a readable file');
  }
}

/**
 * The names of a CSV's header: the dialect's first record (docs/io.md: BOM, blank lines, quoting,
 * spaces trimmed, `column_<i>` for an empty name), or undefined when `bytes` does not hold it whole
 * (and `final` is false) or holds no record.
 */
export function parseHeader(bytes: Uint8Array, delimiter: string, final: boolean): string[] | undefined {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const d = delimiter.charCodeAt(0);
  const n = bytes.length;
  const decoder = new TextDecoder();
  const blank = (b: number) => b === 0x20 || (b === 0x09 && d !== 0x09);
  for (;;) {
    // skip blank lines
    while (i < n && (bytes[i] === 0x0a || (bytes[i] === 0x0d && (i + 1 === n || bytes[i + 1] === 0x0a)))) i++;
    if (i >= n) return undefined;
    const names: string[] = [];
    for (;;) {
      while (i < n && blank(bytes[i])) i++;
      let text = '';
      if (bytes[i] === 0x22) {
        const parts: Uint8Array[] = [];
        let from = ++i;
        for (;;) {
          if (i >= n) return undefined; // unclosed here: the reader reports it, or more bytes are needed
          if (bytes[i] === 0x22) {
            parts.push(bytes.subarray(from, i));
            if (bytes[i + 1] === 0x22) {
              from = i + 1;
              i += 2;
              continue;
            }
            i++;
            break;
          }
          i++;
        }
        text = parts.map((p) => decoder.decode(p)).join('');
      }
      const from = i;
      while (i < n && bytes[i] !== d && bytes[i] !== 0x0a) i++;
      text += decoder.decode(bytes.subarray(from, i));
      names.push(text.replace(/[ \t\r]+$/, ''));
      if (i < n && bytes[i] === d) {
        i++;
        continue;
      }
      if (i >= n && !final) return undefined;
      break;
    }
    return names.map((name, k) => (name === '' ? `column_${k + 1}` : name));
  }
}

/** Reads `stream` until `enough(head)` holds or it ends; returns the head and a stream of all of it. */
async function peek(
  stream: NodeJS.ReadableStream,
  enough: (head: Uint8Array, ended: boolean) => boolean,
): Promise<{ head: Uint8Array; ended: boolean; stream: NodeJS.ReadableStream }> {
  const iterator = (stream as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let head: Uint8Array = new Uint8Array(0);
  let ended = false;
  while (!enough(head, ended)) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    chunks.push(typeof next.value === 'string' ? Buffer.from(next.value) : next.value);
    head = Buffer.concat(chunks);
  }
  const rest = async function* () {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  };
  return { head, ended, stream: Readable.from(rest(), { objectMode: false }) };
}

/** All the bytes of a stream. */
async function collect(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Bytes a CSV header may take before it is refused as no header at all. */
const HEADER_LIMIT = 1 << 20;

/**
 * Resolves a source (see the module comment). `wantHeader`: read the CSV's header too (a path's first
 * bytes are read twice; a stream's are kept and handed on).
 */
export async function openSource(
  source: TableSource,
  options: { format?: TableFormat; delimiter?: string; name?: string },
  wantHeader: boolean,
): Promise<OpenedSource> {
  const format = requireFormat(options.format);
  const isPath = typeof source === 'string' && source !== '-';
  const name =
    options.name ?? (typeof source === 'string' ? (source === '-' ? 'stdin' : source) : source instanceof Uint8Array ? 'buffer' : 'stream');
  let resolved: TableFormat | undefined = format;
  let gzip = false;
  if (isPath) {
    const byPath = formatOfPath(source);
    resolved ??= byPath.format;
    gzip = byPath.gzip;
  }
  const delimiterOf = (f: TableFormat) => options.delimiter ?? (f === 'tsv' ? '\t' : ',');
  const done = (f: TableFormat, input: OpenedSource['input'], header?: string[]): OpenedSource => ({
    format: f === 'tsv' ? 'csv' : f,
    input,
    name,
    delimiter: delimiterOf(f),
    ...(header ? { header } : {}),
  });
  const headerEnough = (f: TableFormat) => (head: Uint8Array, ended: boolean) =>
    !wantHeader || ended || head.length > HEADER_LIMIT || parseHeader(head, delimiterOf(f), false) !== undefined;

  if (isPath) {
    if (resolved === undefined || (resolved !== 'parquet' && resolved !== 'arrow' && !gzip)) {
      const magic = formatOfBytes(await headOfFile(source, 8));
      if (resolved === undefined && (magic === 'parquet' || magic === 'arrow')) resolved = magic;
      if (magic === 'gzip') gzip = true;
    }
    resolved ??= 'csv';
    if (resolved === 'parquet' || resolved === 'arrow') return done(resolved, source);
    if (!gzip) {
      const header = wantHeader ? await fileHeader(source, delimiterOf(resolved)) : undefined;
      return done(resolved, source, header);
    }
    // gzip: decompressed as a stream (the reader gets the text)
    const peeked = await peek(createReadStream(source).pipe(createGunzip()), headerEnough(resolved));
    return done(resolved, peeked.stream, wantHeader ? parseHeader(peeked.head, delimiterOf(resolved), true) : undefined);
  }
  if (source instanceof Uint8Array) {
    const magic = formatOfBytes(source);
    const bytes = magic === 'gzip' ? gunzipSync(source) : source;
    resolved ??= magic === 'parquet' || magic === 'arrow' ? magic : 'csv';
    if (resolved === 'parquet' || resolved === 'arrow') return done(resolved, bytes);
    return done(resolved, bytes, wantHeader ? parseHeader(bytes, delimiterOf(resolved), true) : undefined);
  }
  const stream = source === '-' ? process.stdin : (source as NodeJS.ReadableStream);
  let peeked = await peek(stream, (head, ended) => ended || head.length >= 8);
  const magic = formatOfBytes(peeked.head);
  resolved ??= magic === 'parquet' || magic === 'arrow' ? magic : 'csv';
  if (resolved === 'parquet' || resolved === 'arrow') {
    return done(resolved, await collect(magic === 'gzip' ? peeked.stream.pipe(createGunzip()) : peeked.stream));
  }
  if (magic === 'gzip') peeked = await peek(peeked.stream.pipe(createGunzip()), headerEnough(resolved));
  else if (wantHeader) peeked = await peek(peeked.stream, headerEnough(resolved));
  return done(resolved, peeked.stream, wantHeader ? parseHeader(peeked.head, delimiterOf(resolved), true) : undefined);
}

/** A CSV file's header: its first bytes, more of them until the first record is whole. */
async function fileHeader(path: string, delimiter: string): Promise<string[] | undefined> {
  for (let n = 1 << 16; ; n *= 4) {
    const head = await headOfFile(path, n);
    const final = head.length < n || n >= HEADER_LIMIT;
    const names = parseHeader(head, delimiter, final);
    if (names !== undefined || final) return names;
  }
}
