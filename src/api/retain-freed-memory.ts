/**
 * retainFreedMemory(): the opt-in that makes the C library's allocator keep the memory the process frees,
 * so that fresh outputs reuse resident pages instead of faulting new ones in (docs/backends.md, "Fresh
 * outputs and the collector"). Process-wide and never on by default: a library must not change its
 * host's allocator behind its back. The addon applies it (glibc's mallopt, native/kernels/memory.cpp);
 * where the C library is not glibc, or the addon is not loaded, nothing changes and the result says why.
 */
import { loadNative } from '../backends/native/public.js';
import { describeValue, KernelInputError } from '../errors.js';

/** What to keep, in bytes; each left out takes its default. */
export interface RetainFreedMemoryOptions {
  /** Freed memory at the top of the heap is given back only beyond this (default 1 GiB; glibc's own: 128 KiB, adjusted upwards). */
  trimThreshold?: number;
  /** Blocks from this size are mapped afresh and unmapped when freed (default and most 32 MiB; glibc's own: 128 KiB, adjusted upwards). */
  mmapThreshold?: number;
  /** Extra memory asked of the system each time the heap grows (default 64 MiB; glibc's own: 128 KiB). */
  topPad?: number;
}

/** What retainFreedMemory() applied, or why it applied nothing. */
export type RetainFreedMemoryResult =
  | { applied: true; trimThreshold: number; mmapThreshold: number; topPad: number }
  | { applied: false; reason: string };

/** The defaults: those of the GLIBC_TUNABLES the bench measured (bench/fresh-outputs.ts). */
export const RETAIN_FREED_DEFAULTS = { trimThreshold: 1 << 30, mmapThreshold: 32 << 20, topPad: 64 << 20 } as const;

/** The largest value glibc's mallopt takes (an int), and its largest mmap threshold on a 64-bit system. */
const LIMITS = { trimThreshold: 2 ** 31 - 1, mmapThreshold: 32 << 20, topPad: 2 ** 31 - 1 } as const;

/**
 * Makes the C library keep freed memory for reuse, process-wide: glibc's mallopt(M_TRIM_THRESHOLD,
 * M_MMAP_THRESHOLD, M_TOP_PAD), the equivalent of starting node with
 * GLIBC_TUNABLES=glibc.malloc.trim_threshold=…:glibc.malloc.mmap_threshold=…:glibc.malloc.top_pad=….
 * The cost: memory freed stays resident up to the thresholds (about 40 MB more over 10,000 calls of an
 * 8 MB fresh output, measured). Call it once, early, from the application, not from a library. Returns
 * what it applied; `{ applied: false, reason }` where the C library is not glibc (musl, macOS, Windows)
 * or the native addon is not loaded, and nothing changed. Throws KernelInputError naming the option for a
 * value that is not an integer number of bytes in range (each at most 2^31 - 1, mmapThreshold at most 32 MiB).
 */
export function retainFreedMemory(options: RetainFreedMemoryOptions = {}): RetainFreedMemoryResult {
  if (typeof options !== 'object' || options === null) throw new KernelInputError('options', 'an object', describeValue(options));
  const values: Record<keyof typeof LIMITS, number> = { ...RETAIN_FREED_DEFAULTS };
  for (const key of ['trimThreshold', 'mmapThreshold', 'topPad'] as const) {
    const v = options[key];
    if (v === undefined) continue;
    // the addon's order and messages (native/binding/addon.cc RetainFreedMemory)
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new KernelInputError(`options.${key}`, typeof v === 'number' ? 'a finite number' : 'a number', describeValue(v));
    if (!Number.isInteger(v) || v < 0 || v > LIMITS[key])
      throw new KernelInputError(`options.${key}`, `an integer in [0, ${LIMITS[key]}] (bytes)`, describeValue(v));
    values[key] = v;
  }
  const native = loadNative();
  if (!native.binding) return { applied: false, reason: `the native addon is not loaded: ${native.error.message.split('. ')[0]}` };
  const r = native.binding.retainFreedMemory(values.trimThreshold, values.mmapThreshold, values.topPad);
  return r.applied ? { applied: true, ...values } : { applied: false, reason: r.reason ?? 'not applied' };
}
