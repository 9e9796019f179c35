/**
 * What the native backend offers the rest of src/ besides its provider (./index.ts): the one loader of
 * the addon (./binding.ts), through which src/io's readers and src/api reach native code, and the
 * package's root (the demo's example model). Outside src/backends a backend is reached through its
 * index.ts or its public.ts only (test/package/import-graph.test.ts).
 */
export { loadNative, packageRoot, useThreads, type NativeBinding, type ParquetDecodeResult, type ParquetFooterResult } from './binding.js';
