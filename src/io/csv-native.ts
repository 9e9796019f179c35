/**
 * The native CSV block parser (native/io/, native/binding/io_binding.cc): the ParseBlock of
 * src/io/types.ts over the addon, loaded by the one loader (src/backends/native/binding.ts).
 * STUB: the csv-native work replaces this body with the addon call; the signature is the contract.
 */
import { BackendUnavailableError } from '../errors.js';
import type { ParseBlock } from './types.js';

/** The native block parser, or the reason it cannot run here (the addon did not load, or lacks it). */
export function nativeParseBlock(): { parse: ParseBlock; error?: undefined } | { parse?: undefined; error: Error } {
  return { error: new BackendUnavailableError('native', 'the native CSV reader is not built yet') };
}
