/**
 * The Python peers' figures of the io bench, for its notes: bench/peers/io.json, written by hand with
 * `/work/venv/bin/python bench/peers/io.py --out bench/peers/io.json` on the files of bench/io-data.ts
 * (best of 5 after a warm-up; the date, machine, load and versions are in the file and in the io
 * section's 'peers' row). No bench or test runs Python: a missing file leaves the notes without peers.
 */
import { readFileSync } from 'node:fs';

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

/** The contents of bench/peers/io.json. */
export interface PeerFigures {
  date: string;
  machine: { cpu: string; cores: number; loadAverage: number[]; platform: string };
  versions: Record<string, string>;
  runs: number;
  results: PeerResult[];
}

/** bench/peers/io.json, or undefined when it has not been written. */
export function loadPeers(): PeerFigures | undefined {
  try {
    return JSON.parse(readFileSync(new URL('./peers/io.json', import.meta.url), 'utf8')) as PeerFigures;
  } catch {
    return undefined;
  }
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
  constructor(readonly figures: PeerFigures | undefined) {}

  /** One reader's best time on a file, in seconds. */
  seconds(file: string, reader: string): number | undefined {
    return this.figures?.results.find((r) => r.file === file && r.reader === reader)?.seconds;
  }

  /** The file the peers read for a format of a tape ('trades-1e7', 'parquet'): ours, or pyarrow's where ours was not written yet. */
  fileOf(stem: string, format: 'parquet' | 'arrow'): PeerResult | undefined {
    return this.figures?.results.find((r) => r.format === format && r.file.startsWith(`${stem}.`));
  }

  /** 'peers on <file>: polars 0.357 s, pyarrow 0.409 s, pandas 2.30 s (bench/peers/io.json)', or '' without figures. */
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
    if (!f) return 'no peer figures: run bench/peers/io.py --out bench/peers/io.json (by hand; no bench runs Python)';
    const versions = Object.entries(f.versions)
      .map(([name, v]) => `${name} ${v}`)
      .join(', ');
    return (
      `bench/peers/io.py, ${f.date.slice(0, 16).replace('T', ' ')} UTC, best of ${f.runs}, on ${f.machine.cpu}, ` +
      `${f.machine.cores} cores, load average ${f.machine.loadAverage.join(' ')}; ${versions}`
    );
  }
}
