/**
 * `npm run bench -- --against <git ref> [--only <sections>] [--rounds 3] [--confirm 2] [--json <file>]`: this checkout
 * (the head: its working tree, uncommitted changes included) against another commit (the base), in one
 * run on one machine. The base is checked out once into a worktree of its own and its addon built
 * there, both cached by its sha ($KERNELBUS_BENCH_CACHE, default <tmpdir>/kernelbus-bench/<sha>, this
 * checkout's node_modules linked in). Then each round runs the selected sections in both, one after
 * the other, the order alternating (base first in rounds 1, 3, ...): both builds see the same machine.
 * Each build runs its own bench code; rows are matched by section, case and subject (bench/compare.ts),
 * and a row whose head is slower by more than 10 % with the spreads apart is flagged (exit code 1);
 * when rows are, `--confirm` more rounds (default 2) of their sections run first and decide with the others.
 * A section the base has no file of (bench/<name>.ts) runs in the base only when it can load its
 * checkout from KERNELBUS_BENCH_SOURCE (`relocatable`): this checkout's code over the base's sources.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ComparedRow, compareRounds } from './compare.js';
import type { BenchRow, BenchSection } from './lib.js';
import { currentCommit, formatRatio, formatValue, machineMeta } from './results.js';

/** What `--against` was asked. */
export interface AgainstOptions {
  ref: string;
  /** Sections (run.ts's names); every section when undefined. */
  only?: string[];
  /** This checkout's sections (run.ts's list). */
  sections: readonly BenchSection[];
  /** Rounds per build (each runs every selected section once). */
  rounds: number;
  /**
   * Rounds run again when rows are flagged, of the sections those rows are in only, before the verdict:
   * a row stays flagged when it is over all its rounds (0: the first rounds decide).
   */
  confirm: number;
  /** Where to write the comparison as JSON. */
  json?: string;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const git = (args: string[], cwd = root) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The base's worktree with its addon built: made once per sha, reused after. */
function baseTree(sha: string): string {
  const dir = join(process.env.KERNELBUS_BENCH_CACHE ?? join(tmpdir(), 'kernelbus-bench'), sha);
  const done = join(dir, '.kernelbus-bench-built');
  if (existsSync(done)) {
    console.log(`base ${sha.slice(0, 9)}: built before, in ${dir}`);
    return dir;
  }
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true }); // a build that did not finish
  git(['worktree', 'prune']); // and a cache folder deleted by hand: its worktree entry goes too
  git(['worktree', 'add', '--detach', dir, sha]);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  if (spawnSync('git', ['diff', '--quiet', sha, '--', 'package-lock.json'], { cwd: root }).status !== 0) {
    console.log(`base ${sha.slice(0, 9)}: its package-lock.json differs from this checkout's; it runs with this checkout's node_modules`);
  }
  console.log(`base ${sha.slice(0, 9)}: building its addon in ${dir} (once: cached by its sha)`);
  const started = Date.now();
  const build = spawnSync('npm', ['run', 'build:native'], { cwd: dir, encoding: 'utf8' });
  writeFileSync(join(dir, 'bench-build.log'), `${build.stdout}${build.stderr}`);
  if (build.status !== 0)
    throw new Error(`the base's build failed (${join(dir, 'bench-build.log')}):\n${`${build.stdout}${build.stderr}`.slice(-3000)}`);
  writeFileSync(done, `${new Date().toISOString()}\n`);
  console.log(`base ${sha.slice(0, 9)}: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return dir;
}

/**
 * One run of the bench in `dir` (its own bench/run.ts): the rows it measured. `source`: the checkout
 * whose sources a relocatable section loads instead (KERNELBUS_BENCH_SOURCE).
 */
function runOnce(dir: string, only: string[] | undefined, scratch: string, label: string, source?: string): BenchRow[] {
  const out = join(scratch, `${label}.json`);
  const runTs = readFileSync(join(dir, 'bench', 'run.ts'), 'utf8');
  const args = ['--import', 'tsx', 'bench/run.ts', '--json', out];
  if (only) args.push('--only', only.join(','));
  // a bench that can leave bench/results/ alone is told to (older ones write into their worktree)
  if (runTs.includes("'no-write'")) args.push('--no-write');
  const started = Date.now();
  const env = source ? { ...process.env, KERNELBUS_BENCH_SOURCE: source } : process.env;
  const run = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  writeFileSync(join(scratch, `${label}.log`), `${run.stdout}${run.stderr}`);
  if (run.status !== 0)
    throw new Error(`bench ${label} failed (${join(scratch, `${label}.log`)}):\n${`${run.stdout}${run.stderr}`.slice(-3000)}`);
  console.log(`  ${label}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return (JSON.parse(readFileSync(out, 'utf8')) as { rows: BenchRow[] }).rows;
}

const span = (s: ComparedRow['base']) => (s ? `${formatValue(s.median)} (${formatValue(s.min)}-${formatValue(s.max)})` : '-');

/** The comparison as a console table: medians with their spreads, the head's speed (of the medians and of the best rounds), the flags. */
function printTable(rows: ComparedRow[], baseName: string, headName: string): void {
  console.table(
    rows.map((r) => ({
      section: r.section,
      case: r.case,
      subject: r.subject,
      unit: r.unit,
      [`base ${baseName}`]: span(r.base),
      [`head ${headName}`]: span(r.head),
      'head speed': r.speed === undefined ? (r.base ? (r.head ? '' : 'gone') : 'new') : formatRatio(r.speed),
      'best rounds': r.bestSpeed === undefined ? '' : formatRatio(r.bestSpeed),
      flag: r.flagged ? 'SLOWER' : '',
    })),
  );
}

/** Runs the comparison; resolves to the process's exit code (1 when a row is flagged). */
export function runAgainst(options: AgainstOptions): number {
  const sha = git(['rev-parse', '--verify', `${options.ref}^{commit}`]);
  const headName = currentCommit() ?? 'HEAD';
  const baseName = options.ref === sha ? sha.slice(0, 9) : `${options.ref} (${sha.slice(0, 9)})`;
  const dir = baseTree(sha);
  const scratch = mkdtempSync(join(tmpdir(), 'kernelbus-against-'));
  // the sections the base has a file of run in its own code; the others, where relocatable, in this
  // checkout's code over the base's sources
  const wanted = options.sections.filter((s) => !options.only || options.only.includes(s.name));
  const own = wanted.filter((s) => existsSync(join(dir, 'bench', `${s.name}.ts`))).map((s) => s.name);
  const borrowed = wanted.filter((s) => !own.includes(s.name) && s.relocatable).map((s) => s.name);
  for (const s of wanted.filter((s) => !own.includes(s.name) && !s.relocatable)) {
    console.log(`section ${s.name}: the base has none, and it cannot run over the base's sources: head only`);
  }
  if (borrowed.length > 0) console.log(`section(s) ${borrowed.join(', ')}: the base has none; this checkout's code runs over its sources`);
  const runBase = (label: string, names: string[]) => {
    const ownNames = own.filter((n) => names.includes(n));
    const borrowedNames = borrowed.filter((n) => names.includes(n));
    return [
      ...(ownNames.length > 0 ? runOnce(dir, options.only || ownNames.length < own.length ? ownNames : undefined, scratch, label) : []),
      ...(borrowedNames.length > 0 ? runOnce(root, borrowedNames, scratch, `${label}-borrowed`, dir) : []),
    ];
  };
  const base: BenchRow[][] = [];
  const head: BenchRow[][] = [];
  /** Rounds `from`.. `to` - 1 of the sections `names` (all: as asked), the order alternating by round. */
  const runRounds = (from: number, to: number, names: string[], all: boolean) => {
    for (let round = from; round < to; round++) {
      console.log(
        `round ${round + 1} of ${to}${all ? (options.only ? ` (${options.only.join(', ')})` : '') : ` (again: ${names.join(', ')})`}`,
      );
      const order = round % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const);
      for (const side of order) {
        const label = `${side}-${round + 1}`;
        const rows = side === 'base' ? runBase(label, names) : runOnce(root, all ? options.only : names, scratch, label);
        (side === 'base' ? base : head).push(rows);
      }
    }
  };
  const names = wanted.map((s) => s.name);
  runRounds(0, options.rounds, names, true);
  // the sections of the flagged rows, run again (none with --confirm 0)
  const again =
    options.confirm > 0
      ? [
          ...new Set(
            compareRounds(base, head)
              .filter((r) => r.flagged)
              .map((r) => r.section),
          ),
        ]
      : [];
  if (again.length > 0) runRounds(options.rounds, options.rounds + options.confirm, again, false);
  const rows = compareRounds(base, head);
  const rounds =
    again.length > 0 ? `${options.rounds} rounds (${again.join(', ')}: ${options.rounds + options.confirm})` : `${options.rounds} rounds`;
  console.log(`\n## head ${headName} against base ${baseName}: medians of ${rounds} (min-max); head speed > 1 is faster`);
  printTable(rows, baseName, headName);
  const flagged = rows.filter((r) => r.flagged);
  console.log(
    flagged.length === 0
      ? 'no row is slower beyond the spread'
      : `${flagged.length} row(s) slower by more than 10 % beyond the spread: ${flagged.map((r) => `${r.section} / ${r.case} / ${r.subject}`).join('; ')}`,
  );
  if (options.json) {
    const result = {
      meta: machineMeta(),
      base: { ref: options.ref, sha },
      head: headName,
      rounds: options.rounds,
      confirmed: again.length > 0 ? { sections: again, rounds: options.confirm } : null,
      only: options.only ?? null,
      rows,
    };
    writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${options.json}`);
  }
  console.log(`the runs' logs: ${scratch}`);
  return flagged.length > 0 ? 1 : 0;
}
