/**
 * readReturns of the bench's wide returns file (bench/io-data.ts, 2,520 x 500 with a date column),
 * this checkout (head) against another checkout of the repository (base, its addon built), in one run:
 * rounds alternate which goes first. Each round, per checkout: a child process that reads the file
 * once to warm up and then `reads` times, timed in process (performance.now), and `kernelbus risk
 * <file> --json` `cli` times, timed as a whole process (spawn to exit; the checkout's dist/ must be
 * built: `npx tsc -p tsconfig.build.json`). Prints the medians, head / base, and polars' read_csv of
 * the same file from bench/peers/io.json.
 * Usage: tsx bench/returns-ab.ts <base checkout> [rounds=5] [reads=9] [cli=3]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { returnsCsv } from './io-data.js';

const head = resolve(fileURLToPath(new URL('..', import.meta.url)));
const [baseArg, roundsArg = '5', readsArg = '9', cliArg = '3'] = process.argv.slice(2);
if (!baseArg) throw new Error('usage: tsx bench/returns-ab.ts <base checkout> [rounds] [reads] [cli]');
const base = resolve(baseArg);
const [rounds, reads, cliRuns] = [roundsArg, readsArg, cliArg].map(Number);
const file = returnsCsv();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** `reads` timed readReturns calls in a fresh process of `dir`'s code (ms each). */
function inProcess(dir: string): number[] {
  const script = `
    const { readReturns } = await import(${JSON.stringify(join(dir, 'src/io/returns.ts'))});
    const r = await readReturns(${JSON.stringify(file)});
    if (r.returns.rows !== 2520 || r.returns.cols !== 500) throw new Error('shape ' + r.returns.rows + ' x ' + r.returns.cols);
    const ms = [];
    for (let i = 0; i < ${reads}; i++) {
      const t = performance.now();
      await readReturns(${JSON.stringify(file)});
      ms.push(performance.now() - t);
    }
    console.log(JSON.stringify(ms));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${dir}: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() as string);
}

/** `kernelbus risk <file> --json` of `dir`, wall ms of the whole process. */
function wholeCommand(dir: string): number[] {
  const ms: number[] = [];
  for (let i = 0; i < cliRuns; i++) {
    const t = performance.now();
    const run = spawnSync(process.execPath, [join(dir, 'bin/kernelbus.js'), 'risk', file, '--json'], { cwd: dir, encoding: 'utf8' });
    ms.push(performance.now() - t);
    if (run.status !== 0) throw new Error(`${dir}: kernelbus risk exited ${run.status}: ${run.stderr.slice(0, 500)}`);
  }
  return ms;
}

const times = { base: { read: [] as number[], cli: [] as number[] }, head: { read: [] as number[], cli: [] as number[] } };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const);
  for (const who of order) {
    const dir = who === 'base' ? base : head;
    times[who].read.push(median(inProcess(dir)));
    times[who].cli.push(median(wholeCommand(dir)));
  }
  console.log(`round ${round + 1}: read base ${times.base.read.at(-1)!.toFixed(1)} head ${times.head.read.at(-1)!.toFixed(1)} ms; ` +
    `cli base ${times.base.cli.at(-1)!.toFixed(0)} head ${times.head.cli.at(-1)!.toFixed(0)} ms`);
}
const peers = JSON.parse(readFileSync(join(head, 'bench/peers/io.json'), 'utf8')) as {
  results: { file: string; reader: string; seconds: number; runs: number[] }[];
};
const polars = peers.results.find((r) => r.file === 'returns-2520x500.csv' && r.reader === 'polars.read_csv');
const polarsMs = polars ? median(polars.runs) * 1000 : Number.NaN;
for (const what of ['read', 'cli'] as const) {
  const [b, h] = [median(times.base[what]), median(times.head[what])];
  console.log(
    `${what === 'read' ? 'readReturns in process' : 'kernelbus risk, whole process'}: base ${b.toFixed(1)} ms, head ${h.toFixed(1)} ms, ` +
      `head/base ${(h / b).toFixed(3)}; polars read_csv (median of its runs) ${polarsMs.toFixed(1)} ms: head ${(h / polarsMs).toFixed(2)}x polars`,
  );
}
console.log(`load average ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
