/**
 * Where the CSV reader's bytes come from, as blocks: a file (mapped, the blocks views of the map; without
 * the addon fs.read into two reused buffers, the next block read while the current one parses), gzip (by the `.gz` extension or the 1f 8b magic
 * bytes, streamed through zlib), stdin or any Readable, or bytes in memory. A file's blocks leave
 * HEADROOM free bytes before their data so that the reader can put the previous block's unfinished
 * record there without copying the block; a stream's chunks are copied once into each block anyway.
 */
import { loadNative } from '../backends/native/public.js';
import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { KernelbusError, KernelInputError } from '../errors.js';
import { mapFile } from './file-bytes.js';

/** Free bytes before each block for the carried partial record. */
export const HEADROOM = 64 * 1024;

/** A source of byte blocks. */
export interface ByteSource {
  /**
   * The next block with `carry` (the previous block's unconsumed bytes, owned by the caller) in front
   * of it, or null at the end of the input. The returned bytes are valid until the next call.
   */
  next(carry: Uint8Array): Promise<Uint8Array | null>;
  /** The input's size in bytes when it is known (a plain file or bytes in memory). */
  totalBytes?: number;
  /** True when `carry` may be a view of the previous block (the source never writes to its blocks). */
  carryMayBeView?: boolean;
  /** Releases the file; safe to call twice. */
  close(): Promise<void>;
}

const isGzipMagic = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** carry followed by bytes, in a fresh array. */
function concat(carry: Uint8Array, bytes: Uint8Array): Uint8Array {
  if (carry.length === 0) return bytes;
  const joined = new Uint8Array(carry.length + bytes.length);
  joined.set(carry);
  joined.set(bytes, carry.length);
  return joined;
}

/** A source's failure as a KernelInputError naming the input (kernelbus errors pass through). */
export function sourceError(name: string, err: unknown, expected: string): Error {
  if (err instanceof KernelbusError) return err;
  const e = err as NodeJS.ErrnoException;
  const what = e?.code ? `${e.code} (${e.message})` : String(e?.message ?? err);
  return new KernelInputError(name, expected, what);
}

/** Bytes in memory, in blocks of `blockBytes` (gzip bytes are inflated through zlib). */
export function bufferSource(bytes: Uint8Array, name: string, blockBytes: number): ByteSource {
  if (isGzipMagic(bytes)) return streamSource(Readable.from([bytes]), name, blockBytes, true);
  return bytesSource(bytes, blockBytes);
}

/**
 * Blocks that are views of `bytes`: a carry that is the end of the previous block (as the reader's
 * always is) is not copied, the next block starts where it does. `done` is given each range no block
 * will cover again (a mapped file's pages are handed back there).
 */
function bytesSource(bytes: Uint8Array, blockBytes: number, done?: (range: Uint8Array) => void): ByteSource {
  let pos = 0;
  let doneTo = 0;
  return {
    totalBytes: bytes.length,
    carryMayBeView: true,
    async next(carry) {
      if (pos >= bytes.length) return null;
      const end = Math.min(bytes.length, pos + blockBytes);
      const isTail = carry.buffer === bytes.buffer && carry.byteOffset + carry.length === bytes.byteOffset + pos;
      const start = isTail ? pos - carry.length : pos;
      const block = isTail ? bytes.subarray(start, end) : concat(carry, bytes.subarray(pos, end));
      if (done && start > doneTo) done(bytes.subarray(doneTo, start));
      doneTo = Math.max(doneTo, start);
      pos = end;
      return block;
    },
    async close() {
      if (done && bytes.length > doneTo) done(bytes.subarray(doneTo));
      doneTo = bytes.length;
    },
  };
}

/**
 * A buffer for file blocks, backed by 2 MB pages where the addon loads (the first write to each 4 KB
 * page of fresh memory is a fault: on a virtual machine that cost more than parsing the block).
 */
function freshBuffer(bytes: number): Uint8Array {
  const buf = new Uint8Array(bytes);
  loadNative().binding?.adviseHugePages(buf);
  return buf;
}

/**
 * A file: mapped copy-on-write where the addon loads (blocks are views of the map, its pages handed
 * back as the reader passes them: resident memory stays about two blocks), else plain through two
 * reused buffers; gzip through a zlib stream.
 */
export async function fileSource(path: string, name: string, blockBytes: number): Promise<ByteSource> {
  const mapped = path.toLowerCase().endsWith('.gz') ? null : mapFile(path);
  if (mapped && !isGzipMagic(new Uint8Array(mapped, 0, Math.min(2, mapped.byteLength)))) {
    const binding = loadNative().binding;
    return bytesSource(new Uint8Array(mapped), blockBytes, (range) => binding?.releaseMapped(range));
  }
  let handle: Awaited<ReturnType<typeof open>>;
  let size: number;
  const magic = new Uint8Array(2);
  try {
    handle = await open(path, 'r');
    size = (await handle.stat()).size;
    await handle.read(magic, 0, 2, 0);
  } catch (err) {
    throw sourceError(name, err, 'a readable file');
  }
  if (path.toLowerCase().endsWith('.gz') || isGzipMagic(magic)) {
    await handle.close();
    return streamSource(createReadStream(path), name, blockBytes, true);
  }
  const buffers = [freshBuffer(HEADROOM + Math.min(blockBytes, size)), freshBuffer(HEADROOM + Math.min(blockBytes, size))];
  let which = 0;
  let position = 0;
  let closed = false;
  const readInto = (buf: Uint8Array): Promise<number> => {
    const at = position;
    const want = Math.min(blockBytes, Math.max(0, size - at));
    position += want;
    if (want === 0) return Promise.resolve(0);
    return readFully(handle, buf, HEADROOM, want, at);
  };
  let inFlight = readInto(buffers[0]);
  inFlight.catch(() => {}); // awaited by next(); this keeps an early close from leaving it unhandled
  return {
    totalBytes: size,
    async next(carry) {
      let got: number;
      try {
        got = await inFlight;
      } catch (err) {
        throw sourceError(name, err, 'a readable file');
      }
      if (got === 0) return null;
      const buf = buffers[which];
      which ^= 1;
      inFlight = readInto(buffers[which]); // read the next block while the caller parses this one
      inFlight.catch(() => {});
      if (carry.length <= HEADROOM) {
        buf.set(carry, HEADROOM - carry.length);
        return buf.subarray(HEADROOM - carry.length, HEADROOM + got);
      }
      return concat(carry, buf.subarray(HEADROOM, HEADROOM + got));
    },
    async close() {
      if (closed) return;
      closed = true;
      await inFlight.catch(() => 0);
      await handle.close();
    },
  };
}

/** Reads exactly `length` bytes at `position` (fewer only at the end of the file). */
async function readFully(
  handle: Awaited<ReturnType<typeof open>>,
  buf: Uint8Array,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, offset + done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/**
 * A Readable (stdin, a socket, a file stream) in blocks of `blockBytes`; gzip is inflated when
 * `gzip` is true or the first bytes are its magic.
 */
export function streamSource(stream: NodeJS.ReadableStream, name: string, blockBytes: number, gzip = false): ByteSource {
  const chunks = streamChunks(stream, gzip, name);
  let leftover: Uint8Array | null = null;
  let ended = false;
  return {
    async next(carry) {
      // Gather up to blockBytes of chunks, then copy them once into a fresh block behind the carry
      // (a block is handed out, so it is never reused).
      const parts: Uint8Array[] = [];
      let filled = 0;
      while (filled < blockBytes) {
        let chunk = leftover;
        leftover = null;
        if (chunk === null) {
          if (ended) break;
          let r: IteratorResult<Uint8Array>;
          try {
            r = await chunks.next();
          } catch (err) {
            throw sourceError(name, err, gzip ? 'gzip data' : 'a readable stream');
          }
          if (r.done) {
            ended = true;
            break;
          }
          chunk = r.value;
        }
        const k = Math.min(blockBytes - filled, chunk.length);
        parts.push(chunk.subarray(0, k));
        filled += k;
        if (k < chunk.length) leftover = chunk.subarray(k);
      }
      if (filled === 0) return null;
      const block = new Uint8Array(carry.length + filled);
      block.set(carry);
      let at = carry.length;
      for (const part of parts) {
        block.set(part, at);
        at += part.length;
      }
      return block;
    },
    async close() {
      await chunks.return?.(undefined);
      const s = stream as NodeJS.ReadableStream & { destroy?: () => void };
      if (s !== process.stdin) s.destroy?.();
    },
  };
}

/** The stream's chunks as bytes, inflated when gzip (flagged, or sniffed from the first chunk). */
async function* streamChunks(stream: NodeJS.ReadableStream, gzip: boolean, name: string): AsyncGenerator<Uint8Array> {
  const raw = (async function* () {
    for await (const c of stream as AsyncIterable<Uint8Array | string>) yield typeof c === 'string' ? Buffer.from(c) : c;
  })();
  const first = await raw.next();
  if (first.done) return;
  if (!gzip && !isGzipMagic(first.value)) {
    yield first.value;
    yield* raw;
    return;
  }
  const replay = (async function* () {
    yield first.value;
    yield* raw;
  })();
  const gunzip = createGunzip();
  pipeline(Readable.from(replay), gunzip, () => {});
  try {
    for await (const c of gunzip as AsyncIterable<Uint8Array>) yield c;
  } catch (err) {
    throw sourceError(name, err, 'gzip data');
  }
}
