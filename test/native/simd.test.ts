/**
 * The instruction set of the native kernels' vectorized loops (native/kernels/simd.hpp): the level
 * the addon picks is what this CPU has (read from /proc/cpuinfo on Linux x86-64), KERNELBUS_SIMD caps
 * it, and every level gives the same bits (test/native/simd-child.ts in a child process per level).
 * Older CPUs themselves are emulated by scripts/cpu-check.sh (qemu-x86_64 Haswell, qemu64, Nehalem).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backends } from '../../src/index.js';
import type { NativeFeatures } from '../../src/backends/native/binding.js';
import { doctorReport } from '../../src/cli/doctor.js';
import { inCI } from '../helpers/backends.js';

const root = join(import.meta.dirname, '..', '..');
const native = backends().find((b) => b.name === 'native');
const features = native?.available ? (native.features as unknown as NativeFeatures) : undefined;
const LEVELS = ['baseline', 'avx2', 'avx512'] as const;

/** The level the CPU's flags allow, by the rule simd.cpp applies to CPUID. */
function levelOfFlags(flags: Set<string>): (typeof LEVELS)[number] {
  if (!flags.has('avx2')) return 'baseline';
  return ['avx512f', 'avx512dq', 'avx512vl', 'avx512bw', 'avx512cd'].every((f) => flags.has(f)) ? 'avx512' : 'avx2';
}

function child(simd: string | undefined): { simd: string; simdCpu: string; digests: Record<string, string> } {
  const { KERNELBUS_SIMD: _, ...rest } = process.env;
  const env: NodeJS.ProcessEnv = { ...rest, KERNELBUS_BACKEND: '', ...(simd === undefined ? {} : { KERNELBUS_SIMD: simd }) };
  const out = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test', 'native', 'simd-child.ts')], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  expect(out.status, out.stderr).toBe(0);
  return JSON.parse(out.stdout);
}

describe.runIf(features || inCI)('native SIMD level', () => {
  it('the addon reports a level, and runs the CPU best unless KERNELBUS_SIMD caps it', () => {
    expect(features, 'the native addon did not load').toBeDefined();
    const { simd, simdCpu } = features as NativeFeatures;
    const expected = process.arch === 'arm64' ? ['neon'] : process.arch === 'x64' ? LEVELS : ['baseline'];
    expect(expected).toContain(simdCpu);
    const cap = process.env.KERNELBUS_SIMD;
    if (cap === undefined || !LEVELS.includes(cap as never)) expect(simd).toBe(simdCpu);
    else expect(LEVELS.indexOf(simd as never)).toBe(Math.min(LEVELS.indexOf(cap as never), LEVELS.indexOf(simdCpu as never)));
  });

  it('kernelbus doctor names the level in use', () => {
    const line = doctorReport().summary.simd;
    expect(line.startsWith(`${features?.simd} (`), line).toBe(true);
    expect(line).toContain(features?.simd === features?.simdCpu ? 'the best this CPU has' : `this CPU has ${features?.simdCpu}`);
  });

  it.runIf(process.platform === 'linux' && process.arch === 'x64')("the CPU's level is the one /proc/cpuinfo's flags give", () => {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    const flags = new Set((line ?? '').split(':')[1]?.trim().split(/\s+/));
    expect(flags.has('sse2'), 'no flags line in /proc/cpuinfo').toBe(true);
    expect(features?.simdCpu).toBe(levelOfFlags(flags));
  });

  it.runIf(process.arch === 'x64')('KERNELBUS_SIMD=avx2 and baseline: the level capped, every vectorized kernel the same bits', () => {
    const best = child(undefined);
    expect(best.simd).toBe(features?.simdCpu);
    expect(Object.keys(best.digests).length).toBeGreaterThanOrEqual(20);
    for (const cap of ['avx2', 'baseline'] as const) {
      const capped = child(cap);
      const want = LEVELS[Math.min(LEVELS.indexOf(cap), LEVELS.indexOf(best.simdCpu as never))];
      expect(capped.simd, `KERNELBUS_SIMD=${cap}`).toBe(want);
      expect(capped.simdCpu).toBe(best.simdCpu);
      expect(capped.digests, `KERNELBUS_SIMD=${cap} vs ${best.simd}`).toEqual(best.digests);
    }
    // an unknown value leaves the CPU's level
    expect(child('sse9').simd).toBe(best.simdCpu);
  });
});
