/**
 * The wire format (docs/wire-format.md): one frame per transport entry. A frame is a 24-byte header,
 * the UTF-8 type and key, zero padding to a multiple of 8, then the body: float64 columns for a trade
 * batch, or a msgpack value for any other message. Decoding a trade frame gives Float64Array views
 * into the received bytes when they are 8-byte aligned, else a FrameTrades over the bytes as they came
 * (the native kernels read it in place; an aligned copy is made once, and reported, only if asked for).
 * Decoding never reads outside the given bytes: every malformed frame throws FrameError.
 */
import { KernelInputError, describeValue } from '../errors.js';
import { requireTrades, type Trades } from '../kernels/trades.js';
import { FrameTrades } from '../kernels/frame-trades.js';
import { FrameError } from './errors.js';
import { packBody, unpackBody as unpackMsgpack } from './message-codec.js';
import { nowMs, type Priority } from './messages.js';

/** First four bytes of every frame: ASCII "KBFR" (0x5246424b as a little-endian u32). */
export const FRAME_MAGIC = 0x5246424b;
/** The format version this code writes and reads. */
export const FRAME_VERSION = 1;
/** Bytes of the fixed header, before the type and key. */
export const FRAME_HEADER_BYTES = 24;
/** Kind byte: a trade batch as float64 columns ts, price, volume (and bid, ask in a 5-column frame). */
export const KIND_TRADES = 1;
/** Kind byte: one message as msgpack `[ts, payload]`. */
export const KIND_MESSAGE = 2;
/** Flags bit 0: priority 'high'. */
export const FLAG_HIGH = 1;
/**
 * Flags bit 1 (trade frames only): a float64 watermark follows the columns: its publisher sends no later
 * trade of this type on this stream with a ts below it (docs/wire-format.md). Other bits are reserved and must be 0.
 */
export const FLAG_WATERMARK = 2;
/**
 * Flags bit 2 (message frames only): the body is process-local msgpack (message-codec.ts), written by a
 * bus whose every transport keeps its entries in this process and readable only here. Such a frame never
 * leaves the process: publishFrame() refuses it, and a reader elsewhere refuses a reserved bit.
 */
export const FLAG_LOCAL = 4;
/** Columns of a trade frame: ts, price, volume. */
export const TRADE_COLUMNS = 3;
/** Columns of a trade frame with quotes: ts, price, volume, bid, ask (the quote prevailing at each trade). */
export const QUOTED_TRADE_COLUMNS = 5;
/** Longest type, in UTF-8 bytes. */
export const MAX_TYPE_BYTES = 255;
/** Longest key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** Most rows in one trade frame (1.5 GiB of columns, 2.5 with quotes): larger counts are rejected as absurd. */
export const MAX_FRAME_ROWS = 1 << 26;
/** Largest msgpack body. */
export const MAX_BODY_BYTES = 1 << 30;

/** True on little-endian hosts (every platform Node ships for, in practice): columns can be viewed in place. */
const HOST_LE = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** The fields every frame carries in its header. */
export interface FrameHeader {
  type: string;
  key: string;
  priority: Priority;
  /** Epoch ms at which the first (oldest) message in the frame was published; NaN when unknown. */
  sentAt: number;
  /** Messages in the frame: rows of a trade frame, 1 for a message frame. */
  count: number;
}

/** A decoded trade frame. */
export interface TradesFrame extends FrameHeader {
  kind: 'trades';
  /**
   * Columns of `count` rows: Float64Array views into the frame bytes when they are 8-byte aligned, else a
   * FrameTrades over the bytes in place (copied on first access to a column, reported through
   * decodeFrame's `onCopy`); on a big-endian host, a copy.
   */
  columns: Trades;
  /** The ts of the last trade (NaN when empty), read from the bytes without touching the columns. */
  lastTs: number;
  /** The publisher's watermark (FLAG_WATERMARK): no later trade on this stream below it; NaN when the frame has none. */
  watermark: number;
  /** True when decoding copied the columns (big-endian hosts only; see `columns`). */
  copied: boolean;
}

/** A decoded message frame. */
export interface MessageFrame extends FrameHeader {
  kind: 'message';
  /** The envelope's ts, epoch ms. */
  ts: number;
  payload: unknown;
  copied: false;
}

/** What decodeFrame returns. */
export type Frame = TradesFrame | MessageFrame;

/**
 * Whether `frame` is a watermark-only frame: trades of no rows (docs/wire-format.md), which reach a
 * handler (or an engine's replay) only where it asks for watermarks.
 */
export function watermarkOnly(frame: Frame): boolean {
  return frame.kind === 'trades' && frame.count === 0;
}

/** Input to encodeTradesFrame. */
export interface TradesFrameInput extends Trades {
  type: string;
  key: string;
  priority?: Priority;
  /** Default: now. */
  sentAt?: number;
  /** The publisher's watermark (see TradesFrame.watermark): a number, or NaN / undefined for none. */
  watermark?: number;
}

/** Input to encodeMessageFrame. */
export interface MessageFrameInput {
  type: string;
  key: string;
  ts: number;
  payload: unknown;
  priority?: Priority;
  /** Default: now. */
  sentAt?: number;
}

/**
 * The type and key of a frame, UTF-8 encoded and checked once, to stamp many frames (the batcher
 * keeps one per key). Shared: never written after frameLabel() made it.
 */
export interface FrameLabel {
  /** type bytes then key bytes. */
  bytes: Uint8Array;
  typeLength: number;
  keyLength: number;
  /** Offset of the body: the header, type and key rounded up to a multiple of 8. */
  bodyOffset: number;
}

/**
 * The labels made so far, by type then key: a message frame's label is encoded once per (type, key),
 * not at each publish (two TextEncoder calls and three arrays cost a message more than its header).
 * Emptied when it holds LABELS_KEPT labels (readLabel()'s cache is the reading side's).
 */
const madeLabels = new Map<string, Map<string, FrameLabel>>();
const LABELS_KEPT = 4096;
let labelsKept = 0;

/** Encodes and checks a frame's type and key (KernelInputError naming `type` or `key`); the same object for the same pair. */
export function frameLabel(type: string, key: string): FrameLabel {
  const made = madeLabels.get(type)?.get(key);
  if (made) return made;
  if (typeof type !== 'string' || type.length === 0) {
    throw new KernelInputError('type', 'a non-empty string', describeValue(type));
  }
  if (typeof key !== 'string') throw new KernelInputError('key', 'a string', describeValue(key));
  const typeBytes = utf8Encoder.encode(type);
  const keyBytes = utf8Encoder.encode(key);
  if (typeBytes.length > MAX_TYPE_BYTES) {
    throw new KernelInputError('type', `at most ${MAX_TYPE_BYTES} UTF-8 bytes`, `${typeBytes.length} bytes`);
  }
  if (keyBytes.length > MAX_KEY_BYTES) {
    throw new KernelInputError('key', `at most ${MAX_KEY_BYTES} UTF-8 bytes`, `${keyBytes.length} bytes`);
  }
  const bytes = new Uint8Array(typeBytes.length + keyBytes.length);
  bytes.set(typeBytes);
  bytes.set(keyBytes, typeBytes.length);
  const bodyOffset = (FRAME_HEADER_BYTES + bytes.length + 7) & ~7;
  const label = { bytes, typeLength: typeBytes.length, keyLength: keyBytes.length, bodyOffset };
  if (labelsKept >= LABELS_KEPT) {
    madeLabels.clear();
    labelsKept = 0;
  }
  let byKey = madeLabels.get(type);
  if (!byKey) madeLabels.set(type, (byKey = new Map()));
  byKey.set(key, label);
  labelsKept++;
  return label;
}

/**
 * Frames up to MAX_SLAB_FRAME bytes are carved, 8-byte aligned, from shared 64 KiB slabs: one ArrayBuffer per slab rather than per frame
 * (an ArrayBuffer costs far more than the bytes of a small frame). A slab is never reused, so carved
 * bytes are zero until written and stay valid as long as anything references them; a retained frame
 * keeps its slab alive, as Node's Buffer pool does.
 */
const SLAB_BYTES = 64 * 1024;
const MAX_SLAB_FRAME = 8 * 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabView = new DataView(slab);
let slabF64 = new Float64Array(slab);
let slabUsed = 0;

/** Carves `length` (<= MAX_SLAB_FRAME) bytes from the slab, starting a new slab when it is full; returns their offset. */
function carve(length: number): number {
  if (slabUsed + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabView = new DataView(slab);
    slabF64 = new Float64Array(slab);
    slabUsed = 0;
  }
  const at = slabUsed;
  slabUsed += (length + 7) & ~7;
  return at;
}

/** Where the frame being written lives: its buffer's DataView and Float64Array, and its byte offset. */
let outView = slabView;
let outF64 = slabF64;
let outBase = 0;

/** Allocates a zeroed frame of `length` bytes (from a slab when small) and points out* at it. */
function allocate(length: number): Uint8Array {
  if (length > MAX_SLAB_FRAME) {
    const buffer = new ArrayBuffer(length);
    outView = new DataView(buffer);
    outF64 = new Float64Array(buffer, 0, length >>> 3);
    outBase = 0;
    return new Uint8Array(buffer);
  }
  outBase = carve(length);
  outView = slabView;
  outF64 = slabF64;
  return new Uint8Array(slab, outBase, length);
}

/** Allocates a frame with a body of `bodyBytes` and writes its header, type and key. */
function writeHead(
  label: FrameLabel,
  kind: number,
  priority: Priority | undefined,
  columns: number,
  count: number,
  sentAt: number,
  bodyBytes: number,
  flags = 0,
): Uint8Array {
  const frame = allocate(label.bodyOffset + bodyBytes);
  const view = outView;
  const at = outBase;
  view.setUint32(at, FRAME_MAGIC, true);
  frame[4] = FRAME_VERSION;
  frame[5] = kind;
  frame[6] = (priority === 'high' ? FLAG_HIGH : 0) | flags;
  frame[7] = columns;
  view.setUint32(at + 8, count, true);
  view.setUint16(at + 12, label.typeLength, true);
  view.setUint16(at + 14, label.keyLength, true);
  view.setFloat64(at + 16, sentAt, true);
  frame.set(label.bytes, FRAME_HEADER_BYTES);
  return frame;
}

/** Writes the first n values of `column` at byte `offset` of the frame just allocated, little-endian. */
function writeColumn(offset: number, column: Float64Array, n: number): void {
  const at = outBase + offset;
  if (!HOST_LE) {
    for (let i = 0; i < n; i++) outView.setFloat64(at + 8 * i, column[i], true);
  } else if (n <= 32) {
    const f64 = outF64;
    for (let i = 0, j = at >>> 3; i < n; i++, j++) f64[j] = column[i];
  } else {
    outF64.set(n === column.length ? column : column.subarray(0, n), at >>> 3);
  }
}

/**
 * Encodes the first `n` rows of three columns (five with `bid` and `ask`) as a trade frame, with a
 * watermark after them unless `watermark` is NaN (internal fast path: the label is already checked,
 * the columns already validated).
 */
export function encodeTradesWithLabel(
  label: FrameLabel,
  priority: Priority | undefined,
  sentAt: number,
  ts: Float64Array,
  price: Float64Array,
  volume: Float64Array,
  n: number,
  bid?: Float64Array,
  ask?: Float64Array,
  watermark = Number.NaN,
): Uint8Array {
  if (n > MAX_FRAME_ROWS) throw new KernelInputError('trades', `at most ${MAX_FRAME_ROWS} rows per frame`, `${n} rows`);
  const columns = bid && ask ? QUOTED_TRADE_COLUMNS : TRADE_COLUMNS;
  const marked = !Number.isNaN(watermark);
  const frame = writeHead(
    label,
    KIND_TRADES,
    priority,
    columns,
    n,
    sentAt,
    8 * columns * n + (marked ? 8 : 0),
    marked ? FLAG_WATERMARK : 0,
  );
  writeColumn(label.bodyOffset, ts, n);
  writeColumn(label.bodyOffset + 8 * n, price, n);
  writeColumn(label.bodyOffset + 16 * n, volume, n);
  if (bid && ask) {
    writeColumn(label.bodyOffset + 24 * n, bid, n);
    writeColumn(label.bodyOffset + 32 * n, ask, n);
  }
  if (marked) outView.setFloat64(outBase + label.bodyOffset + 8 * columns * n, watermark, true);
  return frame;
}

/**
 * Encodes a trade batch as a frame: header, type, key, padding, then the ts, price and volume columns,
 * and the bid and ask columns when the batch has them (a 5-column frame).
 */
export function encodeTradesFrame(input: TradesFrameInput): Uint8Array {
  requireTrades(input, 'input');
  const label = frameLabel(input.type, input.key);
  const sentAt = input.sentAt ?? nowMs();
  const { ts, price, volume, bid, ask, watermark } = input;
  if (!(watermark === undefined || typeof watermark === 'number'))
    throw new KernelInputError('input.watermark', 'a number (epoch ms) or undefined', describeValue(watermark));
  return encodeTradesWithLabel(label, input.priority, sentAt, ts, price, volume, ts.length, bid, ask, watermark ?? Number.NaN);
}

/** Encodes one message as a frame whose body is msgpack `[ts, payload]` (typed arrays keep their type). */
export function encodeMessageFrame(input: MessageFrameInput): Uint8Array {
  const label = frameLabel(input.type, input.key);
  return encodeMessageWithLabel(label, input.type, input.priority, input.sentAt ?? nowMs(), input.ts, input.payload, false);
}

/**
 * encodeMessageFrame with a checked label (internal). `local`: the body may be process-local (FLAG_LOCAL),
 * for a bus whose transports all keep their entries in this process.
 */
export function encodeMessageWithLabel(
  label: FrameLabel,
  type: string,
  priority: Priority | undefined,
  sentAt: number,
  ts: number,
  payload: unknown,
  local: boolean,
): Uint8Array {
  if (typeof ts !== 'number') throw new KernelInputError('ts', 'a number (epoch ms)', describeValue(ts));
  let body: Uint8Array;
  let flags = 0;
  try {
    const packed = packBody(type, [ts, payload], local);
    body = packed.body;
    if (packed.local) flags = FLAG_LOCAL;
  } catch (cause) {
    throw new KernelInputError('payload', 'a value msgpack can encode', cause instanceof Error ? cause.message : String(cause));
  }
  if (body.length > MAX_BODY_BYTES)
    throw new KernelInputError('payload', `at most ${MAX_BODY_BYTES} bytes of msgpack`, `${body.length} bytes`);
  const frame = writeHead(label, KIND_MESSAGE, priority, 0, body.length, sentAt, body.length, flags);
  frame.set(body, label.bodyOffset);
  return frame;
}

/** A header that passed every structural check. */
interface ParsedHead extends FrameHeader {
  kind: number;
  /** FLAG_WATERMARK: a float64 after the columns. */
  marked: boolean;
  /** FLAG_LOCAL: a process-local msgpack body. */
  local: boolean;
  /** Columns of a trade frame (3, or 5 with bid and ask); 0 for a message frame. */
  columns: number;
  rows: number;
  bodyOffset: number;
  bodyLength: number;
}

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (cause) {
    throw new FrameError(`${what} is not valid UTF-8`, { cause });
  }
}

interface Label {
  bytes: Uint8Array;
  typeLength: number;
  type: string;
  key: string;
}

/**
 * Decoded type and key strings by a hash of their bytes: a stream carries few distinct labels, and
 * decoding UTF-8 costs more than hashing and comparing a few bytes. Cleared when it reaches 4096.
 */
const labels = new Map<number, Label>();

/** The type and key of a frame whose lengths were checked (`labelEnd` = 24 + both lengths). */
function readLabel(bytes: Uint8Array, typeLength: number, labelEnd: number): Label {
  let h = 0x811c9dc5 ^ typeLength;
  for (let i = FRAME_HEADER_BYTES; i < labelEnd; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  const hit = labels.get(h);
  if (hit && hit.typeLength === typeLength && hit.bytes.length === labelEnd - FRAME_HEADER_BYTES) {
    let same = true;
    for (let i = FRAME_HEADER_BYTES, j = 0; i < labelEnd; i++, j++) {
      if (hit.bytes[j] !== bytes[i]) {
        same = false;
        break;
      }
    }
    if (same) return hit;
  }
  const label: Label = {
    bytes: bytes.slice(FRAME_HEADER_BYTES, labelEnd),
    typeLength,
    type: decodeUtf8(bytes.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + typeLength), 'type'),
    key: decodeUtf8(bytes.subarray(FRAME_HEADER_BYTES + typeLength, labelEnd), 'key'),
  };
  if (labels.size >= 4096) labels.clear();
  labels.set(h, label);
  return label;
}

/** Little-endian u32 at `at`. */
function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

const scratchF64 = new Float64Array(1);
const scratchU8 = new Uint8Array(scratchF64.buffer);

/** Little-endian float64 at `at` (any alignment). */
function f64(bytes: Uint8Array, at: number): number {
  for (let i = 0; i < 8; i++) scratchU8[HOST_LE ? i : 7 - i] = bytes[at + i];
  return scratchF64[0];
}

/**
 * Checks magic, version, kind, flags, lengths and padding against the buffer; reads nothing beyond it.
 * The fields go into `into` (a fresh object unless given: decodeFrame() passes its scratch, HEAD).
 */
function parseHead(bytes: Uint8Array, into: ParsedHead = emptyHead()): ParsedHead {
  if (!(bytes instanceof Uint8Array)) throw new KernelInputError('bytes', 'a Uint8Array', describeValue(bytes));
  const length = bytes.length;
  if (length < FRAME_HEADER_BYTES) throw new FrameError(`truncated: ${length} bytes, the header alone is ${FRAME_HEADER_BYTES}`);
  const magic = u32(bytes, 0);
  if (magic !== FRAME_MAGIC) throw new FrameError(`bad magic 0x${magic.toString(16).padStart(8, '0')}`);
  if (bytes[4] !== FRAME_VERSION) throw new FrameError(`unsupported version ${bytes[4]} (this reads ${FRAME_VERSION})`);
  const kind = bytes[5];
  if (kind !== KIND_TRADES && kind !== KIND_MESSAGE) throw new FrameError(`unknown kind ${kind}`);
  const flags = bytes[6];
  if ((flags & ~(FLAG_HIGH | FLAG_WATERMARK | FLAG_LOCAL)) !== 0) throw new FrameError(`reserved flag bits set: 0x${flags.toString(16)}`);
  const marked = (flags & FLAG_WATERMARK) !== 0;
  if (marked && kind !== KIND_TRADES) throw new FrameError(`the watermark flag on kind ${kind} (trade frames only)`);
  const local = (flags & FLAG_LOCAL) !== 0;
  if (local && kind !== KIND_MESSAGE) throw new FrameError(`the process-local flag on kind ${kind} (message frames only)`);
  const columns = bytes[7];
  if (kind === KIND_TRADES ? columns !== TRADE_COLUMNS && columns !== QUOTED_TRADE_COLUMNS : columns !== 0) {
    const expected = kind === KIND_TRADES ? `${TRADE_COLUMNS} or ${QUOTED_TRADE_COLUMNS}` : '0';
    throw new FrameError(`kind ${kind} has ${expected} columns, header says ${columns}`);
  }
  const count = u32(bytes, 8);
  const typeLength = bytes[12] | (bytes[13] << 8);
  const keyLength = bytes[14] | (bytes[15] << 8);
  if (typeLength === 0 || typeLength > MAX_TYPE_BYTES) throw new FrameError(`type length ${typeLength} outside [1, ${MAX_TYPE_BYTES}]`);
  if (keyLength > MAX_KEY_BYTES) throw new FrameError(`key length ${keyLength} > ${MAX_KEY_BYTES}`);
  if (kind === KIND_TRADES && count > MAX_FRAME_ROWS) throw new FrameError(`${count} rows > ${MAX_FRAME_ROWS}`);
  if (kind === KIND_MESSAGE && count > MAX_BODY_BYTES) throw new FrameError(`body of ${count} bytes > ${MAX_BODY_BYTES}`);
  const labelEnd = FRAME_HEADER_BYTES + typeLength + keyLength;
  const bodyOffset = (labelEnd + 7) & ~7;
  const bodyLength = kind === KIND_TRADES ? 8 * columns * count + (marked ? 8 : 0) : count;
  if (length !== bodyOffset + bodyLength) {
    throw new FrameError(
      `length ${length} != ${bodyOffset + bodyLength} for ${kind === KIND_TRADES ? `${count} rows${marked ? ' and a watermark' : ''}` : `a ${count}-byte body`}`,
    );
  }
  for (let i = labelEnd; i < bodyOffset; i++) {
    if (bytes[i] !== 0) throw new FrameError(`padding byte ${i} is not zero`);
  }
  const { type, key } = readLabel(bytes, typeLength, labelEnd);
  into.kind = kind;
  into.marked = marked;
  into.local = local;
  into.type = type;
  into.key = key;
  into.priority = flags & FLAG_HIGH ? 'high' : 'normal';
  into.sentAt = f64(bytes, 16);
  into.count = kind === KIND_TRADES ? count : 1;
  into.columns = columns;
  into.rows = count;
  into.bodyOffset = bodyOffset;
  into.bodyLength = bodyLength;
  return into;
}

/** A head with every field, before parseHead() fills it. */
function emptyHead(): ParsedHead {
  return {
    kind: 0,
    marked: false,
    local: false,
    type: '',
    key: '',
    priority: 'normal',
    sentAt: 0,
    count: 0,
    columns: 0,
    rows: 0,
    bodyOffset: 0,
    bodyLength: 0,
  };
}

/** decodeFrame()'s parsed head, filled at each call (it is read before the call returns, never kept). */
const HEAD = emptyHead();

function unpackBody(bytes: Uint8Array, head: ParsedHead): { ts: number; payload: unknown } {
  let value: unknown;
  try {
    value = unpackMsgpack(head.type, bytes.subarray(head.bodyOffset, head.bodyOffset + head.bodyLength), head.local);
  } catch (cause) {
    throw new FrameError(`msgpack body: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'number') {
    throw new FrameError('msgpack body is not [ts, payload]');
  }
  return { ts: value[0], payload: value[1] };
}

/**
 * Decodes a frame. A trade frame's columns view `bytes` in place when `bytes.byteOffset` is a multiple
 * of 8, else they are a FrameTrades over the bytes as they came: nothing is copied unless a column is
 * read as a Float64Array (the reference backend, a subscriber's code), which copies once and calls
 * `onCopy`; the native VPIN kernels read it in place. (A big-endian host copies at once, and calls
 * `onCopy`.) Throws FrameError for anything malformed (truncated, bad magic/version/kind/flags, counts
 * or lengths that disagree with the buffer, non-zero padding, invalid UTF-8, a body that is not msgpack
 * `[ts, payload]`). `head`: parseFrameHead(bytes), when the caller has it (not parsed again).
 */
export function decodeFrame(bytes: Uint8Array, onCopy?: () => void, head?: FrameHead): Frame {
  const h = head ?? parseHead(bytes, HEAD);
  if (h.kind === KIND_MESSAGE) {
    const { ts, payload } = unpackBody(bytes, h);
    return { kind: 'message', type: h.type, key: h.key, priority: h.priority, sentAt: h.sentAt, count: 1, ts, payload, copied: false };
  }
  const n = h.rows;
  const start = bytes.byteOffset + h.bodyOffset;
  const lastTs = n > 0 ? f64(bytes, h.bodyOffset + 8 * (n - 1)) : NaN;
  const watermark = h.marked ? f64(bytes, h.bodyOffset + 8 * h.columns * n) : NaN;
  let columns: Trades;
  let copied = false;
  const quoted = h.columns === QUOTED_TRADE_COLUMNS;
  if (HOST_LE && start % 8 === 0) {
    const buffer = bytes.buffer;
    columns = {
      ts: new Float64Array(buffer, start, n),
      price: new Float64Array(buffer, start + 8 * n, n),
      volume: new Float64Array(buffer, start + 16 * n, n),
    };
    if (quoted) {
      columns.bid = new Float64Array(buffer, start + 24 * n, n);
      columns.ask = new Float64Array(buffer, start + 32 * n, n);
    }
  } else if (HOST_LE) {
    // plain Uint8Array views (a Buffer's subarray() builds a Buffer, several times the cost)
    const buffer = bytes.buffer;
    const quotes = quoted ? new Uint8Array(buffer, start + 24 * n, 16 * n) : undefined;
    columns = new FrameTrades(new Uint8Array(buffer, start, 24 * n), n, onCopy, quotes);
  } else {
    const all = new Float64Array(h.columns * n);
    for (let i = 0; i < h.columns * n; i++) all[i] = f64(bytes, h.bodyOffset + 8 * i);
    columns = { ts: all.subarray(0, n), price: all.subarray(n, 2 * n), volume: all.subarray(2 * n, 3 * n) };
    if (quoted) {
      columns.bid = all.subarray(3 * n, 4 * n);
      columns.ask = all.subarray(4 * n);
    }
    copied = true;
    onCopy?.();
  }
  return { kind: 'trades', type: h.type, key: h.key, priority: h.priority, sentAt: h.sentAt, count: n, columns, lastTs, watermark, copied };
}

/**
 * A frame's parsed header (parseFrameHead()): what decodeFrame() reads before the body. A transport that
 * parses a frame's header to know its key passes it on (Entry.head), so the bus does not parse it again.
 */
export type FrameHead = Readonly<ParsedHead>;

/** The parsed header of `bytes` (frameHeader()'s checks, FrameError alike), for decodeFrame(bytes, onCopy, head). */
export function parseFrameHead(bytes: Uint8Array): FrameHead {
  return parseHead(bytes);
}

/**
 * The header of a frame (kind, type, key, priority, sentAt, count) after the structural checks that
 * need only the header and the frame's length (every rule but the msgpack body's): constant time, no
 * copy. Throws FrameError like decodeFrame. What a transport reads to know an entry's key.
 */
export function frameHeader(bytes: Uint8Array): FrameHeader & { kind: 'trades' | 'message' } {
  return headerOf(parseHead(bytes));
}

/** The public header of a parsed head. */
function headerOf(head: ReturnType<typeof parseHead>): FrameHeader & { kind: 'trades' | 'message' } {
  return {
    kind: head.kind === KIND_TRADES ? 'trades' : 'message',
    type: head.type,
    key: head.key,
    priority: head.priority,
    sentAt: head.sentAt,
    count: head.count,
  };
}

/**
 * Checks a whole frame without copying its columns (the body of a message frame is parsed) and
 * returns its header: what Bus.publishFrame() checks. Throws FrameError like decodeFrame, and for a
 * process-local frame (FLAG_LOCAL), which only the bus that wrote it hands on.
 */
export function validateFrame(bytes: Uint8Array): FrameHeader & { kind: 'trades' | 'message' } {
  const head = parseHead(bytes);
  if (head.local)
    throw new FrameError('a process-local frame (flags bit 2): read only in the process that wrote it, never published as bytes');
  if (head.kind === KIND_MESSAGE) unpackBody(bytes, head);
  return headerOf(head);
}
