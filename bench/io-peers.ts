/**
 * The Python peers of the io bench, timed in the same run (issue 71): bench/peers/io.py (polars,
 * pyarrow, pandas) in a child process, one round at a time (a warm-up read and one timed read of
 * each file by each reader), run by bench/io.ts between blocks of its own reads; each reader's figure
 * is its median over the rounds. Where the peers are not installed (npm run bench:peers) or fail, the
 * rows give no ratio and the 'peers' row says why.
 */
import { peerSpawnSync } from './spawner.js';
import { INSTALL_HINT, PeerWaits, peerPython, peerScript, recordPeers } from './peer-env.js';
import { IO_DATA_DIR } from './io-data.js';

/** One reader timed on one file. */
export interface PeerResult {
  file: string;
  format: 'csv' | 'parquet' | 'arrow';
  writtenBy: string;
  bytes: number;
  reader: string;
  /** Best of `runs`, seconds. */
  seconds: number;
  runs: number[];
  mbPerSecond: number;
}

/** What bench/peers/io.py prints: one round, or the medians of the rounds so far. */
export interface PeerFigures {
  date: string;
  machine: { cpu: string; cores: number; loadAverage: number[]; platform: string };
  versions: Record<string, string>;
  runs: number;
  results: PeerResult[];
}

/** The short names of the peers in notes. */
const SHORT: Record<string, string> = {
  'pandas.read_csv': 'pandas',
  'polars.read_csv': 'polars',
  'pyarrow.csv.read_csv': 'pyarrow',
  'pyarrow.parquet.read_table': 'pyarrow read_table',
  'polars.read_parquet': 'polars read_parquet',
  'pyarrow.feather.read_table': 'pyarrow feather',
  'pyarrow.feather.read_table (memory_map)': 'pyarrow feather mmap',
  'polars.read_ipc': 'polars read_ipc',
};

/** Seconds as the notes print them: '0.357 s', '2.30 s', '8.2 ms'. */
export function seconds(s: number): string {
  return s < 0.01 ? `${Number((s * 1000).toPrecision(2))} ms` : `${Number(s.toPrecision(3))} s`;
}

/** The peers' readings of the files whose name starts with `prefix` (e.g. 'trades-1e7.' for its CSV, Parquet and Arrow). */
export class Peers {
  figures: PeerFigures | undefined;
  /** Why the peers were not measured ('' when they were). */
  missing = '';
  /** Each round's seconds per file and reader. */
  private readonly times = new Map<string, number[]>();
  private readonly python = peerPython('/work/venv/bin/python');
  /** Each round is followed by the wait for the cores to be quiet; the readers keep all their threads (polars' and pyarrow's CSV readers use every core). */
  private readonly waits = new PeerWaits();

  constructor() {
    if (!this.python) this.missing = `peer not measured: polars, pyarrow and pandas are not installed here; ${INSTALL_HINT}`;
  }

  /**
   * One round of the peers (bench/peers/io.py --runs 1 on the bench's files), then the wait for the
   * cores to be quiet before ours; figures become the medians so far.
   */
  round(): void {
    const python = this.python;
    if (!python || this.missing) return;
    const r = this.waits.round((env) =>
      peerSpawnSync(python, [peerScript('io.py'), '--dir', IO_DATA_DIR, '--runs', '1'], {
        encoding: 'utf8',
        maxBuffer: 16 << 20,
        timeout: 15 * 60_000,
        env,
      }),
    );
    if (r.status !== 0) {
      this.missing = `peer not measured: bench/peers/io.py failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-1)[0]}`;
      this.figures = undefined;
      return;
    }
    const round = JSON.parse(r.stdout) as PeerFigures;
    for (const x of round.results) {
      const key = `${x.file}\u0000${x.reader}`;
      this.times.set(key, [...(this.times.get(key) ?? []), x.seconds]);
    }
    const rounds = (this.figures?.runs ?? 0) + 1;
    this.figures = {
      ...round,
      runs: rounds,
      results: round.results.map((x) => {
        const xs = [...(this.times.get(`${x.file}\u0000${x.reader}`) ?? [])].sort((a, b) => a - b);
        const seconds = xs[Math.floor(xs.length / 2)];
        return { ...x, seconds, runs: xs, mbPerSecond: x.bytes / 1e6 / seconds };
      }),
    };
  }

  /** Records the peers' versions (or why they were not measured) for the section's header. */
  record(): void {
    const f = this.figures;
    recordPeers(
      'io',
      f
        ? `${Object.entries(f.versions)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')} (bench/peers/io.py)`
        : this.missing,
    );
  }

  /** One reader's best time on a file, in seconds. */
  seconds(file: string, reader: string): number | undefined {
    return this.figures?.results.find((r) => r.file === file && r.reader === reader)?.seconds;
  }

  /** The file the peers read for a format of a tape ('trades-1e7', 'parquet'): ours, or pyarrow's where ours was not written yet. */
  fileOf(stem: string, format: 'parquet' | 'arrow'): PeerResult | undefined {
    return this.figures?.results.find((r) => r.format === format && r.file.startsWith(`${stem}.`));
  }

  /** 'peers on <file>: polars 0.357 s, pyarrow 0.409 s, pandas 2.30 s', or '' without figures. */
  note(file: string, readers: string[]): string {
    const parts = readers.flatMap((reader) => {
      const s = this.seconds(file, reader);
      return s === undefined ? [] : [`${SHORT[reader] ?? reader} ${seconds(s)}`];
    });
    return parts.length === 0 ? '' : `peers on ${file}: ${parts.join(', ')}`;
  }

  /** What the 'peers' row says: where, when and with what the figures were measured. */
  describe(): string {
    const f = this.figures;
    if (!f) return this.missing || 'peer not measured: no round ran';
    const versions = Object.entries(f.versions)
      .map(([name, v]) => `${name} ${v}`)
      .join(', ');
    return (
      `bench/peers/io.py in a child process, timed in this run: median of ${f.runs} rounds (a warm-up read and one timed read each) ` +
      `between blocks of ours, ${this.waits.note()}, on ${f.machine.cpu}, ${f.machine.cores} cores; ${versions}`
    );
  }
}
