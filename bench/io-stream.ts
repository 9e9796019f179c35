/**
 * The io bench's streaming run, as its own process so that its peak RSS is the stream's alone:
 * `node --import tsx bench/io-stream.ts <trades.csv> <chunkRows> <bucketVolume>` reads the file with
 * readCsvChunks() (src/io/csv.ts) and hands each chunk to a native vpinStream before the next is
 * read; prints one JSON line: rows, chunks, buckets, seconds. The parent (bench/io.ts) adds the RSS.
 */
import { kernels } from '../src/api/index.js';
import type { Table } from '../src/io/types.js';

/** What this script needs of src/io/csv.ts (loaded when it exists: the reader lands in its own branch). */
interface CsvModule {
  readCsvChunks(source: string, options: { chunkRows: number; backend?: 'native' | 'reference' }): AsyncIterable<Table>;
}

const [path, chunkArg, bucketArg] = process.argv.slice(2);
const chunkRows = Number(chunkArg);
const bucketVolume = Number(bucketArg);
const csv = (await import(new URL('../src/io/csv.ts', import.meta.url).href)) as CsvModule;
const stream = kernels({ backend: 'native' }).vpinStream({ bucketVolume, barMs: 60_000, sigma: { ewma: 0.94 } });
const t0 = performance.now();
let rows = 0;
let chunks = 0;
for await (const chunk of csv.readCsvChunks(path, { chunkRows, backend: 'native' })) {
  const { ts, price, volume } = chunk.columns as Record<string, Float64Array>;
  stream.update({ ts, price, volume });
  rows += chunk.rows;
  chunks++;
}
stream.flush();
console.log(JSON.stringify({ rows, chunks, buckets: stream.bucketCount, seconds: (performance.now() - t0) / 1000 }));
