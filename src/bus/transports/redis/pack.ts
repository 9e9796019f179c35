/**
 * Packed entries (docs/wire-format.md#packed-entries): several frames of one stream in one Redis entry,
 * so that a publisher sending many keys' small frames at a time costs Redis and its consumers one entry
 * per publish rather than one per key. A pack is a byte string in the entry's `d` field:
 *
 * ```
 * 0       4     magic    "KBPK"
 * 4       1     version  1
 * 5       3     zero
 * 8       4     frames   F, 1..65,536
 * 12      4     zero
 * 16      4F    lengths  of the frames, u32 each
 * ...     P     zero padding to a multiple of 8
 * ...           the frames in order, each followed by zero padding to a multiple of 8
 * ```
 *
 * Every frame starts at a multiple of 8 from the pack's start, so its columns stay 8-byte aligned
 * relative to the pack. The entry's field `k` is empty and `n` the frames' message count.
 */
import { FrameError } from '../../errors.js';
import type { OutgoingEntry } from '../types.js';

/** "KBPK" as a little-endian u32. */
export const PACK_MAGIC = 0x4b50424b;
export const PACK_VERSION = 1;
export const PACK_HEADER_BYTES = 16;
/** Most frames in one pack. */
export const MAX_PACK_FRAMES = 65_536;

const pad8 = (n: number) => (n + 7) & ~7;

/** Whether `data` starts as a pack does (its magic). */
export function isPack(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x4b && data[1] === 0x42 && data[2] === 0x50 && data[3] === 0x4b;
}

/** The bytes of a pack of `frames` (at least one). */
export function encodePack(frames: readonly Uint8Array[]): Buffer {
  const head = pad8(PACK_HEADER_BYTES + 4 * frames.length);
  let length = head;
  for (const f of frames) length += pad8(f.length);
  // not zeroed by the allocation (small packs come from Node's pool): every byte is written below
  const out = Buffer.allocUnsafe(length);
  out.writeUInt32LE(PACK_MAGIC, 0);
  out.writeUInt32LE(PACK_VERSION, 4);
  out.writeUInt32LE(frames.length, 8);
  out.writeUInt32LE(0, 12);
  let at = head;
  out.fill(0, PACK_HEADER_BYTES + 4 * frames.length, head);
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    out.writeUInt32LE(f.length, PACK_HEADER_BYTES + 4 * i);
    out.set(f, at);
    const end = at + pad8(f.length);
    out.fill(0, at + f.length, end);
    at = end;
  }
  return out;
}

/** The frames of a pack, as views of its bytes (no copy), or why it is malformed. */
export function splitPack(data: Buffer): Buffer[] | string {
  if (data.length < PACK_HEADER_BYTES) return `malformed pack: ${data.length} bytes, the header alone is ${PACK_HEADER_BYTES}`;
  if (data[4] !== PACK_VERSION) return `malformed pack: unsupported version ${data[4]} (this reads ${PACK_VERSION})`;
  const n = data.readUInt32LE(8);
  if (n < 1 || n > MAX_PACK_FRAMES) return `malformed pack: ${n} frames, outside [1, ${MAX_PACK_FRAMES}]`;
  for (const i of [5, 6, 7, 12, 13, 14, 15]) if (data[i] !== 0) return `malformed pack: reserved byte ${i} is not zero`;
  let at = pad8(PACK_HEADER_BYTES + 4 * n);
  if (at > data.length) return `malformed pack: ${data.length} bytes, too short for ${n} frame lengths`;
  const frames: Buffer[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const length = data.readUInt32LE(PACK_HEADER_BYTES + 4 * i);
    const end = at + pad8(length);
    if (end > data.length) return `malformed pack: frame ${i} of ${length} bytes runs past the pack's ${data.length}`;
    frames[i] = data.subarray(at, at + length);
    at = end;
  }
  if (at !== data.length) return `malformed pack: ${data.length - at} bytes after the last frame`;
  return frames;
}

/**
 * The frames of a stream entry's field `d`, in order: the frames of a packed entry, else the one frame
 * it is. Throws FrameError when a pack is malformed (the frames themselves are not checked here:
 * decodeFrame does). For code that reads a stream's entries itself (XRANGE).
 */
export function entryFrames(data: Uint8Array): Uint8Array[] {
  if (!isPack(data)) return [data];
  const frames = splitPack(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  if (typeof frames === 'string') throw new FrameError(frames);
  return frames;
}

/**
 * The entries of one publish as packs: consecutive entries in packs of at most `maxBytes` bytes, none
 * holding two frames of one key (a consumer skips a key's entry ids it has seen). An entry alone stays
 * as it is, and so does one published before (its seq at or below `sentUpTo`: a retry after an
 * ambiguous failure), so that a pack that was stored covers it: a pack carries its last frame's seq,
 * and Redis stores no seq at or below the highest it stored for the producer.
 */
export function packEntries(
  entries: readonly OutgoingEntry[],
  maxBytes: number,
  sentUpTo = -Infinity,
): { entries: OutgoingEntry[]; sizes: number[] } {
  const out: OutgoingEntry[] = [];
  /** Per entry of `out`, how many of `entries` it holds. */
  const sizes: number[] = [];
  let run: OutgoingEntry[] = [];
  let keys = new Set<string>();
  /** The frames' bytes in the run, each padded (the pack is pad8(header + lengths) more). */
  let bytes = 0;
  const close = () => {
    if (run.length > 0) sizes.push(run.length);
    if (run.length === 1) out.push(run[0]);
    else if (run.length > 1) {
      let count = 0;
      for (const e of run) count += e.count;
      const last = run[run.length - 1];
      out.push({ key: '', count, data: encodePack(run.map((e) => e.data)), producer: last.producer, seq: last.seq });
    }
    run = [];
    keys = new Set();
    bytes = 0;
  };
  for (const e of entries) {
    if (e.seq !== undefined && e.seq <= sentUpTo) {
      close();
      out.push(e);
      sizes.push(1);
      continue;
    }
    const grown = bytes + pad8(e.data.length);
    const full = run.length >= MAX_PACK_FRAMES || pad8(PACK_HEADER_BYTES + 4 * (run.length + 1)) + grown > maxBytes;
    if (keys.has(e.key) || (run.length > 0 && full)) close();
    run.push(e);
    keys.add(e.key);
    bytes += pad8(e.data.length);
  }
  close();
  return { entries: out, sizes };
}
