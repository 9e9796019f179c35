/**
 * The CSV reader (docs/io.md): reads a path, stdin, bytes or a Readable in blocks, parses each block
 * with the native block parser or the TypeScript reference (one ParseBlock contract, src/io/types.ts)
 * into preallocated columns, and returns one Table (`readCsv`) or a Table per chunk of rows
 * (`readCsvChunks`, for files larger than memory). The header, the column types and the time units
 * are read once here (src/io/csv-header.ts), whatever the backend.
 */
import { checkThreads, KernelInputError } from '../errors.js';
import { csvFaultError } from './csv-faults.js';
import {
  bomLength,
  type ColumnOptions,
  checkColumnOptions,
  defaultInferRows,
  planColumns,
  readHeader,
  sampleRecords,
} from './csv-header.js';
import { nativeParseBlock } from './csv-native.js';
import { parseBlockReference } from './csv-reference.js';
import { type ByteSource, bufferSource, fileSource, sourceError, streamSource } from './csv-source.js';
import {
  type BlockOut,
  type BlockPlan,
  type ColumnType,
  Kind,
  type ParseBlock,
  type ParseBlockAsync,
  type ReadInfo,
  type Table,
  type TableColumn,
  type ThreadsOption,
} from './types.js';

/** Progress of a read: rows and bytes so far, and the input's size when known. */
export interface CsvProgress {
  rows: number;
  bytes: number;
  totalBytes?: number;
}

/** How `readCsv` reads (docs/io.md). */
export interface CsvReadOptions extends ColumnOptions, ThreadsOption {
  /** The field delimiter, one ASCII byte (not `"`, `\r`, `\n` or space); default `,`, `\t` for .tsv/.tab. */
  delimiter?: string;
  /** Skip and count refused records instead of throwing at the first (`table.info.skippedRows`). */
  skipBadRows?: boolean;
  /** The block parser: 'auto' (native when it loads, else the reference), 'native' or 'reference'. */
  backend?: 'auto' | 'native' | 'reference';
  /** Called at most every ~100 ms while reading, and once at the end. */
  onProgress?: (progress: CsvProgress) => void;
  /** The input's name in messages (default the path, `stdin`, `buffer` or `stream`). */
  name?: string;
  /** Bytes read per block (default 32 MiB; bytes in memory: all of them). */
  blockBytes?: number;
}

/** How `readCsvChunks` reads: `readCsv`'s options and the rows per chunk. */
export interface CsvChunkOptions extends CsvReadOptions {
  /** About this many rows per chunk (default 1,000,000). */
  chunkRows?: number;
}

/** What `readCsv` and `readCsvChunks` read: a path (`-` is stdin), bytes, or a Readable. */
export type CsvSource = string | Uint8Array | NodeJS.ReadableStream;

const DEFAULT_BLOCK_BYTES = 32 * 1024 * 1024;
const DEFAULT_CHUNK_ROWS = 1_000_000;
const PROGRESS_MS = 100;
/** A block of at least this many bytes is parsed off the event loop (smaller: ~1 ms or less on it). */
const OFF_LOOP_BYTES = 1 << 20;

/**
 * Reads a CSV or TSV (plain or gzip) into a Table: numbers and times as Float64Array (times in epoch
 * ms), text as dictionary codes. Bad input is a KernelInputError naming `<file>:<line>:<column>`. A
 * file's or a stream's blocks of 1 MiB or more parse on the libuv thread pool (native backend): the
 * event loop goes on meanwhile; bytes passed in parse on the calling thread, as readCsvChunks' do.
 * @example const t = await readCsv('trades.csv', { columns: ['ts', 'price', 'volume'] });
 */
export async function readCsv(source: CsvSource, options: CsvReadOptions = {}): Promise<Table> {
  let table: Table | undefined;
  for await (const chunk of read(source, options, Number.POSITIVE_INFINITY)) table = chunk;
  return table as Table;
}

/**
 * Reads a CSV in chunks of about `chunkRows` rows, each a Table, for inputs larger than memory. A text
 * column's `values` is one dictionary shared by all chunks and growing as they come, so a code means
 * the same value in every chunk. `info` of each chunk counts the input so far. At a refused record
 * (without `skipBadRows`) the rows before it come as a last, shorter chunk, then the error is thrown.
 */
export async function* readCsvChunks(source: CsvSource, options: CsvChunkOptions = {}): AsyncGenerator<Table> {
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1)) {
    throw new KernelInputError('options.chunkRows', 'an integer >= 1', String(chunkRows));
  }
  yield* read(source, options, chunkRows);
}

/**
 * The block parser for `options.backend` ('auto': native when it loads, else the reference, with a
 * warning), the native one on `threads`, with its variant off the event loop (native only).
 */
function chooseParser(backend: CsvReadOptions['backend'] = 'auto', threads?: number): { parse: ParseBlock; parseAsync?: ParseBlockAsync } {
  if (backend === 'reference') return { parse: parseBlockReference };
  if (backend !== 'native' && backend !== 'auto') {
    throw new KernelInputError('options.backend', "'auto', 'native' or 'reference'", JSON.stringify(backend));
  }
  if (backend === 'auto' && process.env.KERNELBUS_BACKEND === 'reference') return { parse: parseBlockReference };
  const native = nativeParseBlock(threads);
  if (native.parse) return native;
  if (backend === 'native') throw native.error;
  if (!warnedFallback) {
    warnedFallback = true;
    process.emitWarning(`kernelbus: reading CSV with the reference parser: ${native.error.message}`, {
      code: 'KERNELBUS_BACKEND_UNAVAILABLE',
    });
  }
  return { parse: parseBlockReference };
}

/** 'auto' says once per process that it fell back to the reference parser. */
let warnedFallback = false;

/** The delimiter's byte: the option, else `\t` for .tsv/.tab paths, else `,`. */
function delimiterByte(delimiter: string | undefined, path: string | undefined): number {
  if (delimiter === undefined) {
    return path && /\.(tsv|tab)(\.gz)?$/i.test(path) ? 0x09 : 0x2c;
  }
  const code = typeof delimiter === 'string' && delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
  if (code < 0 || code > 0x7f || code === 0x22 || code === 0x0d || code === 0x0a || code === 0x20) {
    throw new KernelInputError('options.delimiter', 'one ASCII byte other than \'"\', "\\r", "\\n" and " "', JSON.stringify(delimiter));
  }
  return code;
}

async function openSource(source: CsvSource, name: string, blockBytes: number | undefined): Promise<ByteSource> {
  const block = blockBytes ?? DEFAULT_BLOCK_BYTES;
  if (source instanceof Uint8Array) return bufferSource(source, name, blockBytes ?? Math.max(1, source.length));
  if (typeof source === 'string') {
    if (source === '-') return streamSource(process.stdin, name, block);
    return fileSource(source, name, block);
  }
  if (source && typeof (source as NodeJS.ReadableStream).on === 'function') return streamSource(source, name, block);
  throw new KernelInputError('source', 'a path, a Uint8Array or a Readable', source === null ? 'null' : typeof source);
}

function defaultName(source: CsvSource): string {
  if (source instanceof Uint8Array) return 'buffer';
  if (typeof source === 'string') return source === '-' ? 'stdin' : source;
  return source === process.stdin ? 'stdin' : 'stream';
}

/** A column being filled: its output array, and for text its dictionary so far. */
interface Filling {
  index: number;
  kind: number;
  values?: string[];
  codes?: Map<string, number>;
}

/** The reader: yields a Table per `chunkRows` rows (one Table at the end when Infinity). */
async function* read(source: CsvSource, options: CsvReadOptions, chunkRows: number): AsyncGenerator<Table> {
  const started = performance.now();
  const name = options.name ?? defaultName(source);
  const delimiter = delimiterByte(options.delimiter, typeof source === 'string' && source !== '-' ? source : undefined);
  checkColumnOptions(options);
  const blockBytes = options.blockBytes;
  if (blockBytes !== undefined && !(Number.isInteger(blockBytes) && blockBytes >= 1)) {
    throw new KernelInputError('options.blockBytes', 'an integer >= 1', String(blockBytes));
  }
  const { parse, parseAsync } = chooseParser(options.backend, checkThreads(options.threads));
  // a whole read's blocks of a file or a stream (the reader's own bytes) parsed off the event loop;
  // bytes the caller passed on the calling thread (the caller could change them meanwhile), as small
  // blocks are, and a read in chunks' (its loop turns between chunks; parsed off it, the 10^7-trade
  // stream into vpinStream took 0.42-0.43 s against 0.37-0.38 on 2 threads)
  const offLoop = parseAsync !== undefined && !(source instanceof Uint8Array) && !Number.isFinite(chunkRows) ? parseAsync : undefined;
  const src = await openSource(source, name, blockBytes);
  try {
    let pending: Uint8Array = new Uint8Array(0);
    let eof = false;
    /** Appends the next block to the bytes from `from` on; false at the end of the input. */
    const more = async (from: number): Promise<boolean> => {
      // a copy where the source reuses its buffers (its next read may overwrite the carry)
      const carry = src.carryMayBeView ? pending.subarray(from) : pending.slice(from);
      let block: Uint8Array | null;
      try {
        block = await src.next(carry);
      } catch (err) {
        throw sourceError(name, err, 'a readable input');
      }
      if (block === null) {
        eof = true;
        pending = carry;
        return false;
      }
      pending = block;
      return true;
    };

    // The BOM, the header and the sample of records for inference.
    let bom: number;
    let header: ReturnType<typeof readHeader>;
    let sample: ReturnType<typeof sampleRecords>;
    for (;;) {
      bom = bomLength(pending, eof);
      header = bom < 0 ? 'incomplete' : readHeader(pending.subarray(bom), 0, delimiter, eof, name);
      if (header === null) break;
      if (header !== 'incomplete') {
        sample = sampleRecords(
          pending.subarray(bom),
          header.next,
          header.nextLine,
          delimiter,
          eof,
          header.names.length,
          options.inferRows ?? defaultInferRows(header.names.length),
        );
        if (sample.complete) break;
      }
      await more(0);
    }
    const info: ReadInfo = { source: name, format: 'csv', bytes: 0, skippedRows: 0, timeUnits: {}, seconds: 0 };
    if (header === null) {
      info.bytes = pending.length;
      info.seconds = (performance.now() - started) / 1000;
      yield { rows: 0, names: [], columns: {}, types: {}, info };
      return;
    }
    const width = header.names.length;
    const columns = planColumns(header.names, sample!.records, options);
    info.timeUnits = columns.timeUnits;
    const names = columns.selected.map((c) => header.names[c]);
    const types: Record<string, ColumnType> = columns.types;

    // Rows per byte, from the sample: for the first allocation and for cutting chunks.
    const dataStart = bom + header.next;
    const sampled = Math.max(1, sample!.records.length);
    const bytesPerRow = Math.max(1, (bom + sample!.end - dataStart) / sampled);
    const total = src.totalBytes;
    const estimate = (rowsLeft: number): number => Math.max(16, Math.ceil(rowsLeft));
    let capacity: number;
    if (Number.isFinite(chunkRows)) capacity = estimate(chunkRows * 1.05 + 16);
    else if (total !== undefined) capacity = estimate(((total - dataStart) / bytesPerRow) * 1.05 + 16);
    else capacity = estimate(Math.max(1024, ((pending.length - dataStart) / bytesPerRow) * 2));

    const filling: Filling[] = columns.selected.map((c) => {
      const kind = columns.kinds[c];
      return kind === Kind.text ? { index: c, kind, values: [], codes: new Map() } : { index: c, kind };
    });
    const allocate = (n: number): BlockOut => {
      const out: BlockOut = new Array(width).fill(null);
      for (const f of filling) out[f.index] = f.kind === Kind.text ? new Int32Array(n) : new Float64Array(n);
      return out;
    };
    let out = allocate(capacity);
    let rows = 0; // rows in the current chunk
    let rowsBefore = 0; // rows of the chunks handed out
    const plan: BlockPlan = {
      delimiter,
      kinds: columns.kinds,
      required: columns.required,
      firstLine: header.nextLine,
      final: false,
      skipBadRows: options.skipBadRows === true,
      rowOffset: 0,
    };
    let pos = dataStart;
    let bytesDone = dataStart;
    let lastProgress = performance.now();

    const table = (): Table => {
      const cols: Record<string, TableColumn> = {};
      for (const f of filling) {
        const name = header.names[f.index];
        const data = out[f.index] as Float64Array | Int32Array;
        cols[name] =
          f.kind === Kind.text
            ? { codes: (data as Int32Array).subarray(0, rows), values: f.values as string[] }
            : (data as Float64Array).subarray(0, rows);
      }
      info.bytes = bytesDone;
      info.seconds = (performance.now() - started) / 1000;
      return { rows, names, columns: cols, types, info: { ...info, timeUnits: { ...info.timeUnits } } };
    };

    let stretch = 1; // doubles while a cut holds no whole record
    for (;;) {
      // Parse what is here; in chunks, cut the bytes so that a block's rows about fill the chunk.
      let limit = pending.length;
      if (Number.isFinite(chunkRows)) {
        limit = Math.min(limit, pos + Math.ceil((chunkRows - rows) * bytesPerRow * stretch));
      }
      plan.final = eof && limit === pending.length;
      plan.rowOffset = rows;
      const block = pending.subarray(pos, limit);
      const r = offLoop && block.length >= OFF_LOOP_BYTES ? await offLoop(block, plan, out) : parse(block, plan, out);
      if (r.needRows !== undefined) {
        out = growTo(out, Math.max(rows + r.needRows, Math.ceil(capacityOf(out) * 1.5)), rows);
        continue;
      }
      if (r.fault) {
        // in chunks, the rows before the refused record are handed out first (a stream keeps them)
        if (Number.isFinite(chunkRows) && r.rows > 0) {
          mergeDictionaries(filling, out, r.dictionaries, rows, r.rows);
          rows += r.rows;
          yield table();
        }
        throw csvFaultError(r.fault, name, header.names);
      }
      if (r.badRows > 0) {
        if (info.skippedRows === 0 && r.firstBad) info.firstSkipped = csvFaultError(r.firstBad, name, header.names).message;
        info.skippedRows += r.badRows;
      }
      mergeDictionaries(filling, out, r.dictionaries, rows, r.rows);
      rows += r.rows;
      pos += r.consumed;
      bytesDone += r.consumed;
      plan.firstLine += r.lines;
      const now = performance.now();
      if (options.onProgress && now - lastProgress >= PROGRESS_MS) {
        lastProgress = now;
        options.onProgress({ rows: rowsBefore + rows, bytes: bytesDone, totalBytes: total });
      }
      if (rows >= chunkRows) {
        yield table();
        rowsBefore += rows;
        rows = 0;
        out = allocate(capacity);
      }
      if (plan.final) break;
      if (limit < pending.length) {
        stretch = r.consumed === 0 ? stretch * 2 : 1;
        continue;
      }
      await more(pos);
      pos = 0;
    }
    options.onProgress?.({ rows: rowsBefore + rows, bytes: bytesDone, totalBytes: total });
    if (rows > 0 || rowsBefore === 0) yield table();
  } finally {
    await src.close();
  }
}

function capacityOf(out: BlockOut): number {
  for (const c of out) if (c) return c.length;
  return 0;
}

/** Bigger output arrays holding the first `rows` rows. */
function growTo(out: BlockOut, capacity: number, rows: number): BlockOut {
  return out.map((c) => {
    if (!c) return null;
    const bigger = c instanceof Int32Array ? new Int32Array(capacity) : new Float64Array(capacity);
    bigger.set(c.subarray(0, rows));
    return bigger;
  });
}

/** Maps a block's local text codes to the columns' global dictionaries (new values appended). */
function mergeDictionaries(filling: Filling[], out: BlockOut, dictionaries: (string[] | undefined)[], from: number, rows: number): void {
  for (const f of filling) {
    if (f.kind !== Kind.text) continue;
    const local = dictionaries[f.index] ?? [];
    const map = f.codes as Map<string, number>;
    const values = f.values as string[];
    const remap = new Int32Array(local.length);
    for (let i = 0; i < local.length; i++) {
      let code = map.get(local[i]);
      if (code === undefined) {
        code = values.length;
        values.push(local[i]);
        map.set(local[i], code);
      }
      remap[i] = code;
    }
    const codes = out[f.index] as Int32Array;
    for (let r = from; r < from + rows; r++) {
      const c = codes[r];
      if (c >= 0) codes[r] = remap[c];
    }
  }
}
