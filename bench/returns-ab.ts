/**
 * readReturns of the bench's wide returns file (bench/io-data.ts, 2,520 x 500 with a date column),
 * this checkout (head) against another checkout of the repository (base, its addon built), in one run:
 * rounds alternate which goes first. Each round, per checkout: a child process that reads the file
 * once to warm up and then `reads` times, timed in process (wall: performance.now; CPU: the
 * process's user + system time, every thread), and `kernelbus risk <file> --json` `cli` times, timed
 * as a whole process (wall and CPU by /usr/bin/time; the checkout's dist/ must be built: `npx tsc -p
 * tsconfig.build.json`). CPU time is there because this machine is shared: wall time stretches with
 * the load, CPU time much less. Prints the medians, head / base, and Python polars' read_csv of the
 * same file timed in the same rounds (a child process of the peers' python, peer-env.ts; `npm run
 * bench:peers` installs it; without it, no polars figure).
 * With KERNELBUS_POLARS_JS set to an installed nodejs-polars (npm: nodejs-polars and its platform
 * package; the same Rust CSV reader as Python's polars), each round also times its readCSV of the file
 * in a child process the same way: polars under the same load as the two checkouts. After each polars
 * child the round waits for the cores to be quiet (its reader's threads, its exit: peer-env.ts
 * PeerWaits; polars keeps all its threads) before the checkouts' children start.
 * Usage: tsx bench/returns-ab.ts <base checkout> [rounds=5] [reads=9] [cli=3]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { returnsCsv } from './io-data.js';
import { PeerWaits, peerPython } from './peer-env.js';

const head = resolve(fileURLToPath(new URL('..', import.meta.url)));
const [baseArg, roundsArg = '5', readsArg = '9', cliArg = '3'] = process.argv.slice(2);
if (!baseArg) throw new Error('usage: tsx bench/returns-ab.ts <base checkout> [rounds] [reads] [cli]');
const base = resolve(baseArg);
const [rounds, reads, cliRuns] = [roundsArg, readsArg, cliArg].map(Number);
const file = returnsCsv();
/** The waits after the polars children (Python's and nodejs-polars'). */
const waits = new PeerWaits();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Wall and CPU ms of each run. */
interface Timed {
  wall: number[];
  cpu: number[];
}

/** `reads` timed readReturns calls in a fresh process of `dir`'s code. */
function inProcess(dir: string): Timed {
  const script = `
    const { readReturns } = await import(${JSON.stringify(join(dir, 'src/io/returns.ts'))});
    const r = await readReturns(${JSON.stringify(file)});
    if (r.returns.rows !== 2520 || r.returns.cols !== 500) throw new Error('shape ' + r.returns.rows + ' x ' + r.returns.cols);
    const wall = [], cpu = [];
    for (let i = 0; i < ${reads}; i++) {
      const t = performance.now();
      const c = process.cpuUsage();
      await readReturns(${JSON.stringify(file)});
      const used = process.cpuUsage(c);
      wall.push(performance.now() - t);
      cpu.push((used.user + used.system) / 1000);
    }
    console.log(JSON.stringify({ wall, cpu }));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${dir}: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() as string);
}

/** `reads` timed nodejs-polars readCSV calls of the file in a fresh process (KERNELBUS_POLARS_JS). */
function polarsInProcess(module: string): Timed {
  const script = `
    const pl = require(${JSON.stringify(module)});
    pl.readCSV(${JSON.stringify(file)});
    const wall = [], cpu = [];
    for (let i = 0; i < ${reads}; i++) {
      const t = performance.now();
      const c = process.cpuUsage();
      const df = pl.readCSV(${JSON.stringify(file)});
      const used = process.cpuUsage(c);
      wall.push(performance.now() - t);
      cpu.push((used.user + used.system) / 1000);
      if (df.height !== 2520 || df.width !== 501) throw new Error('shape ' + df.height + ' x ' + df.width);
    }
    console.log(JSON.stringify({ wall, cpu }));`;
  const run = waits.round((env) => spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env }));
  if (run.status !== 0) throw new Error(`nodejs-polars: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() as string);
}

/** `reads` timed Python polars.read_csv calls of the file in a fresh process of the peers' python (wall; CPU: every thread). */
function polarsPython(python: string): Timed {
  const script = `
import json, sys, time, polars
f = sys.argv[1]
polars.read_csv(f)
wall, cpu = [], []
for _ in range(${reads}):
    t, c = time.perf_counter(), time.process_time()
    df = polars.read_csv(f)
    cpu.append((time.process_time() - c) * 1000)
    wall.append((time.perf_counter() - t) * 1000)
assert df.shape == (2520, 501), df.shape
print(json.dumps({"wall": wall, "cpu": cpu}))`;
  const run = waits.round((env) => spawnSync(python, ['-c', script, file], { encoding: 'utf8', env }));
  if (run.status !== 0) throw new Error(`polars: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() as string);
}

/** `kernelbus risk <file> --json` of `dir`: the whole process's wall and CPU ms (/usr/bin/time). */
function wholeCommand(dir: string): Timed {
  const out: Timed = { wall: [], cpu: [] };
  for (let i = 0; i < cliRuns; i++) {
    const args = ['-f', 'TIME %e %U %S', process.execPath, join(dir, 'bin/kernelbus.js'), 'risk', file, '--json'];
    const run = spawnSync('/usr/bin/time', args, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Error(`${dir}: kernelbus risk exited ${run.status}: ${run.stderr.slice(0, 500)}`);
    const [wall, user, system] = (run.stderr.match(/TIME (\S+) (\S+) (\S+)/) as RegExpMatchArray).slice(1).map(Number);
    out.wall.push(wall * 1000);
    out.cpu.push((user + system) * 1000);
  }
  return out;
}

type Series = 'read wall' | 'read cpu' | 'cli wall' | 'cli cpu';
const SERIES: Series[] = ['read wall', 'read cpu', 'cli wall', 'cli cpu'];
const times = { base: {} as Record<Series, number[]>, head: {} as Record<Series, number[]> };
for (const who of ['base', 'head'] as const) for (const s of SERIES) times[who][s] = [];
const polarsJs = process.env.KERNELBUS_POLARS_JS;
const polarsHere = { wall: [] as number[], cpu: [] as number[] };
const python = peerPython('/work/venv/bin/python');
const polarsPy = { wall: [] as number[], cpu: [] as number[] };
for (let round = 0; round < rounds; round++) {
  if (python) {
    const p = polarsPython(python);
    polarsPy.wall.push(median(p.wall));
    polarsPy.cpu.push(median(p.cpu));
  }
  const order = round % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const);
  if (polarsJs) {
    const p = polarsInProcess(polarsJs);
    polarsHere.wall.push(median(p.wall));
    polarsHere.cpu.push(median(p.cpu));
    console.log(
      `round ${round + 1} (ms): nodejs-polars readCSV wall ${polarsHere.wall.at(-1)!.toFixed(1)}, cpu ${polarsHere.cpu.at(-1)!.toFixed(1)}`,
    );
  }
  for (const who of order) {
    const dir = who === 'base' ? base : head;
    const read = inProcess(dir);
    const cli = wholeCommand(dir);
    times[who]['read wall'].push(median(read.wall));
    times[who]['read cpu'].push(median(read.cpu));
    times[who]['cli wall'].push(median(cli.wall));
    times[who]['cli cpu'].push(median(cli.cpu));
  }
  const last = (who: 'base' | 'head') => SERIES.map((s) => `${s} ${times[who][s].at(-1)!.toFixed(1)}`).join(', ');
  console.log(`round ${round + 1} (ms): base ${last('base')}; head ${last('head')}`);
}
for (const s of SERIES) {
  const [b, h] = [median(times.base[s]), median(times.head[s])];
  const label = s.startsWith('read') ? `readReturns in process, ${s.slice(5)}` : `kernelbus risk whole process, ${s.slice(4)}`;
  const here = polarsJs ? median(s.endsWith('wall') ? polarsHere.wall : polarsHere.cpu) : Number.NaN;
  const vsHere = polarsJs ? `; nodejs-polars readCSV this run ${here.toFixed(1)} ms: head ${(h / here).toFixed(2)}x` : '';
  const polarsMs = python ? median(s.endsWith('wall') ? polarsPy.wall : polarsPy.cpu) : Number.NaN;
  const vsPolars = python
    ? `polars read_csv this run ${polarsMs.toFixed(1)} ms: head ${(h / polarsMs).toFixed(2)}x`
    : 'polars read_csv: peer not measured (npm run bench:peers installs it)';
  console.log(`${label}: base ${b.toFixed(1)} ms, head ${h.toFixed(1)} ms, head/base ${(h / b).toFixed(3)}; ` + `${vsPolars}${vsHere}`);
}
if (waits.waits.length > 0) console.log(`polars: ${waits.note()}`);
console.log(`load average ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
