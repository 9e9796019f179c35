/**
 * The column names of a Parquet file from its schema alone (no column decoded), so that readTrades and
 * readReturns can ask readParquet for the columns they use only. Loaded with the Parquet module, on use.
 */
import { readFile } from 'node:fs/promises';
import { loadArrow } from './arrow.js';

/**
 * The names of a Parquet file's columns, or undefined when its schema cannot be read here (then the
 * caller reads every column, and the reader reports what is wrong with the file).
 */
export async function parquetNames(input: string | Uint8Array): Promise<string[] | undefined> {
  try {
    const bytes = typeof input === 'string' ? new Uint8Array(await readFile(input)) : input;
    const [pq, arrow] = await Promise.all([import('parquet-wasm'), loadArrow()]);
    return arrow.tableFromIPC(pq.readSchema(bytes).intoIPCStream()).schema.fields.map((f) => f.name);
  } catch {
    return undefined;
  }
}
