/**
 * Data in (issue 37): the readers of `kernelbus/io` and the commands end to end, on the files of
 * bench/io-data.ts (a single-symbol tape of 2*10^6 and 10^7 trades, an 8-symbol tape, 2,520 x 500
 * returns; the tape as Parquet and Arrow written by our writers), against the Python peers (polars,
 * pyarrow, pandas: bench/peers/io.py in a child process, bench/io-peers.ts) timed in this run, three
 * rounds between blocks of ours (before the library reads, after them, after the commands), their
 * medians in the ratios and notes, with the targets of issue 56 (each note says whether its row meets it):
 * - the library read (readCsv, native at 2 threads and 1, and the reference) in MB/s and rows/s
 *   (issue 37's target: >= 500 MB/s on 2 threads);
 * - the whole `kernelbus` process against the peer's read alone: `vpin trades.csv` <= 1.5x polars
 *   read_csv, `vpin trades.parquet` <= 3x pyarrow read_table, `vpin trades.arrow` <= 2x pyarrow
 *   read_table of the Parquet file, `risk returns.csv` <= 2x polars read_csv; the peak RSS of each
 *   <= 1.5x the columns plus a bounded buffer; the risk row splits its time into Node's start, the
 *   command's modules, the read, the compute and the output (the floor under its target);
 * - in a running process: readTrades of the CSV <= 1x polars read_csv, of the Parquet file <= 1.5x
 *   pyarrow read_table; readReturns <= 1x polars read_csv;
 * - readCsvChunks through vpinStream, the peak RSS: the issue's 10^8 rows (2.5 GB) in under 1 GB; the
 *   size is KERNELBUS_BENCH_IO_STREAM_ROWS (default 10^7, the 241 MB file).
 * What is not built yet (the readers land in their own branches) is a row of n/a saying so. The
 * machine's load average is a row too: these figures are from a shared machine unless it says 0.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Table } from '../src/io/types.js';
import { ensureDist, ROOT, runChild, runCli, type ChildRun } from './io-child.js';
import {
  BIG_TAPE,
  countLabel,
  fileBytes,
  returnsCsv,
  SMALL_TAPE,
  tape8Csv,
  TAPE8_ROWS,
  tradesCsv,
  tradesTable,
  writeOnce,
} from './io-data.js';
import { Peers, seconds } from './io-peers.js';
import type { BenchRow, BenchSection } from './lib.js';
import { formatRatio } from './results.js';
import { startupRows } from './startup.js';

type Backend = 'native' | 'reference';
interface ReadOptions {
  backend?: Backend;
  threads?: number;
}
/** What the bench needs of the readers (src/io/*.ts, each loaded when it exists). */
interface CsvModule {
  readCsv(source: string, options?: ReadOptions): Promise<Table>;
  readCsvChunks?: unknown;
}
interface ParquetModule {
  readParquet(source: string, options?: ReadOptions): Promise<Table>;
  writeParquet(path: string, table: Table, options?: { compression?: string }): Promise<unknown>;
}
interface ArrowModule {
  readArrow(source: string, options?: ReadOptions): Promise<Table> | Table;
  writeArrow(path: string, table: Table): Promise<unknown> | unknown;
}

/** src/io/<name>.ts when it exists (it is merged), else undefined. */
async function ioModule<T>(name: string): Promise<T | undefined> {
  const path = join(ROOT, 'src/io', `${name}.ts`);
  return existsSync(path) ? ((await import(path)) as T) : undefined;
}

const SECTION = 'io';
const MB = 1e6;
/** The streaming row's size: KERNELBUS_BENCH_IO_STREAM_ROWS (the issue's target is 10^8). */
const STREAM_ROWS = Number(process.env.KERNELBUS_BENCH_IO_STREAM_ROWS ?? BIG_TAPE);
/** The stream's bucket volume: a day of the tapes (about 9 * 10^6 trades of 100 on average) / 50. */
const STREAM_BUCKET_VOLUME = 1.8e7;
/** The CLI end to end on 10^7 trades runs only when 2*10^6 took less than this (the csv-parse reader takes ~10 s). */
const BIG_CLI_MAX_SMALL_MS = 5_000;
const PEER_CSV = ['polars.read_csv', 'pyarrow.csv.read_csv', 'pandas.read_csv'];

/** The best of `runs` awaited calls (after one warm-up call unless `warmup` is false), in ms. */
async function bestMs(fn: () => Promise<unknown> | unknown, runs = 3, warmup = true): Promise<number> {
  if (warmup) await fn();
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** A row of a figure that could not be measured yet, and why. */
const missing = (c: string, subject: string, unit: string, why: string): BenchRow => ({
  section: SECTION,
  case: c,
  subject,
  value: NaN,
  unit,
  note: `not available yet: ${why}`,
});

/** The first line of an error's message. */
const reason = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0];

/** '241 MB'. */
const size = (bytes: number) => `${Math.round(bytes / MB)} MB`;

/** An issue 56 target of a ratio to a peer: 'issue 56 target <= 1.5x polars read_csv: met'. */
function target(ratio: number | undefined, most: number, peer: string): string {
  const verdict = ratio === undefined || !Number.isFinite(ratio) ? 'no peer figure' : ratio <= most ? 'met' : 'not met';
  return `issue 56 target <= ${most}x ${peer}: ${verdict}`;
}

/**
 * '; floor: node -e 0 68 ms, + modules 30 ms, + read 25 ms, + compute 30 ms, + output and exit 20 ms': a
 * run's wall time split by its --json seconds (start: the process's age when the read began).
 */
function floorNote(run: ChildRun, nodeMs: number | undefined): string {
  try {
    const s = (JSON.parse(run.stdout) as { seconds: { start?: number; read: number; compute: number } }).seconds;
    if (s.start === undefined || nodeMs === undefined) return '';
    const [start, read, compute] = [s.start * 1000, s.read * 1000, s.compute * 1000];
    const ms = (x: number) => `${Math.round(x)} ms`;
    return `; floor: node -e 0 ${ms(nodeMs)}, + modules ${ms(start - nodeMs)}, + read ${ms(read)}, + compute ${ms(compute)}, + output and exit ${ms(run.ms - start - read - compute)}`;
  } catch {
    return '';
  }
}

/** What --json of the CLI says about its read and compute times, for the notes ('' when it says nothing). */
function cliTimes(run: ChildRun): string {
  try {
    const json = JSON.parse(run.stdout) as { ms?: Record<string, number>; seconds?: Record<string, number> };
    const ms = json.ms ?? Object.fromEntries(Object.entries(json.seconds ?? {}).map(([k, s]) => [k, s * 1000]));
    return Object.entries(ms)
      .map(([k, v]) => `${k} ${Number(v.toPrecision(3))} ms`)
      .join(', ');
  } catch {
    return '';
  }
}

export const ioSection: BenchSection = {
  name: SECTION,
  async run() {
    const load0 = loadavg();
    const peers = new Peers();
    const rows: BenchRow[] = [];
    const push = (...r: BenchRow[]) => rows.push(...r);
    // a row that reads the peers' figures: its place now, its figures after the last round of the peers
    const later: (() => void)[] = [];
    const fill = (make: () => BenchRow) => {
      const row = {} as BenchRow;
      rows.push(row);
      later.push(() => Object.assign(row, make()));
    };
    console.log('io: writing or reusing the input files (bench/io-data.ts)');
    const small = tradesCsv(SMALL_TAPE);
    const big = tradesCsv(BIG_TAPE);
    const tape8 = tape8Csv();
    const returns = returnsCsv();
    const [csv, parquet, arrow] = [
      await ioModule<CsvModule>('csv'),
      await ioModule<ParquetModule>('parquet'),
      await ioModule<ArrowModule>('arrow'),
    ];
    const columnsBytes = BIG_TAPE * 3 * 8;
    // the Parquet (zstd) and Arrow IPC files of the tape, by our writers (section 3 reads them), before the peers read them
    const columnar: [string, 'parquet' | 'arrow', string | undefined, string][] = [];
    let tapeTable: Table | undefined;
    const tape = () => (tapeTable ??= tradesTable(BIG_TAPE));
    try {
      if (!parquet) throw new Error('src/io/parquet.ts (branch arrow-parquet) is not merged');
      const path = await writeOnce(`trades-${countLabel(BIG_TAPE)}.parquet`, (p) =>
        parquet.writeParquet(p, tape(), { compression: 'zstd' }),
      );
      columnar.push(['Parquet (zstd)', 'parquet', path, '']);
    } catch (error) {
      columnar.push(['Parquet (zstd)', 'parquet', undefined, reason(error)]);
    }
    try {
      if (!arrow) throw new Error('src/io/arrow.ts (branch arrow-parquet) is not merged');
      const path = await writeOnce(`trades-${countLabel(BIG_TAPE)}.arrow`, (p) => arrow.writeArrow(p, tape()));
      columnar.push(['Arrow IPC', 'arrow', path, '']);
    } catch (error) {
      columnar.push(['Arrow IPC', 'arrow', undefined, reason(error)]);
    }
    tapeTable = undefined;
    // the peers' rounds: one now, one after the library reads, one after the commands end to end
    peers.round();

    // 1. The library read: readCsv, native (2 threads and 1) and the reference.
    const readCase = (label: string, bytes: number) => `readCsv() ${label}, ${size(bytes)}`;
    const bigCase = readCase('10^7 trades', fileBytes(big));
    const smallCase = readCase('2*10^6 trades', fileBytes(small));
    const polarsBig = () => peers.seconds('trades-1e7.csv', 'polars.read_csv');
    if (!csv) {
      push(missing(bigCase, 'native', 'MB/s', 'src/io/csv.ts (branch csv-reference) is not merged'));
    } else {
      // the reference first, on 2*10^6 (once: seconds), then on 10^7 when that takes under 20 s
      let refSmallMs = NaN;
      try {
        refSmallMs = await bestMs(() => csv.readCsv(small, { backend: 'reference' }), 1, false);
        push({ section: SECTION, case: smallCase, subject: 'reference', value: fileBytes(small) / MB / (refSmallMs / 1000), unit: 'MB/s' });
      } catch (error) {
        push(missing(smallCase, 'reference', 'MB/s', reason(error)));
      }
      let nativeSmallMs = NaN;
      try {
        nativeSmallMs = await bestMs(() => csv.readCsv(small, { backend: 'native', threads: 2 }));
        const ms = nativeSmallMs;
        fill(() => ({
          section: SECTION,
          case: smallCase,
          subject: 'native',
          value: fileBytes(small) / MB / (ms / 1000),
          unit: 'MB/s',
          ratio: refSmallMs / ms,
          baseline: 'reference (speed-up)',
          note: `issue 37: the CLI's csv-parse read 5 MB/s; ${peers.note('trades-2e6.csv', PEER_CSV)}`,
        }));
      } catch (error) {
        push(missing(smallCase, 'native', 'MB/s', reason(error)));
      }
      const subjects: [string, ReadOptions, number][] = [
        ['native', { backend: 'native', threads: 2 }, 3],
        ['native, 1 thread', { backend: 'native', threads: 1 }, 3],
      ];
      if (refSmallMs < 4_000) subjects.push(['reference', { backend: 'reference' }, 1]);
      const times: Record<string, number> = {};
      for (const [subject, options, runs] of subjects) {
        try {
          times[subject] = await bestMs(() => csv.readCsv(big, options), runs, runs > 1);
        } catch (error) {
          push(missing(bigCase, subject, 'MB/s', reason(error)));
        }
      }
      for (const [subject] of subjects) {
        const ms = times[subject];
        if (ms === undefined) continue;
        const row: BenchRow = { section: SECTION, case: bigCase, subject, value: fileBytes(big) / MB / (ms / 1000), unit: 'MB/s' };
        if (subject === 'native') {
          if (times.reference) Object.assign(row, { ratio: times.reference / ms, baseline: 'reference (speed-up)' });
          later.push(() => {
            const polars = polarsBig();
            const vsPolars = polars ? `; ${formatRatio(polars / (ms / 1000))} polars' rate` : '';
            row.note = `issue 37's target >= 500 MB/s on 2 threads${vsPolars}; ${peers.note('trades-1e7.csv', PEER_CSV)}`;
          });
        }
        if (subject === 'native, 1 thread' && times.native) {
          Object.assign(row, { ratio: ms / times.native, baseline: '1 thread (speed-up of 2 threads)' });
        }
        if (subject === 'reference') row.note = 'one run';
        push(row, { section: SECTION, case: `readCsv() 10^7 trades, rows/s`, subject, value: BIG_TAPE / (ms / 1000), unit: 'rows/s' });
      }
      // the 8-symbol tape (a text column) and the returns panel (501 columns)
      for (const [label, path, peerFile] of [
        [`8-symbol tape, ${countLabel(TAPE8_ROWS)} rows`, tape8, 'tape8-2e6.csv'],
        ['returns 2520 x 500', returns, 'returns-2520x500.csv'],
      ] as const) {
        const c = readCase(label, fileBytes(path));
        try {
          const ms = await bestMs(() => csv.readCsv(path, { backend: 'native', threads: 2 }));
          fill(() => {
            const polars = peers.seconds(peerFile, 'polars.read_csv');
            const vsPolars = polars ? `${formatRatio(polars / (ms / 1000))} polars' rate; ` : '';
            return {
              section: SECTION,
              case: c,
              subject: 'native',
              value: fileBytes(path) / MB / (ms / 1000),
              unit: 'MB/s',
              note: `${vsPolars}${peers.note(peerFile, PEER_CSV)}`,
            };
          });
        } catch (error) {
          push(missing(c, 'native', 'MB/s', reason(error)));
        }
      }
    }
    // readReturns of the returns panel: the T x N matrix with its dates sorted (target <= 1x polars read_csv)
    const returnsModule = await ioModule<{ readReturns(source: string): Promise<unknown> }>('returns');
    const returnsCase = `readReturns() returns 2520 x 500, ${size(fileBytes(returns))}`;
    try {
      if (!returnsModule) throw new Error('no src/io/returns.ts');
      const ms = await bestMs(() => returnsModule.readReturns(returns));
      fill(() => {
        const polars = peers.seconds('returns-2520x500.csv', 'polars.read_csv');
        return {
          section: SECTION,
          case: returnsCase,
          subject: 'native',
          value: ms,
          unit: 'ms',
          ...(polars ? { ratio: ms / 1000 / polars, baseline: 'polars.read_csv in this run (our time / its time)' } : {}),
          note: `${target(polars ? ms / 1000 / polars : undefined, 1, 'polars read_csv')}; ${peers.note('returns-2520x500.csv', PEER_CSV)}`,
        };
      });
    } catch (error) {
      push(missing(returnsCase, 'native', 'ms', reason(error)));
    }

    // readTrades of the 10^7 CSV: the columns `kernelbus vpin` reads, in a running process
    const trades = await ioModule<{ readTrades(source: string): Promise<unknown> }>('trades');
    const tradesCsvCase = `readTrades() 10^7 trades, CSV, ${size(fileBytes(big))}`;
    try {
      if (!trades) throw new Error('no src/io/trades.ts');
      const ms = await bestMs(() => trades.readTrades(big));
      fill(() => {
        const polars = polarsBig();
        return {
          section: SECTION,
          case: tradesCsvCase,
          subject: 'kernelbus/io',
          value: ms,
          unit: 'ms',
          ...(polars ? { ratio: ms / 1000 / polars, baseline: 'polars.read_csv in this run (our time / its time)' } : {}),
          note: `${target(polars ? ms / 1000 / polars : undefined, 1, 'polars read_csv')}; ${peers.note('trades-1e7.csv', PEER_CSV)}`,
        };
      });
    } catch (error) {
      push(missing(tradesCsvCase, 'kernelbus/io', 'ms', reason(error)));
    }

    peers.round();
    // 2. The commands end to end, as a child process: wall time and peak RSS.
    ensureDist();
    // starting: node -e 0, import 'kernelbus', kernelbus vpin --help (bench/startup.ts)
    const startup = startupRows(SECTION);
    push(...startup);
    const nodeMs = startup.find((r) => r.case.startsWith('starting, wall time') && r.subject === 'node -e 0')?.value;
    /**
     * A command's rows: its best wall time against the peer's read alone (`most`: issue 56's target
     * ratio, none for a row it sets none for), and its peak RSS. `floor`: split the time into Node's own
     * start (node -e 0), the command's modules (--json's seconds.start less that), the read, the compute,
     * and the output and exit (the rest).
     */
    const cliRows = (
      c: string,
      args: string[],
      runs: number,
      against: { file: () => string; reader: string; most?: number },
      rssNote?: string,
      floor = false,
    ) => {
      let run: ChildRun;
      try {
        run = runCli([...args, '--json'], runs);
      } catch (error) {
        push(missing(c, 'kernelbus', 'ms', reason(error)));
        return undefined;
      }
      fill(() => {
        const peer = peers.seconds(against.file(), against.reader);
        const ratio = peer ? run.ms / 1000 / peer : undefined;
        const times = cliTimes(run);
        const pandas = against.reader === 'polars.read_csv' ? peers.seconds(against.file(), 'pandas.read_csv') : undefined;
        const vsPandas = pandas ? `; pandas read_csv ${seconds(pandas)}, ${formatRatio(pandas / (run.ms / 1000))} our time` : '';
        const goal = against.most === undefined ? 'issue 56 sets no target for this row' : target(ratio, against.most, against.reader);
        return {
          section: SECTION,
          case: c,
          subject: 'kernelbus',
          value: run.ms,
          unit: 'ms',
          ...(ratio ? { ratio, baseline: `${against.reader} alone, in this run (our time / its time)` } : {}),
          note: `${runs > 1 ? `best of ${runs}, ` : 'one run, '}wall time of the process${times ? ` (--json: ${times})` : ''}; ${goal}${floor ? floorNote(run, nodeMs) : ''}${vsPandas}${peer ? `; ${against.reader} ${seconds(peer)}` : ''}`,
        };
      });
      push({
        section: SECTION,
        case: c,
        subject: 'kernelbus, peak RSS',
        value: run.maxRss / MB,
        unit: 'MB',
        ...(rssNote ? { ratio: run.maxRss / columnsBytes, baseline: `the columns (${size(columnsBytes)})` } : {}),
        note: rssNote
          ? `${rssNote}: ${run.maxRss <= 1.5 * columnsBytes ? 'met' : 'not met'}; node alone ~45 MB`
          : 'peak RSS of the child (VmHWM)',
      });
      return run;
    };
    const rssTarget = `issue 56 target <= 1.5x the columns (${size(1.5 * columnsBytes)}) plus a bounded buffer`;
    const smallRun = cliRows(`kernelbus vpin, 2*10^6 trades CSV (${size(fileBytes(small))}), end to end`, ['vpin', small], 1, {
      file: () => 'trades-2e6.csv',
      reader: 'polars.read_csv',
    });
    const bigCliCase = `kernelbus vpin, 10^7 trades CSV (${size(fileBytes(big))}), end to end`;
    if (smallRun && smallRun.ms < BIG_CLI_MAX_SMALL_MS) {
      cliRows(bigCliCase, ['vpin', big], 3, { file: () => 'trades-1e7.csv', reader: 'polars.read_csv', most: 1.5 }, rssTarget);
    } else {
      push(
        missing(
          bigCliCase,
          'kernelbus',
          'ms',
          smallRun
            ? `2*10^6 trades took ${(smallRun.ms / 1000).toFixed(1)} s end to end (the CLI's reader before issue 37), 10^7 skipped`
            : 'the CLI failed on 2*10^6',
        ),
      );
    }
    cliRows(
      `kernelbus risk, 2520 x 500 returns CSV (${size(fileBytes(returns))}), end to end`,
      ['risk', returns],
      3,
      { file: () => 'returns-2520x500.csv', reader: 'polars.read_csv', most: 2 },
      undefined,
      true,
    );
    const tableCli = existsSync(join(ROOT, 'src/io/index.ts'));
    const tape8Case = `kernelbus vpin, 8-symbol tape CSV (${size(fileBytes(tape8))}), every symbol, end to end`;
    if (tableCli) {
      cliRows(tape8Case, ['vpin', tape8], 3, { file: () => 'tape8-2e6.csv', reader: 'polars.read_csv' });
    } else push(missing(tape8Case, 'kernelbus', 'ms', 'src/io/index.ts and the CLI on every format (branch table-cli) are not merged'));

    // 3. Parquet (zstd) and Arrow IPC (written before the peers' first round): the reads and `kernelbus vpin` on them.
    const peerReaders = {
      parquet: ['pyarrow.parquet.read_table', 'polars.read_parquet'],
      arrow: ['pyarrow.feather.read_table', 'pyarrow.feather.read_table (memory_map)', 'polars.read_ipc'],
    };
    for (const [label, format, path, why] of columnar) {
      const readCaseName = `read${format === 'parquet' ? 'Parquet' : 'Arrow'}() 10^7 trades, ${label}${path ? `, ${size(fileBytes(path))}` : ''}`;
      const main = peerReaders[format][0];
      const peerOf = () => {
        const peerFile = peers.fileOf('trades-1e7', format);
        return {
          peerSeconds: peerFile && peers.seconds(peerFile.file, main),
          peerNote: peerFile ? `${peers.note(peerFile.file, peerReaders[format])} (written by ${peerFile.writtenBy})` : peers.missing,
        };
      };
      if (!path) {
        push(missing(readCaseName, 'native', 'ms', why));
        continue;
      }
      const reader = format === 'parquet' ? parquet!.readParquet : arrow!.readArrow;
      try {
        const ms = await bestMs(() => reader(path));
        fill(() => {
          const { peerSeconds, peerNote } = peerOf();
          return {
            section: SECTION,
            case: readCaseName,
            subject: 'kernelbus/io',
            value: ms,
            unit: 'ms',
            ...(peerSeconds ? { ratio: ms / 1000 / peerSeconds, baseline: `${main} in this run (our time / its time)` } : {}),
            note: `issue 56 sets no target for this row${format === 'arrow' ? ' (issue 37: no copy of the float64 columns)' : ''}; ${peerNote}`,
          };
        });
      } catch (error) {
        push(missing(readCaseName, 'kernelbus/io', 'ms', reason(error)));
      }
      // readTrades: the trade columns only, as `kernelbus vpin` reads them (issue 56: <= 1.5x pyarrow read_table)
      if (trades) {
        const tradesCase = `readTrades() 10^7 trades, ${label}, ${size(fileBytes(path))}`;
        try {
          const ms = await bestMs(() => trades.readTrades(path));
          fill(() => {
            const { peerSeconds, peerNote } = peerOf();
            return {
              section: SECTION,
              case: tradesCase,
              subject: 'kernelbus/io',
              value: ms,
              unit: 'ms',
              ...(peerSeconds ? { ratio: ms / 1000 / peerSeconds, baseline: `${main} in this run (our time / its time)` } : {}),
              note: `${format === 'parquet' ? target(peerSeconds ? ms / 1000 / peerSeconds : undefined, 1.5, main) : 'issue 56 sets no target for this row'}; ${peerNote}`,
            };
          });
        } catch (error) {
          push(missing(tradesCase, 'kernelbus/io', 'ms', reason(error)));
        }
      }
      // issue 56's table holds both formats to pyarrow's read_table of the Parquet file
      cliRows(
        `kernelbus vpin, 10^7 trades ${label} (${size(fileBytes(path))}), end to end`,
        ['vpin', path],
        3,
        {
          file: () => peers.fileOf('trades-1e7', 'parquet')?.file ?? '',
          reader: 'pyarrow.parquet.read_table',
          most: format === 'parquet' ? 3 : 2,
        },
        rssTarget,
      );
    }

    peers.round();
    for (const make of later) make();
    peers.record();

    // 4. Streaming: readCsvChunks through vpinStream in its own process, its peak RSS.
    const streamPath = STREAM_ROWS === BIG_TAPE ? big : tradesCsv(STREAM_ROWS);
    const streamCase = `readCsvChunks() -> vpinStream, ${countLabel(STREAM_ROWS)} trades (${size(fileBytes(streamPath))}), chunks of 10^6`;
    if (!csv?.readCsvChunks) {
      push(missing(streamCase, 'native', 'MB/s', 'readCsvChunks in src/io/csv.ts (branch csv-reference) is not merged'));
    } else {
      const run = runChild([join(ROOT, 'bench/io-stream.ts'), streamPath, '1000000', String(STREAM_BUCKET_VOLUME)], { tsx: true });
      const ran = `ran ${STREAM_ROWS.toLocaleString('en-US')} rows (KERNELBUS_BENCH_IO_STREAM_ROWS; the issue's target: 10^8 rows, 2.5 GB)`;
      if (run.code !== 0) {
        push(missing(streamCase, 'native', 'MB/s', run.stderr.trim().split('\n').slice(-1)[0] ?? `exit ${run.code}`));
      } else {
        const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { rows: number; chunks: number; buckets: number; seconds: number };
        push(
          {
            section: SECTION,
            case: streamCase,
            subject: 'native',
            value: fileBytes(streamPath) / MB / out.seconds,
            unit: 'MB/s',
            note: `${out.rows.toLocaleString('en-US')} rows in ${out.chunks} chunks, ${out.buckets} buckets, ${out.seconds.toFixed(2)} s; ${ran}`,
          },
          {
            section: SECTION,
            case: streamCase,
            subject: 'peak RSS',
            value: run.maxRss / MB,
            unit: 'MB',
            ratio: run.maxRss / 1e9,
            baseline: 'the target, 1 GB',
            note: `the whole process, tsx's loader included; the columns of the file would be ${size(STREAM_ROWS * 24)}`,
          },
        );
      }
    }

    // 5. Where the figures come from: the peers, and the load of this machine while the section ran.
    const load1 = loadavg();
    push(
      { section: SECTION, case: 'peer figures (notes)', subject: 'python', value: NaN, unit: '', note: peers.describe() },
      {
        section: SECTION,
        case: 'machine load during this section',
        subject: 'load average',
        value: Math.max(load0[0], load1[0]),
        unit: '(1 min)',
        note: `uptime's load average (1, 5, 15 min) at the start ${load0.map((x) => x.toFixed(2)).join(' ')}, at the end ${load1.map((x) => x.toFixed(2)).join(' ')}`,
      },
    );
    return rows;
  },
};
