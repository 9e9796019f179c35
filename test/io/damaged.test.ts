/**
 * No damaged file hangs or crashes a reader (issue 56, item 5): seeded damage of the kinds a user's
 * files get (truncated; 1-20 random bytes changed; 1-8 bytes changed in the last 4 KiB, where the
 * Parquet and Arrow footers are) to small CSV, Parquet and Arrow (file and stream) tables, read by
 * each format's default reader and by the library paths the native readers fall back to. Every read
 * must end with a Table or a KernelInputError, within five times a clean read of the same file (plus
 * a second: the machines these run on are shared).
 * The reads run in a child process (test/io/damaged-child.ts) killed after a deadline, so that a
 * read that spins fails this test, naming the file, instead of hanging vitest.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTable } from '../../src/io/index.js';
import { writeArrow } from '../../src/io/arrow.js';
import type { Table } from '../../src/io/types.js';
import type { DamagedJob } from './damaged-child.js';
import { mulberry32 } from '../../src/math/mulberry32.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'kb-damaged-'));

/** A tape of `n` trades: times, prices, volumes and a symbol. */
function trades(n: number): Table {
  const r = mulberry32(42);
  const ts = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 37);
  const price = Float64Array.from({ length: n }, () => 100 + Math.round(r() * 10_000) / 100);
  const volume = Float64Array.from({ length: n }, () => 1 + Math.floor(r() * 500));
  const codes = Int32Array.from({ length: n }, () => Math.floor(r() * 3));
  return {
    rows: n,
    names: ['ts', 'price', 'volume', 'symbol'],
    columns: { ts, price, volume, symbol: { codes, values: ['AAPL', 'MSFT', 'SPY'] } },
    types: { ts: 'time', price: 'number', volume: 'number', symbol: 'text' },
  };
}

/** The damage kinds, `count` copies each: truncated, random bytes, bytes in the last 4 KiB. */
function damaged(bytes: Uint8Array, seed: number, count: number): { name: string; bytes: Uint8Array }[] {
  const r = mulberry32(seed);
  const int = (n: number) => Math.floor(r() * n);
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (let k = 0; k < count; k++) {
    const cut = int(bytes.length);
    out.push({ name: `truncated-${cut}`, bytes: bytes.slice(0, cut) });
    for (const tail of [false, true]) {
      const copy = bytes.slice();
      const changes = tail ? 1 + int(8) : 1 + int(20);
      const from = tail ? Math.max(0, bytes.length - 4096) : 0;
      for (let c = 0; c < changes; c++) copy[from + int(bytes.length - from)] = int(256);
      out.push({ name: `${tail ? 'tail' : 'bytes'}-${k}`, bytes: copy });
    }
  }
  return out;
}

interface Line {
  i: number;
  outcome: string;
  ms: number;
  message: string;
}

/** Runs `jobs` in a child process (test/io/damaged-child.ts); fails naming the read that did not end. */
function runReads(jobs: DamagedJob[], timeout = 90_000): Line[] {
  const jobFile = join(dir, 'jobs.json');
  writeFileSync(jobFile, JSON.stringify(jobs));
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test', 'io', 'damaged-child.ts'), jobFile], {
    cwd: root,
    encoding: 'utf8',
    timeout,
  });
  const lines = child.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
  const hung = jobs[lines.length];
  if (hung)
    expect.fail(`${hung.reader} read of ${hung.path} did not end (child: ${child.signal ?? child.status}, ${child.stderr.slice(-500)})`);
  return lines;
}

describe('damaged files', () => {
  it('end every read, of every format and reader, with a Table or a KernelInputError', async () => {
    const table = trades(3000);
    const clean: Record<string, string> = {};
    for (const [name, write] of [
      ['trades.csv', (p: string) => writeTable(p, table)],
      ['trades.parquet', (p: string) => writeTable(p, table)],
      ['trades.arrow', (p: string) => writeArrow(p, table)],
      ['trades.arrows', (p: string) => writeArrow(p, table, { format: 'stream' })],
    ] as const) {
      clean[name] = join(dir, name);
      await write(clean[name]);
    }
    const readers: Record<string, DamagedJob['reader'][]> = {
      'trades.csv': ['table'],
      'trades.parquet': ['table', 'parquet-library'],
      'trades.arrow': ['table', 'arrow-library'],
      'trades.arrows': ['table', 'arrow-library'],
    };
    // the clean files first, three reads each (warming the readers): the reference times
    const jobs: (DamagedJob & { clean: string })[] = [];
    for (const [name, path] of Object.entries(clean)) {
      for (const reader of readers[name] ?? []) for (let k = 0; k < 3; k++) jobs.push({ path, reader, clean: `${name}/${reader}` });
    }
    const cleanJobs = jobs.length;
    let seed = 1;
    for (const [name, path] of Object.entries(clean)) {
      for (const d of damaged(new Uint8Array(readFileSync(path)), seed++, 8)) {
        const damagedPath = join(dir, `${d.name}.${name}`);
        writeFileSync(damagedPath, d.bytes);
        for (const reader of readers[name] ?? []) jobs.push({ path: damagedPath, reader, clean: `${name}/${reader}` });
      }
    }
    const lines = runReads(jobs);
    const reference: Record<string, number[]> = {};
    for (const line of lines.slice(0, cleanJobs)) {
      expect(line.outcome, jobs[line.i]?.path).toBe('read');
      const key = jobs[line.i]?.clean as string;
      (reference[key] ??= []).push(line.ms);
    }
    const counts: Record<string, number> = { read: 0, error: 0, other: 0 };
    for (const line of lines.slice(cleanJobs)) {
      const job = jobs[line.i] as DamagedJob & { clean: string };
      counts[line.outcome] = (counts[line.outcome] ?? 0) + 1;
      expect(line.outcome, `${job.reader} ${job.path}: ${line.message}`).not.toBe('other');
      // a few times the clean read (the slowest of three), and a second for a machine shared with other builds
      const limit = 5 * Math.max(...(reference[job.clean] ?? [0])) + 1000;
      expect(line.ms, `${job.reader} ${job.path}`).toBeLessThan(limit);
    }
    expect(counts.error).toBeGreaterThan(0);
  }, 120_000);

  it("end when a footer block points at another message (apache-arrow's reader alone spins forever)", async () => {
    // a record batch block moved onto the dictionary batch: apache-arrow's file reader loads the
    // dictionary and asks for the same block again, forever
    const path = join(dir, 'moved-block.arrow');
    await writeArrow(path, trades(100));
    const bytes = new Uint8Array(readFileSync(path));
    const view = new DataView(bytes.buffer);
    const footerStart = bytes.length - 10 - view.getInt32(bytes.length - 10, true);
    // the footer's blocks: 24 bytes (offset, metadata length, body length) whose offset holds that message
    const blocks: number[] = [];
    for (let p = footerStart; p + 24 <= bytes.length - 10; p++) {
      const offset = Number(view.getBigInt64(p, true));
      if (offset < 8 || offset >= footerStart) continue;
      if (view.getInt32(offset, true) === -1 && view.getInt32(p + 8, true) === view.getInt32(offset + 4, true) + 8) blocks.push(p);
    }
    expect(blocks.length).toBe(2); // the dictionary's, then the record batch's
    const [dictionary, batch] = blocks as [number, number];
    view.setBigInt64(batch, view.getBigInt64(dictionary, true), true);
    writeFileSync(path, bytes);
    const lines = runReads(
      [
        { path, reader: 'arrow-library' },
        { path, reader: 'table' },
      ],
      20_000,
    );
    const at = Number(view.getBigInt64(dictionary, true));
    for (const line of lines) {
      expect(line.outcome).toBe('error');
      expect(line.message).toContain(
        `${path}: expected an Arrow IPC file or stream (Feather v2), got a file the Arrow reader refused: a block that is not the`,
      );
      expect(line.message).toContain(`(byte ${at})`);
    }
  }, 60_000);
});
