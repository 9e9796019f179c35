/**
 * The native CSV block parser under test: `describeNativeCsv` runs a suite with it, skips the suite
 * locally when the addon did not build (or lacks the parser), and fails it with CI=true (as the
 * parity suites do with a backend that did not load).
 */
import { describe, it } from 'vitest';
import { loadNative, type NativeBinding } from '../../src/backends/native/binding.js';
import { nativeParseBlock } from '../../src/io/csv-native.js';
import type { ParseBlock } from '../../src/io/types.js';

const inCI = process.env.CI === 'true' || process.env.CI === '1';

/** Registers `body` with the native parser (and the addon, for setThreads), or the skip / CI failure. */
export function describeNativeCsv(title: string, body: (parse: ParseBlock, binding: NativeBinding) => void): void {
  const native = nativeParseBlock();
  const binding = loadNative().binding;
  if (native.parse && binding) {
    describe(title, () => body(native.parse, binding));
  } else if (inCI) {
    describe(title, () => {
      it('the native CSV parser is available (required in CI)', () => {
        throw native.error ?? new Error('the addon did not load');
      });
    });
  } else {
    describe.skip(`${title} (native CSV parser not built: ${native.error?.message})`, () => {});
  }
}
