/**
 * The checks apache-arrow does not make, run before it gets the bytes: damaged framing makes its
 * `RecordBatchReader.next()` spin forever (a message that never advances the reader, a footer block
 * that points anywhere). Here every message prefix, metadata length and body length is checked against
 * the bytes, every message must be a schema, dictionary or record batch and move the reader forward,
 * and (file format) the footer and each of its blocks must lie inside the file and hold the message
 * the footer says. Flatbuffers are read just far enough for that, every offset checked.
 */
import { KernelInputError } from '../errors.js';

const SCHEMA = 1;
const DICTIONARY_BATCH = 2;
const RECORD_BATCH = 3;
const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

class Damaged extends Error {
  constructor(
    what: string,
    readonly at: number,
  ) {
    super(what);
  }
}

/** A flatbuffer table in [lo, hi) of the bytes: its position and vtable. */
class Table {
  private readonly vt: number;
  private readonly vtSize: number;
  private readonly size: number;
  constructor(
    private readonly view: DataView,
    readonly pos: number,
    private readonly lo: number,
    private readonly hi: number,
  ) {
    need(pos, 4, lo, hi, 'a table');
    this.vt = pos - view.getInt32(pos, true);
    need(this.vt, 4, lo, hi, 'a vtable');
    this.vtSize = view.getUint16(this.vt, true);
    this.size = view.getUint16(this.vt + 2, true);
    need(this.vt, this.vtSize, lo, hi, 'a vtable');
    need(pos, this.size, lo, hi, 'a table');
  }
  /** The field's position (0 when absent). */
  field(i: number, width: number): number {
    const entry = 4 + 2 * i;
    if (entry + 2 > this.vtSize) return 0;
    const off = this.view.getUint16(this.vt + entry, true);
    if (off === 0) return 0;
    if (off + width > this.size) throw new Damaged('a field past the end of its table', this.pos + off);
    return this.pos + off;
  }
  u8(i: number): number {
    const p = this.field(i, 1);
    return p ? this.view.getUint8(p) : 0;
  }
  /** An int64 field as a number (-1 for a value below 0 or above 2^53). */
  i64(i: number): number {
    const p = this.field(i, 8);
    if (!p) return 0;
    const v = this.view.getBigInt64(p, true);
    return v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
  }
  /** Where an offset field points (0 when absent). */
  target(i: number): number {
    const p = this.field(i, 4);
    if (!p) return 0;
    const to = p + this.view.getUint32(p, true);
    need(to, 4, this.lo, this.hi, 'an offset');
    return to;
  }
  table(i: number): Table | undefined {
    const to = this.target(i);
    return to ? new Table(this.view, to, this.lo, this.hi) : undefined;
  }
  /** A vector of `width`-byte structs: its first element and count. */
  vector(i: number, width: number): { first: number; count: number } {
    const to = this.target(i);
    if (!to) return { first: 0, count: 0 };
    const count = this.view.getUint32(to, true);
    need(to + 4, count * width, this.lo, this.hi, 'a vector');
    return { first: to + 4, count };
  }
}

function need(at: number, bytes: number, lo: number, hi: number, what: string): void {
  if (at < lo || at + bytes > hi) throw new Damaged(`${what} outside its bytes`, at);
}

/**
 * Checks the message at `at` (ending at or before `end`): returns its header type and where the next
 * message starts, or undefined at the end-of-stream marker.
 */
function message(view: DataView, at: number, end: number): { type: number; next: number } | undefined {
  need(at, 4, 0, end, 'a message prefix');
  let p = at + 4;
  let length = view.getInt32(at, true);
  if (length === -1) {
    need(p, 4, 0, end, 'a message prefix');
    length = view.getInt32(p, true);
    p += 4;
  }
  if (length === 0) return undefined;
  if (length < 0 || p + length > end) throw new Damaged(`a message of ${length} metadata bytes past the end`, at);
  const body = p + length;
  need(p, 4, p, body, 'a message');
  const m = new Table(view, p + view.getUint32(p, true), p, body);
  const type = m.u8(1);
  if (type !== SCHEMA && type !== DICTIONARY_BATCH && type !== RECORD_BATCH) throw new Damaged(`a message of type ${type}`, at);
  if (!m.table(2)) throw new Damaged('a message without its header', at);
  const bodyLength = m.i64(3);
  if (bodyLength < 0 || body + bodyLength > end) throw new Damaged(`a message body of ${bodyLength} bytes past the end`, at);
  return { type, next: body + bodyLength };
}

function checkFile(view: DataView): void {
  const n = view.byteLength;
  if (n < 18 || !MAGIC.every((b, i) => view.getUint8(n - 6 + i) === b))
    throw new Damaged('a file without ARROW1 at its end', Math.max(n - 6, 0));
  const footerLength = view.getInt32(n - 10, true);
  const footerStart = n - 10 - footerLength;
  if (footerLength <= 0 || footerStart < 8) throw new Damaged(`a footer of ${footerLength} bytes`, n - 10);
  need(footerStart, 4, footerStart, n - 10, 'the footer');
  const footer = new Table(view, footerStart + view.getUint32(footerStart, true), footerStart, n - 10);
  if (!footer.table(1)) throw new Damaged('a footer without its schema', footerStart);
  for (const [field, type] of [
    [2, DICTIONARY_BATCH],
    [3, RECORD_BATCH],
  ]) {
    const { first, count } = footer.vector(field, 24);
    for (let i = 0; i < count; i++) {
      const offset = view.getBigInt64(first + 24 * i, true);
      if (offset < 8n || offset >= BigInt(footerStart))
        throw new Damaged(`a block at byte ${offset}, outside the file's messages`, first + 24 * i);
      const at = Number(offset);
      if (message(view, at, footerStart)?.type !== type) throw new Damaged('a block that is not the message its footer says', at);
    }
  }
}

function checkStream(view: DataView): void {
  let at = 0;
  let first = true;
  while (at < view.byteLength) {
    const m = message(view, at, view.byteLength);
    if (!m) return;
    if (first !== (m.type === SCHEMA)) throw new Damaged(first ? 'a stream that does not start with its schema' : 'a second schema', at);
    first = false;
    at = m.next; // > at: a prefix and a metadata length > 0
  }
}

/**
 * Throws a KernelInputError naming `label` and the byte offset when the framing of the Arrow IPC file
 * or stream `bytes` is damaged (see the module's comment); returns when apache-arrow can be given them.
 */
export function checkArrowFraming(bytes: Uint8Array, label: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isFile = bytes.length >= 8 && MAGIC.every((b, i) => bytes[i] === b);
  try {
    if (isFile) checkFile(view);
    else checkStream(view);
  } catch (e) {
    if (!(e instanceof Damaged)) throw e;
    throw new KernelInputError(
      label,
      'an Arrow IPC file or stream (Feather v2)',
      `a file the Arrow reader refused: ${e.message} (byte ${e.at})`,
    );
  }
}
