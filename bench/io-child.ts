/**
 * The io bench's end-to-end runs: a command as a child process (`node bin/kernelbus.js vpin ...`, or
 * a bench script under tsx), its wall time from spawn to exit and its peak RSS, which the child
 * reports itself at exit (bench/io-rss.mjs, preloaded: VmHWM on Linux). The CLI runs
 * from dist/: ensureDist() rebuilds it first when a source file is newer.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEnv } from './lib.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./io-rss.mjs', import.meta.url));

/** One run of a child: wall time, peak RSS, what it printed and its exit code. */
export interface ChildRun {
  ms: number;
  /** Peak resident set size in bytes (NaN when the child did not report it). */
  maxRss: number;
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Runs `node [--import tsx] --import io-rss.mjs ...args` in the repository root and waits for it.
 * `tsx`: for a TypeScript script (its loader's own memory counts in the RSS).
 */
export function runChild(args: string[], { tsx = false, timeoutMs = 600_000 } = {}): ChildRun {
  const dir = mkdtempSync(join(tmpdir(), 'kernelbus-bench-rss-'));
  const rssFile = join(dir, 'maxrss');
  try {
    const argv = [...(tsx ? ['--import', 'tsx'] : []), '--import', PRELOAD, ...args];
    const t0 = performance.now();
    const r = spawnSync(process.execPath, argv, {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
      timeout: timeoutMs,
      env: startEnv({ KERNELBUS_BENCH_RSS_FILE: rssFile }),
    });
    const ms = performance.now() - t0;
    let maxRss = NaN;
    try {
      maxRss = Number(readFileSync(rssFile, 'utf8')) * 1024;
    } catch {
      // the child died before its exit handler
    }
    return { ms, maxRss, stdout: r.stdout ?? '', stderr: r.stderr ?? '', code: r.status ?? -1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The newest modification time under a folder (ms), 0 for none. */
function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) t = Math.max(t, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return t;
}

/**
 * Compiles src/ to dist/ (tsc -p tsconfig.build.json, then scripts/bundle.mjs, as `npm run build:ts`)
 * when dist/cli/main.js is missing or older than a source file. tsc writes dist/ despite type errors:
 * those are printed, and the CLI runs say what fails.
 */
export function ensureDist(): void {
  let built = 0;
  try {
    built = statSync(join(ROOT, 'dist/cli/main.js')).mtimeMs;
  } catch {
    // not built
  }
  if (built > newest(join(ROOT, 'src'))) return;
  console.log('io: compiling src/ to dist/ for bin/kernelbus.js (tsc -p tsconfig.build.json)');
  const r = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) console.warn(`io: tsc -p tsconfig.build.json reported errors:\n${`${r.stdout}${r.stderr}`.slice(0, 2000)}`);
  const bundle = spawnSync(process.execPath, ['scripts/bundle.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (bundle.status !== 0) throw new Error(`io: scripts/bundle.mjs failed:\n${bundle.stderr}`);
}

/**
 * Runs `kernelbus <args>` (bin/kernelbus.js) `runs` times: the fastest run, and the highest peak RSS
 * of all of them. Throws with the child's stderr when it fails.
 */
export function runCli(args: string[], runs = 1): ChildRun {
  let best: ChildRun | undefined;
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    const run = runChild([join(ROOT, 'bin/kernelbus.js'), ...args]);
    if (run.code !== 0) throw new Error(`kernelbus ${args.join(' ')} exited with ${run.code}: ${run.stderr.trim().slice(0, 500)}`);
    peak = Math.max(peak, run.maxRss);
    if (!best || run.ms < best.ms) best = run;
  }
  return { ...best!, maxRss: peak };
}
