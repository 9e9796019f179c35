/**
 * A whole file's bytes for the Arrow and Parquet readers, in memory that starts 8-byte aligned, so that
 * the Arrow library's typed arrays can be views of it (no copy of the float64 columns): the file mapped
 * copy-on-write where the addon loads (no copy at all), else read into a fresh buffer.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { loadNative } from '../backends/native/public.js';
import { KernelInputError } from '../errors.js';

/** The bytes and how messages name them: the path, or `buffer`. */
export interface SourceBytes {
  bytes: Uint8Array;
  label: string;
  /** True when `bytes` is the file mapped for this read (mapFile): a reader may hand back pages it is done with. */
  mapped: boolean;
}

/**
 * `source` as bytes: a path is mapped (binding.mapFile: page-aligned, copy-on-write, so a view of it
 * can be written without changing the file) or, without the addon, read whole into a fresh buffer
 * (offset 0, one read per 1 GiB); a
 * Uint8Array is used as it is when its byteOffset is a multiple of 8, else copied once into aligned
 * memory (an Arrow float64 column cannot be viewed at an odd address).
 */
export function sourceBytes(source: string | Uint8Array, arg = 'source'): SourceBytes {
  if (source instanceof Uint8Array) {
    const bytes = source.byteOffset % 8 === 0 ? source : new Uint8Array(source);
    return { bytes, label: 'buffer', mapped: false };
  }
  if (typeof source !== 'string') {
    throw new KernelInputError(arg, 'a path or a Uint8Array', source === null ? 'null' : typeof source);
  }
  const mapped = mapFile(source);
  if (mapped) return { bytes: new Uint8Array(mapped), label: source, mapped: true };
  let fd: number;
  try {
    fd = openSync(source, 'r');
  } catch (e) {
    throw new KernelInputError(source, 'a readable file', (e as NodeJS.ErrnoException).code ?? String(e));
  }
  try {
    const size = fstatSync(fd).size;
    // fresh memory, advised to 2 MB pages where the addon loads: first writes fault once per page, and
    // per 4 KB page that cost more than the read on a virtual machine (240 MB: 1.1 s)
    const bytes = new Uint8Array(size);
    loadNative().binding?.adviseHugePages(bytes);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, bytes, at, Math.min(size - at, 1 << 30), at);
      if (n === 0) break;
      at += n;
    }
    return { bytes: at === size ? bytes : bytes.subarray(0, at), label: source, mapped: false };
  } catch (e) {
    throw new KernelInputError(source, 'a readable file', (e as NodeJS.ErrnoException).code ?? String(e));
  } finally {
    closeSync(fd);
  }
}

/**
 * The file at `path` mapped copy-on-write, or null where the addon or the runtime cannot map it, or
 * the file cannot be opened (the caller's plain read then reports why, in Node's words: ENOENT...).
 */
export function mapFile(path: string): ArrayBuffer | null {
  const binding = loadNative().binding;
  if (!binding || typeof binding.mapFile !== 'function') return null;
  try {
    return binding.mapFile(path);
  } catch {
    return null;
  }
}
