/**
 * Starting (issue 56, item 1): `node -e 0`, `import 'kernelbus'` and `kernelbus vpin --help` as fresh
 * processes from dist/ (built by ensureDist()), interleaved round by round so that all three see the
 * same load, each the median of its runs: the milliseconds, and the ratio to `node -e 0` with the
 * difference in the note. Target: the root <= 60 ms over `node -e 0`. Each is timed twice over: wall
 * time, and the process's own CPU time (user + system, written at exit by a one-line preload that every
 * start, `node -e 0` too, carries), which a shared machine's load inflates far less than wall time.
 * test/cli/startup.test.ts holds what each start loads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './io-child.js';
import { type BenchRow, startEnv } from './lib.js';

/** Rounds of the three starts (KERNELBUS_BENCH_STARTUP_ROUNDS). */
const ROUNDS = Number(process.env.KERNELBUS_BENCH_STARTUP_ROUNDS ?? 21);

const STARTS: [subject: string, args: string[]][] = [
  ['node -e 0', ['-e', '0']],
  ["import 'kernelbus'", ['--input-type=module', '-e', "await import('kernelbus')"]],
  ['kernelbus vpin --help', [join(ROOT, 'bin/kernelbus.js'), 'vpin', '--help']],
];

/** Writes the process's CPU time (ms) to $KERNELBUS_BENCH_CPU_FILE at exit. */
const CPU_PRELOAD = `data:text/javascript,${encodeURIComponent(
  "import{writeFileSync}from'node:fs';process.on('exit',()=>{const u=process.cpuUsage();writeFileSync(process.env.KERNELBUS_BENCH_CPU_FILE,String((u.user+u.system)/1e3))})",
)}`;

/** Wall and CPU time of one `node <args>` from the package root, ms; throws with its stderr when it fails. */
function start(args: string[], cpuFile: string): { wall: number; cpu: number } {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, ['--import', CPU_PRELOAD, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    env: startEnv({ KERNELBUS_BENCH_CPU_FILE: cpuFile }),
  });
  const wall = performance.now() - t0;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${run.status}: ${run.stderr.trim().slice(0, 500)}`);
  return { wall, cpu: Number(readFileSync(cpuFile, 'utf8')) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** The starts' rows of `section`: medians of ROUNDS interleaved rounds, wall time then CPU time. */
export function startupRows(section: string): BenchRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'kernelbus-bench-startup-'));
  const runs = STARTS.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  try {
    for (let round = 0; round < ROUNDS; round++)
      STARTS.forEach(([, args], i) => {
        const { wall, cpu } = start(args, join(dir, 'cpu'));
        runs[i].wall.push(wall);
        runs[i].cpu.push(cpu);
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return (['wall', 'cpu'] as const).flatMap((kind) => {
    const [node, ...rest] = runs.map((r) => median(r[kind]));
    const c = `starting, ${kind === 'wall' ? 'wall' : 'CPU'} time, median of ${ROUNDS} interleaved runs`;
    return [
      { section, case: c, subject: STARTS[0][0], value: node, unit: 'ms', note: 'node alone: the floor of every start' },
      ...rest.map((ms, i) => ({
        section,
        case: c,
        subject: STARTS[i + 1][0],
        value: ms,
        unit: 'ms',
        ratio: ms / node,
        baseline: `node -e 0 (${node.toFixed(0)} ms)`,
        note: `${(ms - node).toFixed(0)} ms over node -e 0${i === 0 ? `; issue 56 target <= 60 ms over it: ${ms - node <= 60 ? 'met' : 'not met'}` : ''}`,
      })),
    ];
  });
}
