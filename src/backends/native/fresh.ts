/**
 * Fresh outputs of the native kernels. The first write to each 4 KB page of a new large typed array is
 * a page fault, and on a virtual machine a fault costs tens of microseconds: 10^7 doubles (80 MB, about
 * 20,000 faults) took longer to fault in than bulkClassify() took to compute them. From
 * HUGE_OUTPUT_BYTES on, an output this backend allocates is advised onto 2 MB pages before the kernel
 * writes it (native/kernels/memory.hpp: Linux THP in its `madvise` mode; a no-op elsewhere), 512 times
 * fewer faults. An output the caller passes (`out`) is left as it is. The indicators' API passes
 * every output (src/kernels/indicators/indicators.ts freshOutput: uninitialised from 64 KB, none of
 * them zeroed here) and their kernels advise it themselves (native/kernels/indicators/columns.hpp).
 */
import type { NativeBinding } from './binding.js';

/** Outputs from this size (bytes) are advised onto huge pages: below two whole 2 MB pages it cannot pay. */
export const HUGE_OUTPUT_BYTES = 4 << 20;

/** `array`, a fresh output, advised onto huge pages when it is large; returned for chaining. */
export function fresh<T extends ArrayBufferView>(b: NativeBinding, array: T): T {
  if (array.byteLength >= HUGE_OUTPUT_BYTES) b.adviseHugePages(array);
  return array;
}
