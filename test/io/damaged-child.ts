/**
 * The child process of test/io/damaged.test.ts (run with `node --import tsx`): reads each job of the
 * JSON file argv[2] in turn and prints one JSON line per job as soon as it ends, so that a read that
 * never ends is the first job without a line when the parent kills this process.
 * Job: { path, reader } with reader `table` (readTable, the format's default reader), `arrow-library`
 * or `parquet-library` (the library path, behind its checks). Line: { i, outcome, ms, message }:
 * outcome `read`, `error` (a KernelInputError) or `other` (anything else thrown).
 */
import { readFileSync, writeSync } from 'node:fs';
import { KernelInputError } from '../../src/errors.js';
import { readTable } from '../../src/io/index.js';
import { readArrow } from '../../src/io/arrow.js';
import { readParquet } from '../../src/io/parquet.js';

export interface DamagedJob {
  path: string;
  reader: 'table' | 'arrow-library' | 'parquet-library';
}

const read = (job: DamagedJob) =>
  job.reader === 'arrow-library'
    ? readArrow(job.path, { reader: 'library' })
    : job.reader === 'parquet-library'
      ? readParquet(job.path, { reader: 'library' })
      : readTable(job.path);

const jobs = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as DamagedJob[];
for (const [i, job] of jobs.entries()) {
  const started = performance.now();
  let outcome = 'read';
  let message = '';
  try {
    await read(job);
  } catch (e) {
    outcome = e instanceof KernelInputError ? 'error' : 'other';
    message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  writeSync(1, `${JSON.stringify({ i, outcome, ms: performance.now() - started, message: message.slice(0, 300) })}\n`);
}
