/**
 * The native CSV block parser (native/io/, native/binding/io_binding.cc): the ParseBlock of
 * src/io/types.ts over the addon, loaded by the one loader (src/backends/native/binding.ts). The plan's
 * scalars travel packed in one Float64Array (CONVENTIONS habit 4); the addon checks every argument
 * again and answers a bad one with a KernelInputError naming it.
 */
import { loadNative, useThreads } from '../backends/native/public.js';
import { BackendUnavailableError } from '../errors.js';
import type { BlockOut, BlockPlan, BlockResult, ParseBlock, ParseBlockAsync } from './types.js';

/** The plan's scalars in the order the addon reads them: delimiter, firstLine, final, skipBadRows, rowOffset. */
export function packBlockParams(plan: BlockPlan): Float64Array {
  return Float64Array.of(plan.delimiter, plan.firstLine, plan.final ? 1 : 0, plan.skipBadRows ? 1 : 0, plan.rowOffset);
}

/**
 * The native block parser on `threads` (default: KERNELBUS_THREADS, else the cores), on the calling
 * thread and on the libuv thread pool, or the reason it cannot run here (the addon did not load, or
 * lacks it).
 */
export function nativeParseBlock(
  threads?: number,
): { parse: ParseBlock; parseAsync: ParseBlockAsync; error?: undefined } | { parse?: undefined; parseAsync?: undefined; error: Error } {
  const loaded = loadNative();
  if (!loaded.binding) return { error: new BackendUnavailableError('native', loaded.error.message) };
  const binding = loaded.binding;
  if (typeof binding.csvParseBlock !== 'function' || typeof binding.csvParseBlockAsync !== 'function') {
    return { error: new BackendUnavailableError('native', 'the addon has no CSV reader (built before it was added): rebuild it') };
  }
  const parse = (bytes: Uint8Array, plan: BlockPlan, out: BlockOut): BlockResult => {
    useThreads(binding, threads);
    return binding.csvParseBlock(bytes, packBlockParams(plan), plan.kinds, plan.required, out);
  };
  const parseAsync = (bytes: Uint8Array, plan: BlockPlan, out: BlockOut): Promise<BlockResult> => {
    useThreads(binding, threads);
    return binding.csvParseBlockAsync(bytes, packBlockParams(plan), plan.kinds, plan.required, out);
  };
  return { parse, parseAsync };
}
