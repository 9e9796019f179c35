/**
 * Bench results as data: each section's rows and the machine they were measured on, written by run.ts
 * to bench/results/<section>.json (the data, committed) and bench/results/<section>.md (the same rows
 * as a Markdown table), and read back by readme.ts. The number formatting of every bench table lives
 * here too, so the console, the .md files and the README print a figure the same way.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem, type } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadNative } from '../src/backends/native/binding.js';
import type { BenchRow } from './lib.js';
import { recordedPeers } from './peer-env.js';

/** The folder of the results files. */
export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** Where and when a section was measured. */
export interface BenchMeta {
  /** ISO time the section finished. */
  date: string;
  /** process.version, e.g. 'v20.19.5'. */
  node: string;
  /** `${process.platform}-${process.arch}`. */
  platform: string;
  /** Model of the first CPU, as the OS names it. */
  cpu: string;
  /** Logical CPUs. */
  cores: number;
  /** Total memory in bytes. */
  memory: number;
  /** OS name and kernel release, e.g. 'Linux 6.8.0'. */
  os: string;
  /** The commit measured (`git rev-parse --short HEAD`), '+changes' when the tracked files differed from it. */
  commit?: string;
  /** The command that measured the section (and reproduces it), e.g. 'npm run bench -- --only vpin'. */
  command?: string;
  /** The 1-minute load average when the section finished (a shared VM's other work). */
  load?: number;
  /**
   * The peers the section timed in this run, with their versions (or why one was not measured), as
   * the section recorded them (peer-env.ts recordPeers); absent for a section with no peers.
   */
  peers?: string;
  /**
   * Whether the native addon advised fresh outputs onto huge pages in the bench's process, and why
   * ('off (the VM reports free memory to its host)': docs/backends.md, "Huge pages"); absent without it.
   */
  hugePages?: string;
  /**
   * True in results written before the commit was recorded: `commit` is then the commit that added
   * the results file (they were measured at it or before), and `command` the section's command.
   */
  committed?: boolean;
}

/** The contents of bench/results/<section>.json. */
export interface SectionResults {
  section: string;
  meta: BenchMeta;
  rows: BenchRow[];
}

/** The commit checked out ('+changes' when tracked files differ from it), or undefined outside git. */
export function currentCommit(): string | undefined {
  const root = fileURLToPath(new URL('..', import.meta.url));
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') === '' ? head : `${head}+changes`;
  } catch {
    return undefined;
  }
}

/** The addon's huge-page decision here (features().hugePages), or undefined where it does not load. */
function hugePagesNote(): string | undefined {
  const f = loadNative().binding?.features();
  if (!f) return undefined;
  const env = process.env.KERNELBUS_HUGE_PAGES;
  const why =
    env === '0' || env === '1' ? ` (KERNELBUS_HUGE_PAGES=${env})` : f.hugePages ? '' : ' (the VM reports free memory to its host)';
  return `huge pages ${f.hugePages ? 'on' : 'off'}${why}`;
}

/** This machine, now; `section`: the section measured (its command is recorded). */
export function machineMeta(section?: string): BenchMeta {
  const cpu = cpus();
  const peers = section ? recordedPeers(section) : undefined;
  return {
    ...(section ? { command: `npm run bench -- --only ${section}` } : {}),
    ...(peers ? { peers } : {}),
    commit: currentCommit(),
    load: Number(loadavg()[0].toFixed(2)),
    hugePages: hugePagesNote(),
    date: new Date().toISOString(),
    node: process.version,
    platform: `${platform()}-${arch()}`,
    cpu: cpu[0]?.model.trim() || 'unknown CPU',
    cores: cpu.length,
    memory: totalmem(),
    os: `${type()} ${release()}`,
  };
}

/**
 * 'measured by `<command>` at commit <hash> on <CPU>, <cores> cores, Node <v>, <date>, load <l>': the
 * line under every table ('results committed in <hash>' for results older than the record of commits).
 */
export function machineLine(meta: BenchMeta): string {
  const how = meta.command ? `by \`${meta.command}\` ` : '';
  const commit = meta.commit ? (meta.committed ? `(results committed in ${meta.commit}) ` : `at commit ${meta.commit} `) : '';
  const load = meta.load === undefined ? '' : `, load ${meta.load}`;
  return `measured ${how}${commit}on ${meta.cpu}, ${meta.cores} cores, Node ${meta.node.replace(/^v/, '')}, ${meta.date.slice(0, 10)}${load}`;
}

/** Three significant digits, no trailing zeros. */
function sig3(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/**
 * A figure for a table: 3 significant digits, 'M' from a million, 'k' from 10,000, digit grouping in
 * between ('4.12 M', '14.8 k', '6,680', '0.43'); 'n/a' for what JSON could not hold (NaN, Infinity).
 */
export function formatValue(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${sig3(value / 1e6)} M`;
  if (abs >= 1e4) return `${sig3(value / 1e3)} k`;
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  return sig3(value);
}

/** A ratio: '614x', '19.0x', '9.21x', '0.052x'. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  if (ratio >= 100) return `${Math.round(ratio)}x`;
  if (ratio >= 10) return `${ratio.toFixed(1)}x`;
  if (ratio >= 1) return `${ratio.toFixed(2)}x`;
  return `${sig3(ratio)}x`;
}

/** A row's ratio to its baseline, e.g. '9.49x reference'; '' for none and for the baseline itself. */
export function formatRowRatio(row: BenchRow): string {
  if (row.ratio === undefined || row.subject === row.baseline) return '';
  return row.baseline ? `${formatRatio(row.ratio)} ${row.baseline}` : formatRatio(row.ratio);
}

/** A row's value with its unit. */
export function formatFigure(row: BenchRow): string {
  return `${formatValue(row.value)} ${row.unit}`;
}

/** Text safe inside a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** One Markdown table from a header and rows of cells. */
export function markdownTable(header: string[], body: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}

/** bench/results/<section>.md: every row of the section (case, subject, value, ratio, note) and the machine. */
export function sectionMarkdown({ section, meta, rows }: SectionResults): string {
  const body = rows.map((r) => [r.case, r.subject, formatFigure(r), formatRowRatio(r), r.note ?? '']);
  return [
    `<!-- Generated by bench/run.ts from ${section}.json: rerun \`npm run bench -- --only ${section}\`, do not edit. -->`,
    `# Bench: ${section}`,
    '',
    ...(meta.command ? [`Command: \`${meta.command}\` (peers installed by \`npm run bench:peers\`).`, ''] : []),
    ...(meta.peers ? [`Peers, timed in this run in a child process (or why not): ${meta.peers}.`, ''] : []),
    markdownTable(['case', 'subject', 'value', 'ratio', 'note'], body),
    '',
    `${machineLine(meta)} (${meta.platform}, ${meta.os}, ${(meta.memory / 2 ** 30).toFixed(1)} GiB memory${meta.hugePages ? `, ${meta.hugePages}` : ''}).`,
    '',
  ].join('\n');
}

/** Writes bench/results/<section>.json and .md; returns their paths. */
export function writeSection(results: SectionResults): string[] {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${RESULTS_DIR}${results.section}.json`;
  const md = `${RESULTS_DIR}${results.section}.md`;
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(md, sectionMarkdown(results));
  return [json, md];
}

/**
 * The figures bench/results/<section>.json holds that writing `rows` would lose: each row measured there
 * (a finite value) that this run has with no figure (a peer not installed, a server missing), as
 * 'case / subject'.
 */
export function lostFigures(section: string, rows: BenchRow[]): string[] {
  const saved = readSection(section);
  if (!saved) return [];
  const key = (r: BenchRow) => `${r.case} / ${r.subject}`;
  const now = new Map(rows.map((r) => [key(r), r.value]));
  return saved.rows.filter((r) => Number.isFinite(r.value) && now.has(key(r)) && !Number.isFinite(now.get(key(r)))).map(key);
}

/** The sections that have a results file. */
export function savedSections(): string[] {
  try {
    return readdirSync(RESULTS_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}

/** Reads bench/results/<section>.json (undefined when there is none). */
export function readSection(section: string): SectionResults | undefined {
  let text: string;
  try {
    text = readFileSync(`${RESULTS_DIR}${section}.json`, 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as SectionResults;
}
