/**
 * The column names of a Parquet file from its schema alone (no column decoded), so that readTrades and
 * readReturns can ask readParquet for the columns they use only. Loaded with the Parquet module, on use.
 */
import { loadNative } from '../backends/native/binding.js';
import { sourceBytes } from './file-bytes.js';
import { loadArrow } from './arrow.js';

/**
 * The names of a Parquet file's columns, or undefined when its schema cannot be read here (then the
 * caller reads every column, and the reader reports what is wrong with the file).
 */
export async function parquetNames(input: string | Uint8Array): Promise<string[] | undefined> {
  try {
    const bytes = typeof input === 'string' ? sourceBytes(input).bytes : input;
    // the native footer reader when the addon loads (no WebAssembly to load and instantiate)
    const footer = loadNative().binding?.parquetFooter?.(bytes);
    if (footer?.code === 0 && footer.names) return footer.names;
    const [pq, arrow] = await Promise.all([import('parquet-wasm'), loadArrow()]);
    return arrow.tableFromIPC(pq.readSchema(bytes).intoIPCStream()).schema.fields.map((f) => f.name);
  } catch {
    return undefined;
  }
}
