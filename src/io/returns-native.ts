/**
 * A wide returns CSV read by the addon in one call (native/io/csv_returns.hpp, binding
 * csvReadWideAsync): the header here (the reader's readHeader: BOM, quoting, names), then, on the
 * addon's thread pool, the records parsed straight into one row-major T x N Float64Array, the date
 * column's values parsed as dates and the rows sorted by them in C++. readReturns (returns.ts) takes
 * this path for a CSV path or bytes when the addon loads; the JS path there stays the reference
 * (test/io/returns-parity.test.ts holds them equal).
 */
import { loadNative, useThreads } from '../backends/native/public.js';
import { BackendUnavailableError, checkThreads } from '../errors.js';
import { csvFaultError } from './csv-faults.js';
import { bomLength, readHeader } from './csv-header.js';
import { sourceBytes } from './file-bytes.js';
import type { ReadInfo } from './types.js';

/** What the native path read: the matrix, its dates (NaN when unknown) and the read's report. */
export interface WideNative {
  data: Float64Array;
  rows: number;
  dates: Float64Array;
  info: ReadInfo;
}

/** The options the native path reads; any other option present sends the read to the reference path. */
const NATIVE_OPTIONS = new Set(['delimiter', 'skipBadRows', 'backend', 'onProgress', 'name', 'format', 'threads']);

/** A delimiter the parser takes: one ASCII byte other than '"', CR, LF and space (else the reference path reports it). */
const delimiterCode = (d: string): number | undefined => {
  const c = d.length === 1 ? d.charCodeAt(0) : -1;
  return c >= 0 && c < 0x80 && !'"\r\n '.includes(d) ? c : undefined;
};

/**
 * Reads a wide CSV natively, or returns undefined when this path does not apply: a stream, an option
 * it does not read, `backend: 'reference'` (or KERNELBUS_BACKEND=reference), or no addon under
 * 'auto'. `backend: 'native'` without the addon throws BackendUnavailableError. A refused record
 * throws the KernelInputError of docs/io.md naming `<file>:<line>:<column>`.
 * @param input the opened source's input (a path or bytes; a stream gives undefined)
 * @param name the source in messages
 * @param delimiter the opened source's delimiter
 * @param names the header's names as readReturns found them (the reader's header must be the same)
 * @param date the date column's name, if any (one of `names`)
 * @param options readReturns' options less the layout and asset column
 */
export async function readWideNative(
  input: string | Uint8Array | NodeJS.ReadableStream,
  name: string,
  delimiter: string,
  names: readonly string[],
  date: string | undefined,
  options: Record<string, unknown>,
): Promise<WideNative | undefined> {
  const started = performance.now();
  const threads = checkThreads(options.threads);
  const backend = options.backend ?? 'auto';
  const code = delimiterCode(delimiter);
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return undefined;
  if (backend === 'reference' || (backend === 'auto' && process.env.KERNELBUS_BACKEND === 'reference')) return undefined;
  if ((backend !== 'auto' && backend !== 'native') || code === undefined) return undefined;
  if (Object.keys(options).some((k) => options[k] !== undefined && !NATIVE_OPTIONS.has(k))) return undefined;
  const loaded = loadNative();
  const read = loaded.binding?.csvReadWideAsync;
  if (typeof read !== 'function') {
    if (backend === 'auto') return undefined;
    throw new BackendUnavailableError('native', loaded.error?.message ?? 'the addon has no wide CSV reader: rebuild it');
  }
  const bytes = input instanceof Uint8Array ? input : sourceBytes(input).bytes;
  const bom = bomLength(bytes, true);
  const header = readHeader(bytes.subarray(bom), 0, code, true, name);
  // the header as readReturns found it (source.ts' parseHeader), else the reference path reports it
  if (header === null || header === 'incomplete' || header.names.some((n, i) => n !== names[i]) || header.names.length !== names.length) {
    return undefined;
  }
  const dateColumn = date === undefined ? -1 : names.indexOf(date);
  const dataStart = bom + header.next;
  const params = Float64Array.of(code, header.nextLine, options.skipBadRows === true ? 1 : 0, header.names.length, dateColumn);
  // the parse off the event loop: `bytes` (the file's mapping, or the caller's) is held until it settles
  useThreads(loaded.binding!, threads);
  const r = await read.call(loaded.binding, bytes.subarray(dataStart), params);
  if (r.fault) throw csvFaultError(r.fault, name, header.names);
  const info: ReadInfo = {
    source: name,
    format: 'csv',
    bytes: dataStart + r.consumed,
    skippedRows: r.badRows,
    timeUnits: {},
    seconds: (performance.now() - started) / 1000,
  };
  if (r.firstBad) info.firstSkipped = csvFaultError(r.firstBad, name, header.names).message;
  (options.onProgress as ((p: { rows: number; bytes: number; totalBytes?: number }) => void) | undefined)?.({
    rows: r.rows,
    bytes: info.bytes,
    totalBytes: bytes.length,
  });
  return { data: r.returns, rows: r.rows, dates: r.dates ?? new Float64Array(r.rows).fill(Number.NaN), info };
}
