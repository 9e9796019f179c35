/**
 * Decompression of Arrow IPC buffers, which apache-arrow leaves to codecs registered with it: ZSTD
 * (fzstd, a pure-JS decoder) and LZ4_FRAME (below: the LZ4 frame format, decode only). pyarrow and
 * pandas write Feather v2 LZ4-compressed by default. Registered once, and only where the process has
 * not registered its own.
 */
import { KernelInputError } from '../errors.js';
import type { ArrowModule } from './arrow-convert.js';

/** 0 = LZ4_FRAME, 1 = ZSTD in Arrow's `CompressionType`. */
const LZ4_FRAME = 0;
const ZSTD = 1;

let registered = false;

/** Registers the ZSTD and LZ4_FRAME decoders with apache-arrow (once; fzstd is imported here). */
export async function registerCodecs(arrow: ArrowModule): Promise<void> {
  if (registered) return;
  const { decompress } = await import('fzstd');
  const registry = arrow.compressionRegistry;
  if (!registry.get(ZSTD)) registry.set(ZSTD, { decode: (data: Uint8Array) => aligned(decompress(data)) });
  if (!registry.get(LZ4_FRAME)) registry.set(LZ4_FRAME, { decode: lz4FrameDecode });
  registered = true;
}

/** `bytes`, copied when they start at an address a float64 view cannot (fzstd may return a view). */
const aligned = (bytes: Uint8Array) => (bytes.byteOffset % 8 === 0 ? bytes : bytes.slice());

const fault = (what: string) => new KernelInputError('lz4 frame', 'a valid LZ4 frame', what);

/**
 * Decodes one or more concatenated LZ4 frames (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md),
 * linked blocks included (a match may reach back into the frame's earlier blocks). Checksums are
 * skipped, not verified; every length and offset is bounds-checked, so corrupt input throws.
 */
export function lz4FrameDecode(src: Uint8Array): Uint8Array {
  const sink = { out: new Uint8Array(Math.max(64, src.length * 4)), d: 0 };
  let p = 0;
  const u32 = (at: number) => {
    if (at + 4 > src.length) throw fault('a frame cut short');
    return (src[at] | (src[at + 1] << 8) | (src[at + 2] << 16) | (src[at + 3] << 24)) >>> 0;
  };
  while (p < src.length) {
    const magic = u32(p);
    if (magic >>> 4 === 0x184d2a5) {
      p += 8 + u32(p + 4); // a skippable frame
      continue;
    }
    if (magic !== 0x184d2204) throw fault(`magic ${magic.toString(16)}`);
    if (p + 6 > src.length) throw fault('a frame cut short');
    const flg = src[p + 4];
    if (flg >> 6 !== 1) throw fault(`frame version ${flg >> 6}`);
    const blockChecksum = (flg & 0x10) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    if ((flg & 0x08) !== 0) {
      const size = u32(p + 6) + u32(p + 10) * 4294967296;
      reserve(sink, Math.min(size, 1 << 30));
    }
    p += 6 + ((flg & 0x08) !== 0 ? 8 : 0) + ((flg & 0x01) !== 0 ? 4 : 0) + 1; // sizes, dict id, header checksum
    const frameStart = sink.d;
    for (;;) {
      const word = u32(p);
      p += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      if (p + size > src.length) throw fault('a block past the end of the input');
      const block = src.subarray(p, p + size);
      if (word & 0x80000000) {
        reserve(sink, size);
        sink.out.set(block, sink.d);
        sink.d += size;
      } else lz4BlockDecode(block, sink, frameStart);
      p += size + (blockChecksum ? 4 : 0);
    }
    if (contentChecksum) p += 4;
  }
  return sink.out.slice(0, sink.d);
}

interface Sink {
  out: Uint8Array;
  d: number;
}

/** Room in `sink` for `more` bytes past its end. */
function reserve(sink: Sink, more: number): void {
  if (sink.d + more <= sink.out.length) return;
  const grown = new Uint8Array(Math.max(sink.d + more, sink.out.length * 2));
  grown.set(sink.out.subarray(0, sink.d));
  sink.out = grown;
}

/** Decodes one LZ4 block onto the end of `sink`; matches reach back no further than `frameStart`. */
function lz4BlockDecode(src: Uint8Array, sink: Sink, frameStart: number): void {
  let s = 0;
  const n = src.length;
  const length = (start: number): number => {
    let len = start;
    if (start === 15) {
      let b: number;
      do {
        if (s >= n) throw fault('a length cut short');
        b = src[s++];
        len += b;
      } while (b === 255);
    }
    return len;
  };
  while (s < n) {
    const token = src[s++];
    const lit = length(token >> 4);
    if (s + lit > n) throw fault('literals past the end');
    reserve(sink, lit);
    sink.out.set(src.subarray(s, s + lit), sink.d);
    s += lit;
    sink.d += lit;
    if (s >= n) break; // the last sequence has literals only
    if (s + 2 > n) throw fault('an offset cut short');
    const offset = src[s] | (src[s + 1] << 8);
    s += 2;
    if (offset === 0 || offset > sink.d - frameStart) throw fault(`match offset ${offset} at output byte ${sink.d}`);
    const len = length(token & 15) + 4;
    reserve(sink, len);
    const out = sink.out;
    let d = sink.d;
    let from = d - offset;
    for (let k = 0; k < len; k++) out[d++] = out[from++];
    sink.d = d;
  }
}
