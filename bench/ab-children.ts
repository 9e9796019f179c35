/**
 * The driver of the hand-run A/B scripts (bench/features-*-ab.ts): `self` run as a child process with
 * `--child <checkout> <runs>` for this checkout (head) and another (base, its addon built), `rounds`
 * times, the rounds alternating which side goes first (both see the same machine); each child prints
 * its timings as JSON on its last line. `npm run bench -- --against` is the general tool; these
 * scripts add what it does not (CPU time, digests of the outputs).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This checkout's root. */
export const headRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The median of `xs` (the upper one of an even count). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `run` once to warm up, then the best wall and CPU time (user + system, every thread) of `runs` calls, in ms. */
export function bestWallCpu(run: () => unknown, runs: number): { wall: number; cpu: number } {
  let wall = Number.POSITIVE_INFINITY;
  let cpu = Number.POSITIVE_INFINITY;
  run();
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    wall = Math.min(wall, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  return { wall, cpu };
}

/** Each side's children's outputs, in round order. */
export function alternateChildren<T>(self: string, baseArg: string, rounds: number, runs: string): Record<'base' | 'head', T[]> {
  const base = resolve(baseArg);
  const results: Record<'base' | 'head', T[]> = { base: [], head: [] };
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const)) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', side === 'base' ? base : headRoot, runs], {
        cwd: headRoot,
        encoding: 'utf8',
      });
      results[side].push(JSON.parse(out.trim().split('\n').pop() as string) as T);
      console.error(`round ${r + 1}: ${side} done`);
    }
  }
  return results;
}
